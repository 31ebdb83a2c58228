import Foundation
@testable import SafeTensors

/// A fresh temp folder per test.
func makeTempDir(_ label: String = #function) throws -> String {
    let safe = label.filter { $0.isLetter || $0.isNumber }
    let dir = NSTemporaryDirectory() + "safetensors-tests-\(safe)-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}

/// Builds a raw safetensors file from a header string and body bytes (for malformed-input tests).
func writeRaw(_ path: String, header: String, body: [UInt8], declaredLength: UInt64? = nil) throws {
    let h = Array(header.utf8)
    var bytes: [UInt8] = []
    var length = (declaredLength ?? UInt64(h.count)).littleEndian
    withUnsafeBytes(of: &length) { bytes.append(contentsOf: $0) }
    bytes += h + body
    try Data(bytes).write(to: URL(fileURLWithPath: path))
}

/// Writes named float tensors through the public API.
func writeTensors(_ path: String, _ tensors: [(String, [Int], [Float])], metadata: [String: String] = [:]) throws {
    var owned: [(name: String, shape: [Int], storage: UnsafeMutableBufferPointer<Float>)] = []
    defer { owned.forEach { $0.storage.deallocate() } }
    for (name, shape, values) in tensors {
        let buf = UnsafeMutableBufferPointer<Float>.allocate(capacity: values.count)
        _ = buf.initialize(from: values)
        owned.append((name, shape, buf))
    }
    try SafeTensors.write(path: path,
                          tensors: owned.map { ($0.name, $0.shape, UnsafeBufferPointer($0.storage)) },
                          metadata: metadata)
}

/// Runs `python3 -c SCRIPT ARGS...`, returning (exit status, stdout + stderr).
func runPython(_ script: String, _ args: [String]) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", script] + args
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// The error message thrown by `body`, or nil when it did not throw a SafeTensorsError.
func safeTensorsError(_ body: () throws -> Void) -> SafeTensorsError? {
    do { try body() } catch let e as SafeTensorsError { return e } catch { return nil }
    return nil
}
