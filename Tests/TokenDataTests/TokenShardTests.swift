import Foundation
import Testing
import TokenData

private func shardError(_ body: () throws -> Void) -> ShardError? {
    do { try body() } catch let e as ShardError { return e } catch { return nil }
    return nil
}

@Suite struct TokenShardTests {
    @Test(arguments: [2, 4])
    func writeThenReadRoundTrips(width: Int) throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("train.bin")
        let maxID: Int32 = width == 2 ? 65_535 : Int32.max
        let tokens: [Int32] = [0, 1, 2, 3, 255, 256, 4095, maxID] + (0..<5000).map { Int32(($0 * 7919) % 4096) }
        let writer = try ShardWriter(path: path, width: width)
        writer.append(Array(tokens[..<3]))
        writer.append(Array(tokens[3...]))
        try writer.finish()

        let reader = try ShardReader(path: path)
        #expect(reader.count == tokens.count)
        #expect(reader.width == width)
        #expect((0..<tokens.count).map { reader[$0] } == tokens)
        #expect(reader.tokens(from: 5, count: 4) == Array(tokens[5..<9]))
        let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int
        #expect(size == 32 + width * tokens.count)
        #expect(dir.contents() == ["train.bin"])  // no temporary file left behind
    }

    @Test func headerIsTheExact32ByteLayout() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("s.bin")
        let writer = try ShardWriter(path: path, width: 2)
        writer.append([0x0102, 0x0304, 7])
        try writer.finish()
        let bytes = [UInt8](FileManager.default.contents(atPath: path)!)
        #expect(Array(bytes[0..<8]) == Array("DSCTOKS".utf8) + [0])
        #expect(Array(bytes[8..<12]) == [1, 0, 0, 0])        // version u32 LE
        #expect(Array(bytes[12..<16]) == [2, 0, 0, 0])       // width u32 LE
        #expect(Array(bytes[16..<24]) == [3, 0, 0, 0, 0, 0, 0, 0])  // count u64 LE
        #expect(Array(bytes[24..<32]) == [UInt8](repeating: 0, count: 8))
        #expect(Array(bytes[32...]) == [0x02, 0x01, 0x04, 0x03, 7, 0])  // little-endian u16 tokens
    }

    @Test func emptyShardIsValid() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let writer = try ShardWriter(path: dir.file("e.bin"), width: 4)
        try writer.finish()
        #expect(try ShardReader(path: dir.file("e.bin")).count == 0)
    }

    @Test func idThatDoesNotFitTheWidthFailsAndLeavesNoFile() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("w.bin")
        let writer = try ShardWriter(path: path, width: 2)
        writer.append([1, 2, 65_536, 3])
        let error = shardError { try writer.finish() }
        #expect(error?.file == path)
        #expect(error?.message.contains("65536") == true)
        #expect(dir.contents().isEmpty)
        let negative = try ShardWriter(path: path, width: 4)
        negative.append([-1])
        #expect(shardError { try negative.finish() } != nil)
        #expect(dir.contents().isEmpty)
    }

    @Test func temporariesOfDeadWritersAreSweptAndLiveOnesKept() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("train.bin")
        // A writer killed by Ctrl-C or kill -9 leaves `.train.bin.tmp-PID-…`. PID 2^22+1 is above Linux's
        // pid_max limit (2^22), so no process has it; this process is alive.
        let dead = try dir.write(".train.bin.tmp-4194305-deadbeef", "partial")
        let live = try dir.write(".train.bin.tmp-\(getpid())-0000live", "in progress")
        let other = try dir.write(".val.bin.tmp-4194305-deadbeef", "another shard's")
        let writer = try ShardWriter(path: path, width: 2)
        writer.append([1, 2])
        try writer.finish()
        #expect(!FileManager.default.fileExists(atPath: dead))
        #expect(FileManager.default.fileExists(atPath: live))
        #expect(FileManager.default.fileExists(atPath: other))
        #expect(try ShardReader(path: path).count == 2)
    }

    @Test func finishReplacesAnExistingShard() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("s.bin")
        let first = try ShardWriter(path: path, width: 2)
        first.append([1, 2, 3])
        try first.finish()
        let second = try ShardWriter(path: path, width: 4)
        second.append([9])
        try second.finish()
        let reader = try ShardReader(path: path)
        #expect(reader.count == 1 && reader.width == 4)
        #expect(dir.contents() == ["s.bin"])
    }

    @Test func unfinishedOrCancelledWriterLeavesNothingUnderTheFinalName() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("c.bin")
        let writer = try ShardWriter(path: path, width: 2)
        writer.append([1, 2, 3])
        #expect(!FileManager.default.fileExists(atPath: path))
        writer.cancel()
        #expect(dir.contents().isEmpty)
        do {
            let dropped = try ShardWriter(path: path, width: 2)
            dropped.append([4])
        }
        #expect(dir.contents().isEmpty)
        #expect(shardError { _ = try ShardWriter(path: path, width: 3) }?.message.contains("width") == true)
    }
}

@Suite struct ShardReaderErrorTests {
    /// A valid 3-token width-2 shard, as bytes, for corrupting.
    private func validShard() -> [UInt8] {
        Array("DSCTOKS".utf8) + [0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0] + [UInt8](repeating: 0, count: 8) + [1, 0, 2, 0, 3, 0]
    }

    private func readError(_ bytes: [UInt8]) throws -> ShardError? {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = try dir.write("bad.bin", bytes: bytes)
        let error = shardError { _ = try ShardReader(path: path) }
        #expect(error?.file == path)
        return error
    }

    @Test func validShardFixtureReads() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let reader = try ShardReader(path: try dir.write("ok.bin", bytes: validShard()))
        #expect((0..<reader.count).map { reader[$0] } == [1, 2, 3])
    }

    @Test func wrongMagicIsRejected() throws {
        var bytes = validShard()
        bytes[0] = UInt8(ascii: "X")
        #expect(try readError(bytes)?.message.contains("magic") == true)
        #expect(try readError(Array("{\"not\": \"a shard\", \"padding\": 0000}".utf8))?.message.contains("magic") == true)
    }

    @Test func wrongVersionIsRejected() throws {
        var bytes = validShard()
        bytes[8] = 2
        #expect(try readError(bytes)?.message.contains("version 2") == true)
    }

    @Test func invalidWidthIsRejected() throws {
        var bytes = validShard()
        bytes[12] = 3
        #expect(try readError(bytes)?.message.contains("width 3") == true)
    }

    @Test func truncatedBodyIsRejected() throws {
        #expect(try readError(Array(validShard().dropLast(1)))?.message.contains("truncated body") == true)
        var bytes = validShard()
        bytes[23] = 0x40  // count of 2^62 tokens: overflows, must not crash
        #expect(try readError(bytes)?.message.contains("truncated body") == true)
    }

    @Test func truncatedHeaderAndTrailingBytesAreRejected() throws {
        #expect(try readError(Array(validShard().prefix(20)))?.message.contains("truncated header") == true)
        #expect(try readError(validShard() + [9, 9])?.message.contains("unexpected bytes") == true)
    }

    @Test func missingFileIsAnErrorNamingIt() {
        let error = shardError { _ = try ShardReader(path: "/nonexistent/val.bin") }
        #expect(error?.description == "/nonexistent/val.bin: no such shard file")
    }
}
