import Foundation
import Testing
import TokenData

/// spec/training.md promises that NumPy reads a shard as np.memmap(path, dtype=np.uint16, offset=32).
/// Needs python3 with numpy (scripts/setup-debian.sh installs it).
@Suite struct NumPyInteropTests {
    @Test(arguments: [(2, "uint16"), (4, "uint32")])
    func numpyMemmapReadsOurShards(width: Int, dtype: String) throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("s.bin")
        let tokens: [Int32] = [0, 1, 2, 3, 4095, 65_535] + (width == 4 ? [70_000, 1 << 30] : [])
        let writer = try ShardWriter(path: path, width: width)
        writer.append(tokens)
        try writer.finish()

        let script = "import numpy as np, sys; print(np.memmap(sys.argv[1], dtype=np.\(dtype), offset=32).tolist())"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, path]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "python3 with numpy is needed: bash scripts/setup-debian.sh")
        let printed = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(printed == "[" + tokens.map(String.init).joined(separator: ", ") + "]")
    }
}
