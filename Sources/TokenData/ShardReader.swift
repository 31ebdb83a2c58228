import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A token shard mapped read-only into memory (never copied into an array). The header is validated on
/// open: magic, version, width, and a file size of exactly 32 + count·width bytes.
public final class ShardReader: @unchecked Sendable {
    public let path: String
    /// Number of tokens.
    public let count: Int
    /// Bytes per token (2 or 4).
    public let width: Int

    private let mapping: UnsafeMutableRawPointer
    private let mappedBytes: Int
    private let tokens: UnsafeRawPointer

    public init(path: String) throws {
        self.path = path
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            let reason = errno == ENOENT ? "no such shard file" : "cannot open shard: \(String(cString: strerror(errno)))"
            throw ShardError(file: path, message: reason)
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            throw ShardError(file: path, message: "not a regular file")
        }
        let size = Int(info.st_size)
        guard size >= ShardFormat.headerSize else {
            throw ShardError(file: path, message: "truncated header: \(size) bytes, a shard starts with a \(ShardFormat.headerSize)-byte header")
        }
        guard let map = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), map != MAP_FAILED else {
            throw ShardError(file: path, message: "cannot mmap shard: \(String(cString: strerror(errno)))")
        }
        do {
            let (count, width) = try Self.validate(UnsafeRawPointer(map), size: size, path: path)
            self.count = count
            self.width = width
        } catch {
            munmap(map, size)
            throw error
        }
        mapping = map
        mappedBytes = size
        tokens = UnsafeRawPointer(map) + ShardFormat.headerSize
        _ = madvise(map, size, MADV_RANDOM)
    }

    deinit { munmap(mapping, mappedBytes) }

    /// Token `i` (0 ≤ i < count).
    @inline(__always)
    public subscript(i: Int) -> Int32 {
        precondition(i >= 0 && i < count, "token index \(i) out of range 0..<\(count) in \(path)")
        return width == 2
            ? Int32(UInt16(littleEndian: tokens.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))
            : Int32(bitPattern: UInt32(littleEndian: tokens.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
    }

    /// Copies tokens `start ..< start+n` into `destination`.
    public func copy(from start: Int, count n: Int, into destination: UnsafeMutablePointer<Int32>) {
        precondition(start >= 0 && n >= 0 && start + n <= count, "token range \(start)..<\(start + n) out of range 0..<\(count) in \(path)")
        if width == 2 {
            for j in 0..<n {
                destination[j] = Int32(UInt16(littleEndian: tokens.loadUnaligned(fromByteOffset: 2 * (start + j), as: UInt16.self)))
            }
        } else {
            for j in 0..<n {
                destination[j] = Int32(bitPattern: UInt32(littleEndian: tokens.loadUnaligned(fromByteOffset: 4 * (start + j), as: UInt32.self)))
            }
        }
    }

    /// Tokens `start ..< start+n` as an array.
    public func tokens(from start: Int, count n: Int) -> [Int32] {
        [Int32](unsafeUninitializedCapacity: n) { buffer, initialized in
            copy(from: start, count: n, into: buffer.baseAddress!)
            initialized = n
        }
    }

    private static func validate(_ base: UnsafeRawPointer, size: Int, path: String) throws -> (count: Int, width: Int) {
        let magic = (0..<8).map { base.load(fromByteOffset: $0, as: UInt8.self) }
        guard magic == ShardFormat.magic else {
            let shown = magic.map { ($0 >= 0x20 && $0 < 0x7F) ? String(UnicodeScalar($0)) : "." }.joined()
            throw ShardError(file: path, message: "wrong magic \"\(shown)\": not a token shard (expected \"DSCTOKS\\0\")")
        }
        let version = ShardFormat.readLE(base, offset: 8, size: 4)
        guard version == UInt64(ShardFormat.version) else {
            throw ShardError(file: path, message: "unsupported shard version \(version) (this build reads version \(ShardFormat.version))")
        }
        let width = Int(ShardFormat.readLE(base, offset: 12, size: 4))
        guard ShardFormat.widths.contains(width) else {
            throw ShardError(file: path, message: "invalid token width \(width) (must be 2 or 4)")
        }
        let count = ShardFormat.readLE(base, offset: 16, size: 8)
        let body = UInt64(size - ShardFormat.headerSize)
        let (needed, overflow) = count.multipliedReportingOverflow(by: UInt64(width))
        guard !overflow, needed <= body else {
            throw ShardError(file: path, message: "truncated body: header declares \(count) tokens of \(width) bytes, file holds \(body / UInt64(width))")
        }
        guard needed == body else {
            throw ShardError(file: path, message: "\(body - needed) unexpected bytes after \(count) tokens")
        }
        return (Int(count), width)
    }
}
