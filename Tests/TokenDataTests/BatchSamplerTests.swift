import Testing
import TokenData

@Suite struct BatchSamplerTests {
    @Test func sameSeedGivesSameOffsetsAndDifferentSeedsDiffer() {
        var a = BatchSampler(count: 10_000, seqLen: 64, seed: 42)
        var b = BatchSampler(count: 10_000, seqLen: 64, seed: 42)
        var c = BatchSampler(count: 10_000, seqLen: 64, seed: 43)
        let first = a.nextOffsets(batch: 16)
        #expect(first == b.nextOffsets(batch: 16))
        #expect(first != c.nextOffsets(batch: 16))
        #expect(a.nextOffsets(batch: 16) != first)  // the stream moves on
    }

    @Test func offsetsCoverEveryValidWindowAndNoMore() {
        // count 12, seqLen 4: windows of 5 tokens start at 0...7.
        var sampler = BatchSampler(count: 12, seqLen: 4, seed: 7)
        let offsets = sampler.nextOffsets(batch: 4000)
        #expect(Set(offsets) == Set(0...7))
        // Uniform: each of 8 starts expects 500 draws; ±25% is > 10 standard deviations (σ ≈ 21), so no flakes.
        for start in 0...7 {
            let n = offsets.filter { $0 == start }.count
            #expect(n > 375 && n < 625, "start \(start) drawn \(n) times")
        }
    }

    @Test func restoringStateResumesExactly() {
        var straight = BatchSampler(count: 5000, seqLen: 32, seed: 9)
        _ = straight.nextOffsets(batch: 8)
        let saved = straight.state
        let expected = (0..<5).map { _ in straight.nextOffsets(batch: 8) }

        var resumed = BatchSampler(count: 5000, seqLen: 32, seed: 12345)
        resumed.state = saved
        #expect((0..<5).map { _ in resumed.nextOffsets(batch: 8) } == expected)
    }

    @Test func batchTargetsAreInputsShiftedByOne() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let writer = try ShardWriter(path: dir.file("t.bin"), width: 2)
        writer.append((0..<300).map { Int32($0) })
        try writer.finish()
        let shard = try ShardReader(path: dir.file("t.bin"))
        var sampler = BatchSampler(count: shard.count, seqLen: 8, seed: 1)
        var inputs = [Int32](repeating: -1, count: 3 * 8), targets = inputs
        let offsets = sampler.nextBatch(from: shard, batch: 3, inputs: &inputs, targets: &targets)
        for (b, o) in offsets.enumerated() {
            #expect(Array(inputs[b * 8..<(b + 1) * 8]) == (o..<o + 8).map { Int32($0) })
            #expect(Array(targets[b * 8..<(b + 1) * 8]) == (o + 1..<o + 9).map { Int32($0) })
        }
    }

    @Test func tooFewTokensIsAClearError() {
        #expect(throws: ShardError.self) { try BatchSampler.validate(count: 64, seqLen: 64, file: "val.bin") }
        #expect(throws: Never.self) { try BatchSampler.validate(count: 65, seqLen: 64, file: "val.bin") }
    }
}
