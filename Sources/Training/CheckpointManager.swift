import Foundation
import SafeTensors

/// Names, writes and prunes a run's checkpoints: `<prefix>_step_%07d.safetensors` per save and a concrete
/// copy `<prefix>_latest.safetensors` (never a symlink). Every file is written atomically, so a crash at any
/// moment leaves the previous `latest` loadable. Pruning keeps the newest `keepLast` step files and never
/// touches `latest`. Used by pretrain (`ckpt`), SDFT (`sdft`) and TTT (`ttt`).
public struct CheckpointManager: Sendable {
    public let directory: String
    public let prefix: String
    /// Step files to keep; 0 keeps all.
    public let keepLast: Int

    public init(directory: String, prefix: String = "ckpt", keepLast: Int = 3) {
        self.directory = directory
        self.prefix = prefix
        self.keepLast = max(0, keepLast)
    }

    public func stepPath(_ step: Int) -> String {
        directory + "/" + stepFileName(step)
    }

    public var latestPath: String { directory + "/\(prefix)_latest.safetensors" }

    func stepFileName(_ step: Int) -> String {
        "\(prefix)_step_\(String(format: "%07d", step)).safetensors"
    }

    /// Writes the step file through `write` (which must write atomically to the path it is given, e.g. via
    /// `SafeTensors.write`), refreshes `latest` with an atomic copy, then prunes old step files.
    /// Returns the step file's path.
    @discardableResult
    public func save(step: Int, write: (String) throws -> Void) throws -> String {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = stepPath(step)
        try write(path)
        try AtomicFile.copy(from: path, to: latestPath)
        try prune()
        return path
    }

    /// Existing step checkpoints, oldest first.
    public func stepFiles() throws -> [(step: Int, path: String)] {
        guard FileManager.default.fileExists(atPath: directory) else { return [] }
        let head = "\(prefix)_step_", tail = ".safetensors"
        return try FileManager.default.contentsOfDirectory(atPath: directory).compactMap { name in
            guard name.hasPrefix(head), name.hasSuffix(tail) else { return nil }
            let digits = name.dropFirst(head.count).dropLast(tail.count)
            guard digits.count >= 7, digits.allSatisfy(\.isASCII), let step = Int(digits), step >= 0 else { return nil }
            return (step, directory + "/" + name)
        }.sorted { $0.step < $1.step }
    }

    /// Removes all but the newest `keepLast` step files. `latest` is a separate file and is never removed.
    public func prune() throws {
        guard keepLast > 0 else { return }
        let files = try stepFiles()
        for file in files.dropLast(keepLast) {
            try FileManager.default.removeItem(atPath: file.path)
        }
    }
}
