/// One tensor entry of a safetensors header. `byteRange` is relative to the start of the data section.
public struct SafeTensorInfo: Sendable, Equatable {
    public let name: String
    public let dtype: String
    public let shape: [Int]
    public let byteRange: Range<Int>

    public init(name: String, dtype: String, shape: [Int], byteRange: Range<Int>) {
        self.name = name
        self.dtype = dtype
        self.shape = shape
        self.byteRange = byteRange
    }

    /// Number of elements (1 for a scalar with shape `[]`).
    public var elementCount: Int { shape.reduce(1, *) }

    /// Bytes per element of the safetensors dtypes this reader accepts.
    public static let dtypeSizes: [String: Int] = [
        "BOOL": 1, "U8": 1, "I8": 1, "F8_E4M3": 1, "F8_E5M2": 1,
        "U16": 2, "I16": 2, "F16": 2, "BF16": 2,
        "U32": 4, "I32": 4, "F32": 4,
        "U64": 8, "I64": 8, "F64": 8,
    ]
}
