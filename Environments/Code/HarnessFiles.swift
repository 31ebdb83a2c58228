// The Python harness scripts (Environments/Code/Harness), copied into every sandbox work directory.
import Foundation

enum HarnessFiles {
    /// Every file of the harness; task modules may not reuse these names.
    static let names = ["harness.py", "candidate_process.py", "worker.py", "codec.py", "checks.py", "protocol.py"]

    /// File name -> bytes, read once from the bundle.
    static let contents: Result<[String: [UInt8]], CodeEnvironmentError> = {
        guard let directory = Bundle.module.url(forResource: "Harness", withExtension: nil) else {
            return .failure(CodeEnvironmentError("the Harness resource folder is missing from the CodeEnvironment bundle"))
        }
        var files: [String: [UInt8]] = [:]
        for name in names {
            let url = directory.appendingPathComponent(name)
            guard let data = FileManager.default.contents(atPath: url.path) else {
                return .failure(CodeEnvironmentError("cannot read harness file \(url.path)"))
            }
            files[name] = Array(data)
        }
        return .success(files)
    }()
}

/// A configuration or infrastructure problem of the code environment (not a candidate's failure).
public struct CodeEnvironmentError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { "code/python-v0: \(message)" }
}
