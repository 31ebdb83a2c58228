/// Token shard layout (little-endian), as in spec/training.md:
///
///     offset  size  field
///          0     8  magic "DSCTOKS\0"
///          8     4  format version, u32 = 1
///         12     4  token width in bytes, u32 = 2 or 4
///         16     8  token count, u64
///         24     8  reserved, zero
///         32     …  tokens (u16 or u32 each)
///
/// NumPy reads a width-2 shard as `np.memmap(path, dtype=np.uint16, offset=32)`.
public enum ShardFormat {
    public static let magic: [UInt8] = Array("DSCTOKS".utf8) + [0]
    public static let version: UInt32 = 1
    public static let headerSize = 32
    public static let widths = [2, 4]

    /// The smallest width that holds every id below `vocabSize`.
    public static func width(forVocabSize vocabSize: Int) -> Int { vocabSize <= 65_536 ? 2 : 4 }

    /// The 32 header bytes for `count` tokens of `width` bytes.
    static func header(width: Int, count: UInt64) -> [UInt8] {
        var bytes = magic
        append(&bytes, UInt64(version), size: 4)
        append(&bytes, UInt64(width), size: 4)
        append(&bytes, count, size: 8)
        bytes += [UInt8](repeating: 0, count: 8)
        return bytes
    }

    private static func append(_ bytes: inout [UInt8], _ value: UInt64, size: Int) {
        for i in 0..<size { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(8 * i))) }
    }

    static func readLE(_ base: UnsafeRawPointer, offset: Int, size: Int) -> UInt64 {
        var value: UInt64 = 0
        for i in 0..<size { value |= UInt64(base.load(fromByteOffset: offset + i, as: UInt8.self)) << UInt64(8 * i) }
        return value
    }
}

/// A shard that cannot be read or written, naming the file.
public struct ShardError: Error, CustomStringConvertible, Sendable {
    public let file: String
    public let message: String

    public init(file: String, message: String) {
        self.file = file
        self.message = message
    }

    /// "FILE: MESSAGE"
    public var description: String { "\(file): \(message)" }
}
