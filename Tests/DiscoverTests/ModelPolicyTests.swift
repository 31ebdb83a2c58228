import Foundation
import Testing
import Model
@testable import Discover
import Randomness

/// Letters a…l ↔ ids 4…15 (0–3 are pad/unk/bos/eos); other ids decode to "?".
struct LetterCodec: TextCodec {
    static let letters = Array("abcdefghijkl")
    func encode(_ text: String) -> [Int32] {
        text.compactMap { c in Self.letters.firstIndex(of: c).map { Int32($0 + 4) } }
    }
    func decode(_ ids: [Int32]) -> String {
        String(ids.map { $0 >= 4 && Int($0) - 4 < Self.letters.count ? Self.letters[Int($0) - 4] : "?" })
    }
}

/// A 1-layer, 2-stream model with a 16-id vocabulary: small enough for debug-build tests.
func tinyPolicy(seed: UInt64 = 5) -> ModelPolicy {
    let config = ModelConfig(vocabSize: 16, dModel: 16, nLayers: 1, nHeads: 2, ffnHidden: 32, maxSeqLen: 24,
                             nStreams: 2, sinkhornIters: 5)
    let p = ModelPolicy(model: MHCModel(config: config, seed: seed), codec: LetterCodec())
    p.microBatch = 3
    return p
}

@Suite struct ModelPolicyTests {
    let options = RolloutOptions(maxNewTokens: 6)

    @Test func samplingIsSeededAndItsLogProbsMatchScoring() async throws {
        let p = tinyPolicy()
        let a = try await p.sample(prompts: ["abc", "l"], count: 3, options: options, seed: 7)
        let b = try await p.sample(prompts: ["abc", "l"], count: 3, options: options, seed: 7)
        #expect(a == b && a.count == 2 && a.allSatisfy { $0.count == 3 })
        #expect(a[0][0].promptTokens == [2, 4, 5, 6] && a[1][0].promptTokens == [2, 15])
        let flat = Array(a.joined())
        let current = try await p.currentLogProbs(flat)
        let base = try await p.baseLogProbs(flat)
        // Generation (KV cache, Double log-softmax) vs a full forward: Float-level agreement.
        for (c, s) in zip(current, flat.map(\.samplerLogProbs)) {
            #expect(c.count == s.count)
            for (x, y) in zip(c, s) { #expect(abs(x - y) < 1e-4) }
        }
        #expect(base == current)
        #expect(flat.allSatisfy { !$0.tokens.isEmpty && $0.tokens.count <= 6 })
    }

    @Test func aStepMovesLogProbsInTheAdvantagesDirection() async throws {
        let p = tinyPolicy()
        let c = Array(try await p.sample(prompts: ["ab"], count: 4, options: options, seed: 3).joined())
        let before = try await p.currentLogProbs(c).map { $0.reduce(0, +) }
        let adv: [Float] = [1, -1, 0, 0]
        let batch = c.enumerated().map { PolicyExample(completion: $1, advantages: [Float](repeating: adv[$0], count: $1.tokens.count)) }
        let stats = try await p.step(batch, learningRate: 1e-2)
        #expect(stats.tokens == c.reduce(0) { $0 + $1.tokens.count } && abs(stats.meanRatio - 1) < 1e-4)
        let after = try await p.currentLogProbs(c).map { $0.reduce(0, +) }
        #expect(after[0] > before[0] && after[1] < before[1])
        // π_base stays frozen.
        #expect(try await p.baseLogProbs(c).map { $0.reduce(0, +) } == before)
    }

    /// The packed loss head wired through the model's backward agrees with a directional central finite
    /// difference of the forward-only loss.
    @Test func policyGradientMatchesDirectionalFiniteDifference() async throws {
        let p = tinyPolicy()
        let samples = Array(try await p.sample(prompts: ["abc", "k"], count: 2, options: options, seed: 11).joined())
        // Sampler log-probs shifted so the ratios are not 1; mixed-sign advantages.
        let completions = samples.map {
            SampledCompletion(text: $0.text, promptTokens: $0.promptTokens, tokens: $0.tokens,
                              samplerLogProbs: $0.samplerLogProbs.map { $0 - 0.2 })
        }
        let adv: [[Float]] = completions.enumerated().map { i, c in (0..<c.tokens.count).map { Float((i + $0) % 3) - 0.8 } }
        let tb = try TokenBatch(completions)
        let v = p.model.config.vocabSize
        func loss(_ grads: Bool) -> Double {
            let logits = p.model.forward(tokens: tb.tokens, batch: tb.batch, seqLen: tb.seqLen)
            var d = [Float](repeating: 0, count: tb.batch * tb.seqLen * v)
            let r = d.withUnsafeMutableBufferPointer { dp in
                tb.policyGradient(logits: UnsafePointer(logits.baseAddress!), vocab: v, advantages: adv,
                                  samplerLogProbs: completions.map(\.samplerLogProbs), dLogits: dp.baseAddress!)
            }
            if grads {
                p.model.grads.zero()
                d.withUnsafeBufferPointer { p.model.backward(dLogits: $0.baseAddress!) }
            }
            return r.loss
        }
        _ = loss(true)
        let n = p.model.params.count
        var rng = SplitMix64(seed: 99)
        var dir = (0..<n).map { _ in Float(rng.nextUnit() * 2 - 1) }
        let norm = Float(dir.reduce(0) { $0 + Double($1 * $1) }.squareRoot())
        dir = dir.map { $0 / norm }
        let analytic = (0..<n).reduce(0.0) { $0 + Double(p.model.grads.data[$1]) * Double(dir[$1]) }
        let saved = Array(UnsafeBufferPointer(start: p.model.params.data, count: n))
        let h: Float = 1e-2
        for i in 0..<n { p.model.params.data[i] = saved[i] + h * dir[i] }
        let plus = loss(false)
        for i in 0..<n { p.model.params.data[i] = saved[i] - h * dir[i] }
        let minus = loss(false)
        for i in 0..<n { p.model.params.data[i] = saved[i] }
        let numeric = (plus - minus) / Double(2 * h)
        // Float forward: loss rounding ~1e-7 / (2h) ≈ 1e-5; O(h²) curvature ~1e-4 at this scale.
        #expect(abs(numeric - analytic) < 1e-3 + 0.02 * abs(analytic), "numeric \(numeric) analytic \(analytic)")
        #expect(abs(analytic) > 1e-4)
    }

    @Test func checkpointRestoresWeightsAndOptimizerExactly() async throws {
        let p = tinyPolicy()
        let c = Array(try await p.sample(prompts: ["fed"], count: 3, options: options, seed: 1).joined())
        let batch = c.map { PolicyExample(completion: $0, advantages: [Float](repeating: 0.5, count: $0.tokens.count)) }
        _ = try await p.step(batch, learningRate: 1e-2)
        let path = tempDir("policy") + "/ttt_latest.safetensors"
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        try p.save(to: path)
        let q = tinyPolicy(seed: 6)
        try q.load(from: path)
        let n = p.model.params.count
        #expect(Array(UnsafeBufferPointer(start: q.model.params.data, count: n)) == Array(UnsafeBufferPointer(start: p.model.params.data, count: n)))
        #expect(Array(q.optimizer.m) == Array(p.optimizer.m) && Array(q.optimizer.v) == Array(p.optimizer.v))
        #expect(q.optimizer.stepCount == 1)
        _ = try await p.step(batch, learningRate: 1e-2)
        _ = try await q.step(batch, learningRate: 1e-2)
        #expect(Array(UnsafeBufferPointer(start: q.model.params.data, count: n)) == Array(UnsafeBufferPointer(start: p.model.params.data, count: n)))
    }

    @Test func theLoopRunsOnTheModelPolicy() async throws {
        var config = TTTConfig()
        config.steps = 2
        config.groups = 2
        config.groupSize = 4
        config.learningRate = 1e-2
        config.checkSamplerEvery = 1
        config.sampling = RolloutOptions(maxNewTokens: 4)
        let out = tempDir("model-loop")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let loop = try await TTTDiscover(policy: tinyPolicy(), environment: LetterShareEnvironment(letter: "c"),
                                         config: config, outputDirectory: out)
        var seen: [StepMetrics] = []
        loop.onStep = { seen.append($0) }
        try await loop.run()
        #expect(seen.count == 2 && seen.allSatisfy { $0.samples % 8 == 0 && $0.completionTokens > 0 })
        #expect(seen.contains { $0.loss != nil })
        for m in seen where m.loss != nil { #expect(try #require(m.samplerLogProbError) < 1e-3) }
        #expect(FileManager.default.fileExists(atPath: out + "/ttt_latest.safetensors"))
    }
}
