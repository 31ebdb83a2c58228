#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A safetensors file mapped read-only into memory. The whole header is validated on open: header length,
/// JSON syntax, every entry's dtype, shape and offsets, that offsets tile the data section without gaps or
/// overlap, and that the file is not truncated. Tensor bytes are read straight from the mapping.
public final class SafeTensorsFile: @unchecked Sendable {
    public let path: String
    public let metadata: [String: String]
    public let tensors: [String: SafeTensorInfo]
    /// Tensor names in data order (ascending offsets).
    public let names: [String]

    private let base: UnsafeRawPointer?
    private let mappedLength: Int
    private let dataStart: Int

    /// Headers larger than this are refused (the reference implementation uses the same bound).
    static let maxHeaderBytes = 100_000_000

    public init(path: String) throws {
        self.path = path
        func fail(_ message: String) -> SafeTensorsError { SafeTensorsError(file: path, message: message) }

        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw fail("cannot open: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw fail("cannot stat: \(String(cString: strerror(errno)))") }
        let size = Int(st.st_size)
        guard size >= 8 else { throw fail("file is \(size) bytes, too short for the 8-byte header length") }

        guard let map = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), map != MAP_FAILED else {
            throw fail("mmap failed: \(String(cString: strerror(errno)))")
        }
        let raw = UnsafeRawPointer(map)
        var mapped = true
        defer { if mapped { munmap(map, size) } }

        let headerLength64 = UInt64(littleEndian: raw.loadUnaligned(as: UInt64.self))
        guard headerLength64 <= UInt64(Self.maxHeaderBytes) else {
            throw fail("header length \(headerLength64) exceeds the \(Self.maxHeaderBytes)-byte limit")
        }
        let headerLength = Int(headerLength64)
        guard headerLength >= 2 else { throw fail("header length \(headerLength) is too small for a JSON object") }
        guard 8 + headerLength <= size else {
            throw fail("truncated header: header length says \(headerLength) bytes but only \(size - 8) follow")
        }
        let headerBytes = Array(UnsafeRawBufferPointer(start: raw + 8, count: headerLength))
        let json: HeaderJSON
        do {
            json = try HeaderJSONParser.parse(headerBytes)
        } catch {
            throw fail(error.message)
        }
        guard case let .object(members) = json else {
            throw fail("header must be a JSON object, found \(json.typeName)")
        }

        var metadata: [String: String] = [:]
        var infos: [String: SafeTensorInfo] = [:]
        for (key, value) in members {
            if key == "__metadata__" {
                guard case let .object(pairs) = value else {
                    throw fail("'__metadata__' must be an object of strings, found \(value.typeName)")
                }
                for (k, v) in pairs {
                    guard case let .string(s) = v else {
                        throw fail("'__metadata__' key '\(k)' must be a string, found \(v.typeName)")
                    }
                    metadata[k] = s
                }
                continue
            }
            infos[key] = try Self.parseEntry(name: key, value, fail: fail)
        }

        // Offsets must tile [0, dataSize) exactly: sorted by start, each begins where the previous ended.
        let dataSize = size - 8 - headerLength
        let ordered = infos.values.sorted {
            ($0.byteRange.lowerBound, $0.byteRange.upperBound, $0.name) < ($1.byteRange.lowerBound, $1.byteRange.upperBound, $1.name)
        }
        var cursor = 0
        for info in ordered {
            guard info.byteRange.lowerBound == cursor else {
                if info.byteRange.lowerBound < cursor {
                    throw fail("tensor '\(info.name)' data_offsets \(info.byteRange.lowerBound)..<\(info.byteRange.upperBound) overlap another tensor")
                }
                throw fail("gap in data section before tensor '\(info.name)' (offset \(info.byteRange.lowerBound), expected \(cursor))")
            }
            cursor = info.byteRange.upperBound
        }
        guard cursor <= dataSize else {
            let last = ordered.last.map { "'\($0.name)'" } ?? "?"
            throw fail("truncated body: tensor \(last) ends at data offset \(cursor) but the data section has only \(dataSize) bytes")
        }
        guard cursor == dataSize else {
            throw fail("data section has \(dataSize - cursor) unexpected trailing bytes after the last tensor")
        }

        self.metadata = metadata
        self.tensors = infos
        self.names = ordered.map(\.name)
        self.base = raw
        self.mappedLength = size
        self.dataStart = 8 + headerLength
        mapped = false
    }

    deinit {
        if let base { munmap(UnsafeMutableRawPointer(mutating: base), mappedLength) }
    }

    private static func parseEntry(name: String, _ value: HeaderJSON,
                                   fail: (String) -> SafeTensorsError) throws -> SafeTensorInfo {
        guard case let .object(fields) = value else {
            throw fail("tensor '\(name)' entry must be an object, found \(value.typeName)")
        }
        var dtype: String?, shape: [Int]?, offsets: [Int]?
        for (field, v) in fields {
            switch field {
            case "dtype":
                guard case let .string(s) = v else { throw fail("tensor '\(name)' field 'dtype' must be a string") }
                dtype = s
            case "shape":
                guard case let .array(items) = v else { throw fail("tensor '\(name)' field 'shape' must be an array") }
                shape = try items.map { item in
                    guard let d = item.nonNegativeInt else {
                        throw fail("tensor '\(name)' field 'shape' must hold non-negative integers")
                    }
                    return d
                }
            case "data_offsets":
                guard case let .array(items) = v, items.count == 2 else {
                    throw fail("tensor '\(name)' field 'data_offsets' must be an array of two integers")
                }
                offsets = try items.map { item in
                    guard let d = item.nonNegativeInt else {
                        throw fail("tensor '\(name)' field 'data_offsets' must hold non-negative integers")
                    }
                    return d
                }
            default:
                throw fail("tensor '\(name)' has unknown field '\(field)'")
            }
        }
        guard let dtype else { throw fail("tensor '\(name)' is missing field 'dtype'") }
        guard let shape else { throw fail("tensor '\(name)' is missing field 'shape'") }
        guard let offsets else { throw fail("tensor '\(name)' is missing field 'data_offsets'") }
        guard let elementSize = SafeTensorInfo.dtypeSizes[dtype] else {
            throw fail("tensor '\(name)' has unknown dtype '\(dtype)'")
        }
        guard offsets[0] <= offsets[1] else {
            throw fail("tensor '\(name)' data_offsets [\(offsets[0]), \(offsets[1])] end before they begin")
        }
        var count = 1
        for d in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: d)
            guard !overflow else { throw fail("tensor '\(name)' shape \(shape) overflows") }
            count = product
        }
        let (expected, overflow) = count.multipliedReportingOverflow(by: elementSize)
        guard !overflow, offsets[1] - offsets[0] == expected else {
            throw fail("tensor '\(name)' data_offsets span \(offsets[1] - offsets[0]) bytes but shape \(shape) of \(dtype) needs \(expected)")
        }
        return SafeTensorInfo(name: name, dtype: dtype, shape: shape, byteRange: offsets[0]..<offsets[1])
    }

    /// The entry for `name`, or an error naming the file and the missing tensor.
    public func info(_ name: String) throws -> SafeTensorInfo {
        guard let info = tensors[name] else {
            throw SafeTensorsError(file: path, message: "no tensor named '\(name)'")
        }
        return info
    }

    /// The raw bytes of a tensor of any dtype, valid while this object lives.
    public func withRawBytes<R>(_ name: String, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        let info = try info(name)
        return try body(UnsafeRawBufferPointer(start: base.map { $0 + dataStart + info.byteRange.lowerBound },
                                               count: info.byteRange.count))
    }

    /// A copy of an F32 tensor's values.
    public func floats(_ name: String) throws -> [Float] {
        try withFloats(name) { Array($0) }
    }

    /// Calls `body` with an F32 tensor's values, read in place from the mapping when 4-byte aligned.
    public func withFloats<R>(_ name: String, _ body: (UnsafeBufferPointer<Float>) throws -> R) throws -> R {
        let info = try info(name)
        guard info.dtype == "F32" else {
            throw SafeTensorsError(file: path, message: "tensor '\(name)' has dtype \(info.dtype), expected F32")
        }
        let count = info.elementCount
        guard count > 0, let base else { return try body(UnsafeBufferPointer(start: nil, count: 0)) }
        let start = base + dataStart + info.byteRange.lowerBound
        if Int(bitPattern: start) % MemoryLayout<Float>.alignment == 0 {
            return try body(UnsafeBufferPointer(start: start.assumingMemoryBound(to: Float.self), count: count))
        }
        var copy = [Float](repeating: 0, count: count)
        copy.withUnsafeMutableBytes { $0.copyMemory(from: UnsafeRawBufferPointer(start: start, count: count * 4)) }
        return try copy.withUnsafeBufferPointer { try body($0) }
    }
}
