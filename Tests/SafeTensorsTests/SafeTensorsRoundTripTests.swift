import Foundation
import Testing
@testable import SafeTensors

@Test func writtenTensorsReadBackBitExactWithShapesAndMetadata() throws {
    let dir = try makeTempDir()
    let path = dir + "/a.safetensors"
    let w: [Float] = [1.5, -2.25, .pi, 0, -0.0, 1e-38, 3.4e38, 7]
    let b: [Float] = [42]
    try writeTensors(path, [("w", [2, 4], w), ("scalar", [], b), ("empty", [0, 3], [])],
                     metadata: ["step": "12", "note": "quote \" backslash \\ newline \n é"])
    let file = try SafeTensorsFile(path: path)
    #expect(try file.floats("w").map(\.bitPattern) == w.map(\.bitPattern))
    #expect(try file.floats("scalar") == b)
    #expect(try file.floats("empty").isEmpty)
    #expect(file.tensors["w"]?.shape == [2, 4])
    #expect(file.tensors["scalar"]?.shape == [])
    #expect(file.tensors["empty"]?.shape == [0, 3])
    #expect(file.metadata == ["step": "12", "note": "quote \" backslash \\ newline \n é"])
    #expect(try file.withFloats("w") { $0.reduce(0, +) } == w.reduce(0, +))
}

@Test func headerKeysAreSortedAndDataSectionIsEightByteAligned() throws {
    let dir = try makeTempDir()
    let path = dir + "/b.safetensors"
    try writeTensors(path, [("zeta", [1], [1]), ("alpha", [2], [2, 3]), ("Mid", [1], [4])], metadata: ["k": "v"])
    let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
    let n = bytes[0..<8].enumerated().reduce(0) { $0 | (Int($1.element) << (8 * $1.offset)) }
    #expect(n % 8 == 0)
    let header = String(decoding: bytes[8..<(8 + n)], as: UTF8.self)
    let keys = ["\"Mid\"", "\"__metadata__\"", "\"alpha\"", "\"zeta\""]
    let positions = keys.map { header.range(of: $0)!.lowerBound }
    #expect(positions == positions.sorted())
    // Data follows name order: Mid, alpha, zeta.
    let file = try SafeTensorsFile(path: path)
    #expect(file.names == ["Mid", "alpha", "zeta"])
    #expect(file.tensors["alpha"]?.byteRange == 4..<12)
}

@Test func writeReplacesExistingFileAndLeavesNoTempFiles() throws {
    let dir = try makeTempDir()
    let path = dir + "/c.safetensors"
    try writeTensors(path, [("x", [3], [1, 2, 3])])
    try writeTensors(path, [("y", [1], [9])])
    let file = try SafeTensorsFile(path: path)
    #expect(file.tensors.keys.sorted() == ["y"])
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["c.safetensors"])
}

@Test func failedWriteLeavesPreviousFileIntact() throws {
    let dir = try makeTempDir()
    let path = dir + "/d.safetensors"
    try writeTensors(path, [("x", [2], [1, 2])])
    let error = safeTensorsError { try writeTensors(path, [("x", [3], [1, 2])]) }
    #expect(error?.message.contains("'x'") == true)
    #expect(try SafeTensorsFile(path: path).floats("x") == [1, 2])
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["d.safetensors"])
}

@Test func writeRejectsDuplicateAndReservedNames() throws {
    let dir = try makeTempDir()
    let path = dir + "/e.safetensors"
    #expect(safeTensorsError { try writeTensors(path, [("x", [1], [1]), ("x", [1], [2])]) }?
        .message.contains("duplicate tensor name 'x'") == true)
    #expect(safeTensorsError { try writeTensors(path, [("__metadata__", [1], [1])]) } != nil)
    #expect(!FileManager.default.fileExists(atPath: path))
}

@Test func atomicCopyMakesAConcreteIdenticalFile() throws {
    let dir = try makeTempDir()
    try writeTensors(dir + "/src.safetensors", [("x", [2], [5, 6])], metadata: ["a": "b"])
    try AtomicFile.copy(from: dir + "/src.safetensors", to: dir + "/dst.safetensors")
    let attrs = try FileManager.default.attributesOfItem(atPath: dir + "/dst.safetensors")
    #expect(attrs[.type] as? FileAttributeType == .typeRegular)
    #expect(try Data(contentsOf: URL(fileURLWithPath: dir + "/src.safetensors"))
        == Data(contentsOf: URL(fileURLWithPath: dir + "/dst.safetensors")))
}
