import Foundation

/// Writes a token shard to a temporary sibling file and renames it into place in `finish()`, so a crash or
/// an error never leaves a half-written shard under the final name. Tokens are buffered and written in
/// large blocks. `append` does not throw: the first problem (an id that does not fit the width, a failed
/// write) is remembered and thrown by `finish()`, which then removes the temporary file.
public final class ShardWriter {
    public let path: String
    public let width: Int
    /// Tokens appended so far.
    public private(set) var count: UInt64 = 0

    private let temporaryPath: String
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var failure: ShardError?
    private var finished = false
    private static let blockBytes = 1 << 20

    public init(path: String, width: Int) throws {
        guard ShardFormat.widths.contains(width) else {
            throw ShardError(file: path, message: "token width must be 2 or 4 bytes, got \(width)")
        }
        self.path = path
        self.width = width
        let folder = (path as NSString).deletingLastPathComponent
        temporaryPath = (folder.isEmpty ? "." : folder) + "/." + (path as NSString).lastPathComponent + ".tmp-\(getpid())-\(UUID().uuidString.prefix(8))"
        do {
            if !folder.isEmpty { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
        } catch {
            throw ShardError(file: path, message: "cannot create folder \(folder): \(error.localizedDescription)")
        }
        Self.removeAbandonedTemporaries(of: path)
        guard FileManager.default.createFile(atPath: temporaryPath, contents: Data(ShardFormat.header(width: width, count: 0))),
              let handle = FileHandle(forUpdatingAtPath: temporaryPath) else {
            throw ShardError(file: path, message: "cannot create \(temporaryPath)")
        }
        self.handle = handle
        handle.seekToEndOfFile()
        buffer.reserveCapacity(Self.blockBytes + 4096)
    }

    deinit {
        if !finished {
            try? handle.close()
            try? FileManager.default.removeItem(atPath: temporaryPath)
        }
    }

    /// Appends `tokens`. Ids must lie in 0..<2^(8·width).
    public func append(_ tokens: [Int32]) {
        tokens.withUnsafeBufferPointer { append($0) }
    }

    public func append(_ tokens: UnsafeBufferPointer<Int32>) {
        guard failure == nil, !finished else { return }
        let limit: Int64 = width == 2 ? 65_536 : 1 << 32
        for token in tokens {
            guard token >= 0, Int64(token) < limit else {
                failure = ShardError(file: path, message: "token id \(token) does not fit in \(width) bytes (token \(count))")
                return
            }
            let value = UInt32(bitPattern: token)
            buffer.append(UInt8(truncatingIfNeeded: value))
            buffer.append(UInt8(truncatingIfNeeded: value >> 8))
            if width == 4 {
                buffer.append(UInt8(truncatingIfNeeded: value >> 16))
                buffer.append(UInt8(truncatingIfNeeded: value >> 24))
            }
            count += 1
        }
        if buffer.count >= Self.blockBytes { flush() }
    }

    /// Writes the final header, syncs, and renames the shard into place. Throws (and removes the temporary
    /// file) if any append or write failed.
    public func finish() throws {
        guard !finished else { return }
        flush()
        if failure == nil {
            do {
                try handle.seek(toOffset: 0)
                try handle.write(contentsOf: ShardFormat.header(width: width, count: count))
                try handle.synchronize()
                try handle.close()
                // rename(2) replaces an existing shard atomically: readers see the old or the new file.
                if rename(temporaryPath, path) != 0 {
                    throw ShardError(file: path, message: "cannot rename \(temporaryPath) into place: \(String(cString: strerror(errno)))")
                }
            } catch {
                failure = ShardError(file: path, message: "cannot write shard: \(error.localizedDescription)")
            }
        }
        finished = true
        if let failure {
            try? handle.close()
            try? FileManager.default.removeItem(atPath: temporaryPath)
            throw failure
        }
    }

    /// Abandons the shard: removes the temporary file; nothing appears under `path`.
    public func cancel() {
        guard !finished else { return }
        finished = true
        try? handle.close()
        try? FileManager.default.removeItem(atPath: temporaryPath)
    }

    /// Removes temporary siblings `.NAME.tmp-PID-…` of `path` left by writers whose process is gone (killed
    /// by Ctrl-C or `kill -9` before `finish()`); a live process's temporary file is never touched.
    static func removeAbandonedTemporaries(of path: String) {
        let folder = (path as NSString).deletingLastPathComponent
        let dir = folder.isEmpty ? "." : folder
        let prefix = "." + (path as NSString).lastPathComponent + ".tmp-"
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else { return }
        for name in names where name.hasPrefix(prefix) {
            let rest = name.dropFirst(prefix.count)
            guard let dash = rest.firstIndex(of: "-"), let pid = pid_t(rest[..<dash]), pid > 0 else { continue }
            if kill(pid, 0) == 0 || errno == EPERM { continue }   // still running (or another user's)
            try? FileManager.default.removeItem(atPath: dir + "/" + name)
        }
    }

    private func flush() {
        guard !buffer.isEmpty, failure == nil else { return }
        do { try handle.write(contentsOf: buffer) } catch {
            failure = ShardError(file: path, message: "cannot write shard: \(error.localizedDescription)")
        }
        buffer.removeAll(keepingCapacity: true)
    }
}
