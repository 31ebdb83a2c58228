#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Crash-safe file replacement: write `PATH.tmp-PID-N` in the same folder, fsync it, rename it over PATH,
/// fsync the folder. Readers see the old file or the complete new one, never a partial write; on error the
/// temp file is removed and PATH is untouched.
public enum AtomicFile {
    /// A write-only handle given to the body of `write(path:_:)`.
    public struct Sink {
        let fd: Int32
        let path: String

        /// Writes every byte (retrying short writes and EINTR).
        public func write(_ bytes: UnsafeRawBufferPointer) throws {
            guard var base = bytes.baseAddress else { return }
            var left = bytes.count
            while left > 0 {
                let n = Glibc_write(fd, base, left)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw SafeTensorsError(file: path, message: "write failed: \(String(cString: strerror(errno)))")
                }
                left -= n
                base += n
            }
        }
    }

    private static let counter = Counter()

    public static func write(path: String, _ body: (Sink) throws -> Void) throws {
        let tmp = "\(path).tmp-\(getpid())-\(counter.next())"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw SafeTensorsError(file: path, message: "cannot create \(tmp): \(String(cString: strerror(errno)))")
        }
        var ok = false
        defer {
            if !ok { close(fd); unlink(tmp) }
        }
        try body(Sink(fd: fd, path: path))
        guard fsync(fd) == 0 else {
            throw SafeTensorsError(file: path, message: "fsync failed: \(String(cString: strerror(errno)))")
        }
        ok = true
        guard close(fd) == 0 else {
            unlink(tmp)
            throw SafeTensorsError(file: path, message: "close failed: \(String(cString: strerror(errno)))")
        }
        guard rename(tmp, path) == 0 else {
            let message = String(cString: strerror(errno))
            unlink(tmp)
            throw SafeTensorsError(file: path, message: "rename from \(tmp) failed: \(message)")
        }
        fsyncDirectory(of: path)
    }

    /// Atomically replaces `destination` with a copy of `source` (a concrete file, not a link).
    public static func copy(from source: String, to destination: String) throws {
        let input = open(source, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else {
            throw SafeTensorsError(file: source, message: "cannot open: \(String(cString: strerror(errno)))")
        }
        defer { close(input) }
        try write(path: destination) { sink in
            let chunk = 1 << 20
            let buffer = UnsafeMutableRawPointer.allocate(byteCount: chunk, alignment: 16)
            defer { buffer.deallocate() }
            while true {
                let n = read(input, buffer, chunk)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw SafeTensorsError(file: source, message: "read failed: \(String(cString: strerror(errno)))")
                }
                if n == 0 { break }
                try sink.write(UnsafeRawBufferPointer(start: buffer, count: n))
            }
        }
    }

    /// Makes a completed rename durable. Best effort: some filesystems refuse fsync on folders.
    static func fsyncDirectory(of path: String) {
        let dir: String
        if let slash = path.lastIndex(of: "/") {
            dir = slash == path.startIndex ? "/" : String(path[..<slash])
        } else {
            dir = "."
        }
        let fd = open(dir, O_RDONLY | O_CLOEXEC)
        if fd >= 0 {
            _ = fsync(fd)
            close(fd)
        }
    }

    /// Process-wide counter for unique temp names when several threads write at once.
    final class Counter: @unchecked Sendable {
        private var value = 0
        private var lock = pthread_mutex_t()
        init() { pthread_mutex_init(&lock, nil) }
        func next() -> Int {
            pthread_mutex_lock(&lock)
            defer { pthread_mutex_unlock(&lock) }
            value += 1
            return value
        }
    }
}

#if canImport(Glibc)
@inline(__always) private func Glibc_write(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int { Glibc.write(fd, p, n) }
#elseif canImport(Darwin)
@inline(__always) private func Glibc_write(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int { Darwin.write(fd, p, n) }
#endif
