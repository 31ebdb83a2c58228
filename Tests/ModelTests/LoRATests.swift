import Foundation
import Testing
@testable import Model

/// LoRA adapters on the forward and decoding paths, and their settings.
@Suite struct LoRATests {
    @Test(arguments: [1, 3])
    func freshAdaptersLeaveLogitsBitIdentical(streams: Int) throws {
        // B = 0 makes every adapter term exactly +0.0, so no logit may change by even one ulp.
        let model = MHCModel(config: tinyConfig(streams: streams), seed: 4)
        scramble(model.params, seed: 5)
        let tokens = randomTokens(2 * 7, vocab: 13, seed: 6)
        let plain = Array(model.forward(tokens: tokens, batch: 2, seqLen: 7))
        let plainDecode = decodeAll(model, tokens: Array(tokens[0..<7]))
        model.lora = try LoRAAdapters(model: model.config, lora: LoRAConfig(rank: 4, seed: 9))
        #expect(model.lora!.params.view("blocks.1.mlp.down_proj.A").contains { $0 != 0 })
        #expect(Array(model.forward(tokens: tokens, batch: 2, seqLen: 7)) == plain)
        #expect(decodeAll(model, tokens: Array(tokens[0..<7])) == plainDecode)
    }

    /// Float32 forward of the adapted model vs the Double reference whose weights are W + scale·B A merged
    /// in Double: a few float roundoffs per op on O(1) activations (as ModelForwardTests), so 1e-4 absolute.
    @Test(arguments: [(1, false), (3, true)])
    func adaptedForwardMatchesTheReferenceWithMergedWeights(streams: Int, tied: Bool) throws {
        let model = try adaptedModel(streams: streams, tied: tied, seed: 40)
        let tokens = randomTokens(2 * 6, vocab: 13, seed: 41)
        let logits = Array(model.forward(tokens: tokens, batch: 2, seqLen: 6))
        let ref = mergedReference(model).logits(tokens: tokens, B: 2, T: 6)
        let plain = ReferenceModel(config: model.config, params: model.params).logits(tokens: tokens, B: 2, T: 6)
        let diff = zip(logits, ref).map { abs(Double($0) - $1) }.max()!
        let adapterEffect = zip(plain, ref).map { abs($0 - $1) }.max()!
        #expect(adapterEffect > 0.05, "the adapters barely change the logits (\(adapterEffect)): a weak test")
        #expect(diff < 1e-4, "max |logit − merged reference| = \(diff)")
    }

    /// Merging W + scale·B A into a copy of the weights (what LoRA checkpoints store) gives the unmerged
    /// model's logits up to Float reassociation: 1e-4 absolute as above.
    @Test func mergedWeightsReproduceTheAdaptedModel() throws {
        let model = try adaptedModel(streams: 2, seed: 50)
        let tokens = randomTokens(2 * 8, vocab: 13, seed: 51)
        let unmerged = Array(model.forward(tokens: tokens, batch: 2, seqLen: 8))
        let merged = MHCModel(config: model.config, params: model.lora!.merged(model.params))
        let diff = zip(unmerged, Array(merged.forward(tokens: tokens, batch: 2, seqLen: 8))).map { abs($0 - $1) }.max()!
        #expect(diff < 1e-4, "merged vs unmerged: max |Δlogit| = \(diff)")
        // Merging works on a copy: the model's own weights are untouched.
        let q = model.params.view("blocks.0.attn.q_proj.weight"), mq = merged.params.view("blocks.0.attn.q_proj.weight")
        #expect(Array(q) != Array(mq))
        #expect(Array(model.params.view("final_norm.weight")) == Array(merged.params.view("final_norm.weight")))
    }

    /// KV-cached decoding with adapters vs the full forward, at every position (tolerance as KVCacheTests:
    /// different sgemm shapes and a hand-written attention loop, ~1e-6 relative; 1e-4 absolute).
    @Test(arguments: [1, 3])
    func cachedDecodingAppliesTheAdapters(streams: Int) throws {
        let model = try adaptedModel(streams: streams, seed: 60)
        let V = model.config.vocabSize
        let tokens = randomTokens(8, vocab: V, seed: 61)
        let full = Array(model.forward(tokens: tokens, batch: 1, seqLen: 8))
        let cached = decodeAll(model, tokens: tokens)
        let diff = zip(full, cached).map { abs($0 - $1) }.max()!
        #expect(diff < 1e-4, "cached vs full forward with LoRA: max |Δlogit| = \(diff)")
        // and the adapters matter here: without them the logits differ by far more than the tolerance.
        let lora = model.lora
        model.lora = nil
        let plain = Array(model.forward(tokens: tokens, batch: 1, seqLen: 8))
        model.lora = lora
        #expect(zip(plain, cached).map { abs($0 - $1) }.max()! > 0.05)
    }

    @Test func settingsThatDoNotFitTheModelNameTheFlag() throws {
        let c = tinyConfig(streams: 2)      // d_model 8, ffn_hidden 12
        func message(_ lora: LoRAConfig) -> String? {
            do { try lora.validate(for: c); return nil } catch { return error.description }
        }
        #expect(message(LoRAConfig(rank: -1))?.contains("--lora-rank must be positive") == true)
        #expect(message(LoRAConfig(rank: 0))?.contains("0 means full fine-tuning") == true)
        let tooBig = try #require(message(LoRAConfig(rank: 9)))
        #expect(tooBig.contains("--lora-rank 9") && tooBig.contains("d_model 8"), "\(tooBig)")
        #expect(message(LoRAConfig(rank: 8)) == nil)
        #expect(message(LoRAConfig(rank: 2, alpha: 0))?.contains("--lora-alpha") == true)
        #expect(throws: LoRAError.self) { try LoRAAdapters(model: c, lora: LoRAConfig(rank: 9)) }
        #expect(LoRAConfig(rank: 4).scale == 2 && LoRAConfig(rank: 4, alpha: 4).scale == 1)
    }

    @Test func adapterLayoutCoversTheSevenProjectionsOfEveryBlock() throws {
        let c = tinyConfig(streams: 1)
        let lora = try LoRAAdapters(model: c, lora: LoRAConfig(rank: 2))
        #expect(lora.count == 7 * c.nLayers && lora.params.infos.count == 14 * c.nLayers)
        #expect(lora.params.info("blocks.1.mlp.down_proj.A")?.shape == [2, c.ffnHidden])
        #expect(lora.params.info("blocks.1.mlp.down_proj.B")?.shape == [c.dModel, 2])
        #expect(lora.params.info("blocks.0.attn.k_proj.A")?.shape == [2, c.dModel])
        #expect(lora.weightName(3) == "blocks.0.attn.o_proj.weight")
        #expect(lora.params.infos.filter { $0.name.hasSuffix(".B") }.allSatisfy { lora.params.view($0.name).allSatisfy { $0 == 0 } })
        // A ~ U(−1/√I, 1/√I)
        let a = lora.params.view("blocks.0.mlp.down_proj.A")
        #expect(a.allSatisfy { abs($0) <= 1 / Float(c.ffnHidden).squareRoot() })
    }
}

/// Logits [T·V] of one sequence decoded token by token through the KV cache (prefill of its first token).
func decodeAll(_ model: MHCModel, tokens: [Int32]) -> [Float] {
    let state = model.makeDecodeState(batch: 1, capacity: tokens.count)
    var out = Array(model.prefill(state, tokens: [tokens[0]], promptLens: [1], paddedLength: 1))
    for t in 1..<tokens.count { out += Array(model.decodeStep(state, tokens: [tokens[t]])) }
    return out
}
