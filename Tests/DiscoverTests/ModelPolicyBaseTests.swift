import Foundation
import Testing
import Model
@testable import Discover

/// π_base is the starting policy for the whole run: optimizer steps move π_θ, never π_base, and the
/// checkpoint metadata the CLI adds travels with every save.
@Suite struct ModelPolicyBaseTests {
    @Test func baseLogProbsStayFrozenWhileTheCurrentPolicyMoves() async throws {
        let p = tinyPolicy()
        let rollouts = try await p.sample(prompts: ["abc", "kl"], count: 3, options: RolloutOptions(maxNewTokens: 5), seed: 3)
        let completions = Array(rollouts.joined())
        let base0 = try await p.baseLogProbs(completions)
        let current0 = try await p.currentLogProbs(completions)
        #expect(base0 == current0)   // same weights, same code path: bit-identical
        let batch = completions.enumerated().map { i, c in
            PolicyExample(completion: c, advantages: [Float](repeating: i % 2 == 0 ? 1 : -1, count: c.tokens.count))
        }
        for _ in 0..<3 { _ = try await p.step(batch, learningRate: 1e-2) }
        #expect(try await p.baseLogProbs(completions) == base0)
        let current1 = try await p.currentLogProbs(completions)
        let moved = zip(current1.joined(), current0.joined()).map { abs($0 - $1) }.max() ?? 0
        #expect(moved > 1e-3, "the current policy did not move (max change \(moved))")
    }

    @Test func checkpointsCarryTheCallersMetadataAndTheOptimizerStepCount() async throws {
        let dir = NSTemporaryDirectory() + "model-policy-meta-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let p = tinyPolicy()
        p.metadata = ["tokenizer_path": "x/spm.model", "stage": "overridden"]
        try p.save(to: dir + "/p.safetensors")
        let saved = try Checkpoint.load(path: dir + "/p.safetensors").metadata
        #expect(saved["tokenizer_path"] == "x/spm.model")
        #expect(saved["stage"] == "ttt")
        #expect(saved["optimizer_steps"] == "0")
    }
}
