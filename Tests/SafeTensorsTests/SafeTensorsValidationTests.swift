import Foundation
import Testing
@testable import SafeTensors

/// Opens `path` expecting failure; returns the message (or "" when it unexpectedly succeeded).
private func openError(_ path: String) -> String {
    do {
        _ = try SafeTensorsFile(path: path)
        return ""
    } catch let e as SafeTensorsError {
        #expect(e.file == path)
        #expect(e.description.hasPrefix(path + ": "))
        return e.message
    } catch {
        return "wrong error type: \(error)"
    }
}

private let oneTensor = #"{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#

@Test func missingFileErrorNamesTheFile() throws {
    let dir = try makeTempDir()
    #expect(openError(dir + "/nope.safetensors").contains("cannot open"))
}

@Test func truncatedBodyIsReported() throws {
    let dir = try makeTempDir()
    let path = dir + "/t.safetensors"
    try writeRaw(path, header: oneTensor, body: [0, 0, 0, 0])
    #expect(openError(path).contains("truncated body"))
}

@Test func fileCutInsideTheHeaderIsReported() throws {
    let dir = try makeTempDir()
    let path = dir + "/h.safetensors"
    try writeRaw(path, header: String(oneTensor.prefix(20)), body: [], declaredLength: UInt64(oneTensor.utf8.count))
    #expect(openError(path).contains("truncated header"))
    let tiny = dir + "/tiny.safetensors"
    try Data([1, 2, 3]).write(to: URL(fileURLWithPath: tiny))
    #expect(openError(tiny).contains("too short"))
}

@Test func hugeDeclaredHeaderLengthIsRefused() throws {
    let dir = try makeTempDir()
    let path = dir + "/big.safetensors"
    try writeRaw(path, header: oneTensor, body: [], declaredLength: UInt64.max)
    #expect(openError(path).contains("exceeds"))
}

@Test func malformedHeaderJSONIsReportedWithByteOffset() throws {
    let dir = try makeTempDir()
    let path = dir + "/j.safetensors"
    try writeRaw(path, header: #"{"x":{"dtype":"F32",}}"#, body: [])
    #expect(openError(path).contains("invalid header JSON at byte"))
    try writeRaw(path, header: #"[1,2]"#, body: [])
    #expect(openError(path).contains("must be a JSON object"))
    try writeRaw(path, header: #"{"x":1,"x":2}"#, body: [])
    #expect(openError(path).contains("duplicate key 'x'"))
}

@Test func unknownDtypeAndBadShapesAreReported() throws {
    let dir = try makeTempDir()
    let path = dir + "/d.safetensors"
    try writeRaw(path, header: #"{"x":{"dtype":"F33","shape":[2],"data_offsets":[0,8]}}"#, body: Array(repeating: 0, count: 8))
    #expect(openError(path).contains("unknown dtype 'F33'"))
    try writeRaw(path, header: #"{"x":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}"#, body: Array(repeating: 0, count: 8))
    #expect(openError(path).contains("'shape'"))
    try writeRaw(path, header: #"{"x":{"dtype":"F32","shape":[1.5],"data_offsets":[0,8]}}"#, body: Array(repeating: 0, count: 8))
    #expect(openError(path).contains("'shape'"))
    try writeRaw(path, header: #"{"x":{"dtype":"F32","data_offsets":[0,8]}}"#, body: Array(repeating: 0, count: 8))
    #expect(openError(path).contains("missing field 'shape'"))
}

@Test func offsetsThatDisagreeWithShapeOrOverlapAreReported() throws {
    let dir = try makeTempDir()
    let path = dir + "/o.safetensors"
    try writeRaw(path, header: #"{"x":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, body: Array(repeating: 0, count: 8))
    #expect(openError(path).contains("needs 12"))
    try writeRaw(path, header: #"{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"y":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#,
                 body: Array(repeating: 0, count: 8))
    #expect(openError(path).contains("overlap"))
    try writeRaw(path, header: #"{"x":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, body: Array(repeating: 0, count: 8))
    #expect(openError(path).contains("gap"))
    try writeRaw(path, header: #"{"x":{"dtype":"F32","shape":[1],"data_offsets":[8,4]}}"#, body: Array(repeating: 0, count: 8))
    #expect(openError(path).contains("end before they begin"))
    try writeRaw(path, header: oneTensor, body: Array(repeating: 0, count: 12))
    #expect(openError(path).contains("trailing bytes"))
}

@Test func nonStringMetadataIsReported() throws {
    let dir = try makeTempDir()
    let path = dir + "/m.safetensors"
    try writeRaw(path, header: #"{"__metadata__":{"step":3}}"#, body: [])
    #expect(openError(path).contains("'__metadata__' key 'step' must be a string"))
}

@Test func floatsOfANonF32TensorNamesTensorAndDtype() throws {
    let dir = try makeTempDir()
    let path = dir + "/i.safetensors"
    try writeRaw(path, header: #"{"ids":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}"#, body: [7, 0, 0, 0, 0, 0, 0, 0])
    let file = try SafeTensorsFile(path: path)
    let error = safeTensorsError { _ = try file.floats("ids") }
    #expect(error?.message == "tensor 'ids' has dtype I64, expected F32")
    #expect(safeTensorsError { _ = try file.floats("nope") }?.message == "no tensor named 'nope'")
    #expect(try file.withRawBytes("ids") { $0.first } == 7)
}

@Test func unalignedDataSectionStillReadsCorrectly() throws {
    // Header of odd length: the data section starts at an address that is not 4-byte aligned.
    let dir = try makeTempDir()
    let path = dir + "/u.safetensors"
    let header = #"{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}} "#
    #expect((8 + header.utf8.count) % 4 != 0)
    var body: [UInt8] = []
    for v: Float in [1.25, -3] { withUnsafeBytes(of: v.bitPattern.littleEndian) { body += $0 } }
    try writeRaw(path, header: header, body: body)
    #expect(try SafeTensorsFile(path: path).floats("x") == [1.25, -3])
}
