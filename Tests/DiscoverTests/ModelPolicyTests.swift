import Foundation
import Model
import Testing
@testable import Discover

// The model-backed policy on a micro model (vocab 23, d_model 16, 1 layer, 2 streams): every test runs in
// milliseconds. Ids 0–3 are PAD/UNK/BOS/EOS; the codec maps 'a'... onto ids 4–22.

private let vocab = 23

private func microModel(seed: UInt64 = 11) -> MHCModel {
    let config = ModelConfig(vocabSize: vocab, dModel: 16, nLayers: 1, nHeads: 2, ffnHidden: 24, maxSeqLen: 24,
                             ropeTheta: 10000, normEps: 1e-5, tieEmbeddings: true, nStreams: 2, sinkhornIters: 6)
    let model = MHCModel(config: config, seed: seed)
    // Move every parameter off its initialisation so that all of them carry gradient.
    var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
    for info in model.params.infos {
        let v = model.params.view(info.name)
        for i in 0..<v.count {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            v[i] += 0.2 * (Float(Double(state >> 11) / Double(1 << 53)) * 2 - 1)
        }
    }
    return model
}

private let codec = TextCodec(
    encode: { text in text.unicodeScalars.map { Int32(4 + Int($0.value) % (vocab - 4)) } },
    decode: { ids in String(ids.map { Character(UnicodeScalar(UInt8(97 + Int($0) % 26))) }) })

private func policy(seed: UInt64 = 11) -> ModelPolicy {
    ModelPolicy(model: microModel(seed: seed), codec: codec, microBatch: 2)
}

/// Three fixed completions with advantages of both signs and sampler log-probs that differ from the
/// current ones (ratios ≠ 1), so every term of the loss is exercised.
private func fixedBatch(_ p: ModelPolicy) async throws -> [PolicyExample] {
    let completions = [
        SampledCompletion(text: "", promptTokens: [2, 5, 9, 4], tokens: [7, 8, 3], samplerLogProbs: [0, 0, 0]),
        SampledCompletion(text: "", promptTokens: [2, 11], tokens: [12, 13, 14, 15, 16], samplerLogProbs: [0, 0, 0, 0, 0]),
        SampledCompletion(text: "", promptTokens: [2, 6, 6, 6, 6, 6], tokens: [20], samplerLogProbs: [0]),
    ]
    let current = try await p.currentLogProbs(completions)
    let advantages: [[Float]] = [[1.5, -0.5, 0.7], [-1, 0.3, 2, -0.2, 0.9], [1.2]]
    return zip(zip(completions, current), advantages).map { pair, adv in
        var c = pair.0
        c.samplerLogProbs = pair.1.enumerated().map { $0.element - 0.05 * Float($0.offset + 1) }
        return PolicyExample(completion: c, advantages: adv)
    }
}

@Test func policyGradientMatchesCentralFiniteDifferencesThroughTheModel() async throws {
    let p = policy()
    let batch = try await fixedBatch(p)
    let stats = try p.lossAndGradient(batch)
    #expect(stats.tokens == 9)
    let grads = Array(UnsafeBufferPointer(start: p.model.grads.data, count: p.model.grads.count))
    // The 12 coordinates with the largest gradients (spread over the tensors that matter most).
    let picked = grads.indices.sorted { abs(grads[$0]) > abs(grads[$1]) }.prefix(12)
    let h: Float = 1e-2
    for i in picked {
        let saved = p.model.params.data[i]
        p.model.params.data[i] = saved + h
        let up = try p.lossAndGradient(batch).loss
        p.model.params.data[i] = saved - h
        let down = try p.lossAndGradient(batch).loss
        p.model.params.data[i] = saved
        let numeric = (up - down) / (2 * Double(h))
        // Float32 forward passes: the loss is O(1) with ~1e-6 relative rounding, so the difference quotient
        // carries ~1e-4 absolute noise at h = 1e-2; the O(h²) truncation is ~1e-4 relative. 3% + 2e-4 covers
        // both with a wide margin while still catching any wrong term (those are O(1) relative).
        #expect(abs(numeric - Double(grads[i])) <= 0.03 * abs(Double(grads[i])) + 2e-4,
                "parameter \(i): analytic \(grads[i]), numeric \(numeric)")
    }
}

@Test func aStepRaisesTheLogProbOfPositivelyRewardedTokensAndLowersTheLoss() async throws {
    let p = policy()
    let c = SampledCompletion(text: "", promptTokens: [2, 5, 6], tokens: [9, 10, 11], samplerLogProbs: [0, 0, 0])
    let before = try await p.currentLogProbs([c])[0]
    let good = PolicyExample(completion: SampledCompletion(text: "", promptTokens: c.promptTokens, tokens: c.tokens,
                                                          samplerLogProbs: before), advantages: [1, 1, 1])
    let lossBefore = try p.lossAndGradient([good]).loss
    for _ in 0..<3 { _ = try await p.step([good], learningRate: 1e-2) }
    let after = try await p.currentLogProbs([c])[0]
    #expect(after.reduce(0, +) > before.reduce(0, +) + 0.1, "log-probs \(before) → \(after)")
    #expect(try p.lossAndGradient([good]).loss < lossBefore)
}

@Test func baseLogProbsStayFrozenWhileTheCurrentPolicyMoves() async throws {
    let p = policy()
    let batch = try await fixedBatch(p)
    let completions = batch.map(\.completion)
    let base0 = try await p.baseLogProbs(completions)
    let current0 = try await p.currentLogProbs(completions)
    #expect(base0 == current0)
    for _ in 0..<2 { _ = try await p.step(batch, learningRate: 1e-2) }
    #expect(try await p.baseLogProbs(completions) == base0)
    let current1 = try await p.currentLogProbs(completions)
    let moved = zip(current1.joined(), current0.joined()).map { abs($0 - $1) }.max() ?? 0
    #expect(moved > 1e-3)
}

@Test func saveThenLoadRestoresWeightsMomentsAndStepCount() async throws {
    let dir = NSTemporaryDirectory() + "model-policy-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let a = policy()
    let batch = try await fixedBatch(a)
    _ = try await a.step(batch, learningRate: 1e-2)
    try a.save(to: dir + "/p.safetensors")
    let b = policy()   // same starting weights, no steps
    try b.load(from: dir + "/p.safetensors")
    #expect(b.optimizer.stepCount == 1)
    let n = a.model.params.count
    #expect(Array(UnsafeBufferPointer(start: a.model.params.data, count: n))
            == Array(UnsafeBufferPointer(start: b.model.params.data, count: n)))
    #expect(Array(a.optimizer.m) == Array(b.optimizer.m))
    #expect(Array(a.optimizer.v) == Array(b.optimizer.v))
    // The next step continues identically (bias correction depends on the restored step count).
    _ = try await a.step(batch, learningRate: 1e-2)
    _ = try await b.step(batch, learningRate: 1e-2)
    #expect(Array(UnsafeBufferPointer(start: a.model.params.data, count: n))
            == Array(UnsafeBufferPointer(start: b.model.params.data, count: n)))
    // A file that is not a TTT checkpoint is refused by name.
    try Checkpoint.save(model: microModel(), to: dir + "/plain.safetensors", metadata: [:])
    #expect(throws: DiscoverError.self) { try b.load(from: dir + "/plain.safetensors") }
}

@Test func samplingIsSeededAndItsLogProbsMatchTheTrainingForward() async throws {
    let p = policy()
    let options = SamplingOptions(maxNewTokens: 6, temperature: 1)
    let one = try await p.sample(prompts: ["abc", "hello there"], count: 3, options: options, seed: 5)
    let two = try await p.sample(prompts: ["abc", "hello there"], count: 3, options: options, seed: 5)
    #expect(one == two)
    #expect(one.count == 2 && one.allSatisfy { $0.count == 3 })
    let flat = Array(one.joined())
    #expect(flat.allSatisfy { $0.promptTokens.first == 2 && !$0.tokens.isEmpty && $0.tokens.count <= 6 })
    let current = try await p.currentLogProbs(flat)
    // KV-cached decoding vs one full forward: same math in a different order; Float32 ⇒ ~1e-5.
    let err = zip(current.joined(), flat.flatMap(\.samplerLogProbs)).map { abs($0 - $1) }.max() ?? 0
    #expect(err < 1e-3)
    // A prompt longer than the room left keeps BOS and its last tokens.
    let long = try await p.sample(prompts: [String(repeating: "x", count: 100)], count: 2, options: options, seed: 1)
    #expect(long[0][0].promptTokens.count == 24 - 6)
    #expect(long[0][0].promptTokens.first == 2)
}
