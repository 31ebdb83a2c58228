import Foundation

/// Runs the built `discover` executable. It sits next to the test bundle in the build folder
/// (`.build*/<triple>/<config>/discover`, whatever --scratch-path was used); as a fallback it is looked up
/// under the package root's `.build/debug`, found relative to this file.
enum DiscoverBinary {
    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    static let path: String = {
        var candidates: [String] = []
        if let executable = Bundle.main.executablePath {
            candidates.append(URL(fileURLWithPath: executable).deletingLastPathComponent().appendingPathComponent("discover").path)
        }
        let testsFolder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        candidates.append(testsFolder.appendingPathComponent("discover").path)
        candidates.append(testsFolder.deletingLastPathComponent().appendingPathComponent("discover").path)  // inside .xctest on macOS
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        candidates.append(packageRoot.appendingPathComponent(".build/debug/discover").path)
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
            ?? "discover binary not found; looked in: " + candidates.joined(separator: ", ")
    }()

    static func run(_ arguments: [String]) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Drain both pipes before waiting so a chatty child cannot block on a full pipe.
        let errData = ThreadSafeData()
        let errReader = Thread { errData.value = err.fileHandleForReading.readDataToEndOfFile() }
        errReader.start()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while !errData.done { usleep(1000) }
        return Result(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData.value, as: UTF8.self))
    }
}

private final class ThreadSafeData: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    private var finished = false
    var value: Data {
        get { lock.withLock { data } }
        set { lock.withLock { data = newValue; finished = true } }
    }
    var done: Bool { lock.withLock { finished } }
}

/// A scratch folder removed by `remove()`.
struct ScratchFolder {
    let path = NSTemporaryDirectory() + "discover-cli-" + UUID().uuidString

    init() throws { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }

    func file(_ name: String) -> String { path + "/" + name }

    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        try text.write(toFile: file(name), atomically: true, encoding: .utf8)
        return file(name)
    }

    func exists(_ name: String) -> Bool { FileManager.default.fileExists(atPath: file(name)) }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// Parses a safetensors file's header and checks the body length matches; returns the metadata,
/// or nil when the file is not a complete safetensors file.
func loadableMetadata(_ path: String) throws -> [String: String]? {
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    guard data.count >= 8 else { return nil }
    let n = data.prefix(8).enumerated().reduce(0) { $0 | (Int($1.element) << (8 * $1.offset)) }
    guard 8 + n <= data.count,
          let header = try JSONSerialization.jsonObject(with: data.subdata(in: 8..<(8 + n))) as? [String: Any]
    else { return nil }
    var end = 0
    for (key, value) in header where key != "__metadata__" {
        guard let entry = value as? [String: Any], let offsets = entry["data_offsets"] as? [Int] else { return nil }
        end = max(end, offsets[1])
    }
    guard 8 + n + end == data.count else { return nil }
    return header["__metadata__"] as? [String: String]
}
