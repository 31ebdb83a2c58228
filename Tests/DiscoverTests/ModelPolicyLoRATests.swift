import Foundation
import Testing
import Model
@testable import Discover

/// `tinyPolicy`'s model (same weights for the same seed) trained through LoRA adapters of `rank`.
func tinyLoRAPolicy(seed: UInt64 = 5, rank: Int = 4, alpha: Float? = nil, loraSeed: UInt64 = 1) throws -> ModelPolicy {
    let model = tinyPolicy(seed: seed).model
    let p = try ModelPolicy(model: model, codec: LetterCodec(), lora: LoRAConfig(rank: rank, alpha: alpha, seed: loraSeed))
    p.microBatch = 3
    return p
}

func floats(_ s: ParameterSet) -> [Float] { Array(UnsafeBufferPointer(start: s.data, count: s.count)) }

@Suite struct ModelPolicyLoRATests {
    let options = RolloutOptions(maxNewTokens: 6)

    @Test func aLoRAStepTrainsOnlyTheAdaptersAndLowersTheLoss() async throws {
        let p = try tinyLoRAPolicy()
        let lora = try #require(p.lora)
        let weights = floats(p.model.params)
        #expect(p.optimizer.count == lora.params.count)
        let c = Array(try await p.sample(prompts: ["ab"], count: 4, options: options, seed: 3).joined())
        // A fresh adapter is the base model exactly.
        let before = try await p.currentLogProbs(c)
        #expect(try await p.baseLogProbs(c) == before)
        let adv: [Float] = [1, -1, 0.5, -0.5]
        let batch = c.enumerated().map { PolicyExample(completion: $1, advantages: [Float](repeating: adv[$0], count: $1.tokens.count)) }
        let first = try await p.step(batch, learningRate: 1e-2)
        #expect(first.gradNorm > 0 && abs(first.meanRatio - 1) < 1e-4)
        // The base weights are bit-identical; only B (zero before) and A moved.
        #expect(floats(p.model.params) == weights)
        #expect(lora.params.view("blocks.0.mlp.down_proj.B").contains { $0 != 0 })
        let after = try await p.currentLogProbs(c).map { $0.reduce(0, +) }
        let sums = before.map { $0.reduce(0, +) }
        #expect(after[0] > sums[0] && after[1] < sums[1], "before \(sums) after \(after)")
        // π_base (shared frozen weights, no adapters) is unchanged.
        #expect(try await p.baseLogProbs(c) == before)
        // The policy-gradient loss of the same batch, re-evaluated at the new adapters (lr 0 leaves them).
        let adapters = floats(lora.params)
        let second = try await p.step(batch, learningRate: 0)
        #expect(second.loss < first.loss, "loss \(first.loss) → \(second.loss)")
        #expect(floats(lora.params) == adapters && floats(p.model.params) == weights)
    }

    @Test func checkpointRoundTripRestoresAdaptersAndMomentsAndLoadsAsAMergedModel() async throws {
        let p = try tinyLoRAPolicy()
        let c = Array(try await p.sample(prompts: ["fed"], count: 3, options: options, seed: 1).joined())
        let batch = c.enumerated().map { PolicyExample(completion: $1, advantages: [Float](repeating: $0 == 0 ? 1 : -0.5, count: $1.tokens.count)) }
        _ = try await p.step(batch, learningRate: 1e-2)
        let dir = tempDir("lora-policy")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/ttt_latest.safetensors"
        try p.save(to: path)

        // Resume: a fresh LoRA policy (other A init) over the same starting weights.
        let q = try tinyLoRAPolicy(loraSeed: 99)
        #expect(floats(q.lora!.params) != floats(p.lora!.params))
        try q.load(from: path)
        #expect(floats(q.lora!.params) == floats(p.lora!.params))
        #expect(Array(q.optimizer.m) == Array(p.optimizer.m) && Array(q.optimizer.v) == Array(p.optimizer.v))
        #expect(q.optimizer.stepCount == 1)
        #expect(floats(q.model.params) == floats(p.model.params))
        _ = try await p.step(batch, learningRate: 1e-2)
        _ = try await q.step(batch, learningRate: 1e-2)
        #expect(floats(q.lora!.params) == floats(p.lora!.params))

        // The file is a plain checkpoint of the merged weights: it scores like the adapted policy it came
        // from (the state before the second step), to Float reassociation (1e-4 on log-probs).
        let loaded = try Checkpoint.load(path: path)
        #expect(loaded.metadata["lora_rank"] == "4" && loaded.metadata["lora_alpha"] == "8.0" && loaded.metadata["lora_merged"] == "true")
        #expect(loaded.extra["lora.blocks.0.attn.q_proj.A"]?.count == 4 * 16)
        #expect(loaded.extra["optimizer.v.lora.blocks.0.mlp.up_proj.B"]?.count == 32 * 4)
        let r = try tinyLoRAPolicy(loraSeed: 99)
        try r.load(from: path)
        let merged = ModelPolicy(model: loaded.model, codec: LetterCodec())
        for (x, y) in zip(try await merged.currentLogProbs(c).joined(), try await r.currentLogProbs(c).joined()) {
            #expect(abs(x - y) < 1e-4)
        }
    }

    @Test func resumingWithOtherSettingsOrStartingWeightsIsRefused() async throws {
        let dir = tempDir("lora-refuse")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let p = try tinyLoRAPolicy()
        let c = Array(try await p.sample(prompts: ["a"], count: 3, options: options, seed: 2).joined())
        _ = try await p.step(c.enumerated().map { PolicyExample(completion: $1, advantages: [Float](repeating: Float($0) - 1, count: $1.tokens.count)) },
                             learningRate: 1e-2)
        try p.save(to: dir + "/lora.safetensors")
        try tinyPolicy().save(to: dir + "/full.safetensors")
        func message(_ body: () throws -> Void) -> String {
            do { try body(); return "" } catch { return "\(error)" }
        }
        #expect(message { try tinyPolicy().load(from: dir + "/lora.safetensors") }.contains("--lora-rank 4, this policy has --lora-rank 0"))
        #expect(message { try tinyLoRAPolicy().load(from: dir + "/full.safetensors") }.contains("--lora-rank 0, this policy has --lora-rank 4"))
        #expect(message { try tinyLoRAPolicy(rank: 2).load(from: dir + "/lora.safetensors") }.contains("--lora-rank 2"))
        #expect(message { try tinyLoRAPolicy(alpha: 4).load(from: dir + "/lora.safetensors") }.contains("--lora-alpha"))
        #expect(message { try tinyLoRAPolicy(seed: 6).load(from: dir + "/lora.safetensors") }.contains("resume with the --ckpt"))
        #expect(message { try tinyLoRAPolicy().load(from: dir + "/lora.safetensors") } == "")
    }

    @Test func aRankThatDoesNotFitTheModelIsRefused() throws {
        let model = tinyPolicy().model      // d_model 16, ffn_hidden 32
        #expect(throws: LoRAError.self) { _ = try ModelPolicy(model: model, codec: LetterCodec(), lora: LoRAConfig(rank: 17)) }
        #expect(model.lora == nil)
        var config = TTTConfig()
        config.loraRank = -1
        #expect(throws: DiscoverError.self) { try config.validate() }
        config.loraRank = 0
        config.loraAlpha = 8
        #expect(throws: DiscoverError.self) { try config.validate() }
        config.loraRank = 4
        #expect(config.lora == LoRAConfig(rank: 4, alpha: 8, seed: 0) && config.fingerprint["lora_rank"] == "4")
        config.loraRank = 0
        config.loraAlpha = nil
        #expect(config.lora == nil && config.fingerprint["lora_rank"] == nil)
    }

    /// Two LoRA loop steps straight vs one step, then a resume with a fresh policy: the same adapters bit
    /// for bit; the sampler check (KV-cached sampling vs training forward) stays ~0 with trained adapters.
    @Test func theLoopResumesALoRARunExactly() async throws {
        var config = TTTConfig()
        config.groups = 2
        config.groupSize = 4
        config.learningRate = 1e-2
        config.checkSamplerEvery = 1
        config.sampling = RolloutOptions(maxNewTokens: 4)
        config.loraRank = 4
        let straight = tempDir("lora-straight"), resumed = tempDir("lora-resumed")
        defer {
            try? FileManager.default.removeItem(atPath: straight)
            try? FileManager.default.removeItem(atPath: resumed)
        }
        func run(_ out: String, steps: Int, resume: Bool) async throws -> (ModelPolicy, [StepMetrics]) {
            config.steps = steps
            let policy = try tinyLoRAPolicy(loraSeed: config.seed)
            let loop = try await TTTDiscover(policy: policy, environment: LetterShareEnvironment(letter: "c"),
                                             config: config, outputDirectory: out, resume: resume)
            var seen: [StepMetrics] = []
            loop.onStep = { seen.append($0) }
            try await loop.run()
            return (policy, seen)
        }
        let (a, metrics) = try await run(straight, steps: 2, resume: false)
        _ = try await run(resumed, steps: 1, resume: false)
        let (b, _) = try await run(resumed, steps: 2, resume: true)
        #expect(metrics.contains { $0.loss != nil })
        for m in metrics where m.loss != nil { #expect(try #require(m.samplerLogProbError) < 1e-3) }
        #expect(floats(b.lora!.params) == floats(a.lora!.params))
        #expect(floats(a.lora!.params) != floats(try tinyLoRAPolicy(loraSeed: config.seed).lora!.params))
        let run = try String(contentsOfFile: straight + "/run.json", encoding: .utf8)
        #expect(run.contains("\"lora_rank\"") && run.contains("\"lora_alpha\""))
    }
}
