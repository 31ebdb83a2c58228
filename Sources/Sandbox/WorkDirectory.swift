// A fresh temporary working directory per run, removed afterwards whatever the candidate did to it.
import Foundation

struct WorkDirectory {
    let path: String

    /// `$TMPDIR` (read once) or /tmp.
    static let base: String = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"

    /// Creates `$TMPDIR/discover-sandbox-XXXXXX` (mode 0700, or owned by `owner` when given) and writes
    /// `files` into it. File names must be relative, without `..`.
    init(files: [String: [UInt8]], owner: UInt32?) throws {
        let base = Self.base
        var template = Array("\(base)/discover-sandbox-XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw SandboxError("cannot create a work directory under \(base): \(String(cString: strerror(errno)))")
        }
        path = String(cString: made)
        do {
            for (name, bytes) in files.sorted(by: { $0.key < $1.key }) {
                let parts = name.split(separator: "/", omittingEmptySubsequences: false)
                guard !name.isEmpty, !name.hasPrefix("/"), !parts.contains(where: { $0 == ".." || $0.isEmpty }) else {
                    throw SandboxError("file name '\(name)' must be a relative path without '..'")
                }
                let full = "\(path)/\(name)"
                let dir = (full as NSString).deletingLastPathComponent
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
                guard FileManager.default.createFile(atPath: full, contents: Data(bytes)) else {
                    throw SandboxError("cannot write \(full)")
                }
            }
            if let uid = owner { try Self.chownTree(path, uid: uid) }
        } catch {
            remove()
            throw error
        }
    }

    private static func chownTree(_ root: String, uid: UInt32) throws {
        guard chown(root, uid, uid) == 0 else {
            throw SandboxError("chown \(root): \(String(cString: strerror(errno)))")
        }
        let enumerator = FileManager.default.enumerator(atPath: root)
        while let rel = enumerator?.nextObject() as? String {
            _ = lchown("\(root)/\(rel)", uid, uid)
        }
    }

    /// Removes the directory; makes sub-directories writable first if the candidate locked them.
    func remove() {
        if (try? FileManager.default.removeItem(atPath: path)) != nil { return }
        let enumerator = FileManager.default.enumerator(atPath: path)
        _ = chmod(path, 0o700)
        while let rel = enumerator?.nextObject() as? String {
            var st = stat()
            let full = "\(path)/\(rel)"
            if lstat(full, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR { _ = chmod(full, 0o700) }
        }
        try? FileManager.default.removeItem(atPath: path)
    }
}
