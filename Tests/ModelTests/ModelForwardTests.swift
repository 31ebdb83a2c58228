import Foundation
import Testing
@testable import Model
import Tensor

@Suite struct ModelForwardTests {
    /// Float32 forward vs the Double reference on O(1) activations: expected differences are a few
    /// float roundoffs per op (~1e-6 relative); 1e-4 absolute leaves headroom yet catches any wrong term.
    func expectMatchesReference(_ config: ModelConfig, seed: UInt64) {
        let model = MHCModel(config: config, seed: seed)
        scramble(model.params, seed: seed + 1)
        let B = 2, T = 6
        let tokens = randomTokens(B * T, vocab: config.vocabSize, seed: seed + 2)
        let logits = Array(model.forward(tokens: tokens, batch: B, seqLen: T))
        let ref = ReferenceModel(config: config, params: model.params).logits(tokens: tokens, B: B, T: T)
        let maxDiff = zip(logits, ref).map { abs(Double($0) - $1) }.max()!
        let scale = ref.map(abs).max()!
        #expect(scale > 0.1, "logits too small to be a meaningful comparison")
        #expect(maxDiff < 1e-4, "max |logit − reference| = \(maxDiff)")
    }

    @Test func oneStreamIsAPlainPreNormResidualTransformer() {
        // The reference with n = 1 is exactly X ← X + f(RMSNorm(X)) with no mHC parameters at all.
        let config = tinyConfig(streams: 1)
        #expect(!ParameterLayout.tensors(for: config).contains { $0.name.contains("_hc.") })
        expectMatchesReference(config, seed: 5)
        expectMatchesReference(tinyConfig(streams: 1, tied: false), seed: 6)
    }

    @Test func mhcForwardMatchesReference() {
        expectMatchesReference(tinyConfig(streams: 4), seed: 7)
        expectMatchesReference(tinyConfig(streams: 2, tied: false), seed: 8)
    }

    @Test func freshMHCModelEqualsTheSameWeightsWithOneStream() {
        // Spec initialisation makes H_pre = 1/n, H_post = 1, H_res ≈ I (off-diagonal logits −8, so ≈ 3e-4·(n−1)
        // off-diagonal mass): an mHC model at init computes almost the plain residual network.
        let mhc = MHCModel(config: tinyConfig(streams: 4), seed: 3)
        let plain = MHCModel(config: tinyConfig(streams: 1), seed: 99)
        for info in plain.params.infos {
            _ = plain.params.view(info.name).update(fromContentsOf: mhc.params.view(info.name))
        }
        let tokens = randomTokens(12, vocab: 13, seed: 4)
        let a = Array(mhc.forward(tokens: tokens, batch: 2, seqLen: 6))
        let b = Array(plain.forward(tokens: tokens, batch: 2, seqLen: 6))
        let diff = zip(a, b).map { abs($0 - $1) }.max()!
        let scale = b.map(abs).max()!
        #expect(diff < 0.02 * scale, "init mHC differs from plain residual by \(diff) (logit scale \(scale))")
        let gains = mhc.amaxGains()
        #expect(abs(gains.forward - 1) < 0.01 && abs(gains.backward - 1) < 0.01, "\(gains)")
    }

    @Test func logitsDoNotChangeInsideALargerBatch() {
        // Each row of every kernel is computed independently of the batch size; sgemm splits work over
        // rows/columns, not over the reduction, so we expect agreement to float roundoff (≤ 1e-6).
        for streams in [1, 4] {
            let config = tinyConfig(streams: streams)
            let model = MHCModel(config: config, seed: 12)
            scramble(model.params, seed: 13)
            let T = 7, V = config.vocabSize
            let seq = randomTokens(T, vocab: V, seed: 14)
            let alone = Array(model.forward(tokens: seq, batch: 1, seqLen: T))
            let batch = randomTokens(T, vocab: V, seed: 15) + seq + randomTokens(2 * T, vocab: V, seed: 16)
            let all = model.forward(tokens: batch, batch: 4, seqLen: T)
            let inside = Array(all[(T * V)..<(2 * T * V)])
            let diff = zip(alone, inside).map { abs($0 - $1) }.max()!
            #expect(diff <= 1e-6, "n=\(streams): max difference \(diff)")
        }
    }

    @Test func backwardAccumulatesIntoGradients() {
        let config = tinyConfig(streams: 3)
        let model = MHCModel(config: config, seed: 17)
        scramble(model.params, seed: 18)
        let tokens = randomTokens(10, vocab: 13, seed: 19)
        let logits = model.forward(tokens: tokens, batch: 2, seqLen: 5)
        var dl = [Float](repeating: 0, count: logits.count)
        _ = crossEntropyLoss(logits: logits.baseAddress!, targets: randomTokens(10, vocab: 13, seed: 20),
                             vocab: 13, ignoreIndex: -1, dLogits: &dl)
        model.grads.zero()
        model.backward(dLogits: dl)
        let once = Array(UnsafeBufferPointer(start: model.grads.data, count: model.grads.count))
        model.backward(dLogits: dl)
        let twice = Array(UnsafeBufferPointer(start: model.grads.data, count: model.grads.count))
        // sgemm with beta = 1 folds the old value in block by block, so the sum is 2·g up to roundoff
        // (≤ a few ulp of the accumulated terms); 1e-5 relative to the largest gradient is ample.
        let scale = once.map(abs).max()!
        let diff = zip(once, twice).map { abs(2 * $0 - $1) }.max()!
        #expect(diff <= 1e-5 * scale, "second backward added \(diff) off from the first (scale \(scale))")
        #expect(once.contains { $0 != 0 })
    }

    @Test func initialisationFollowsTheSpec() {
        let c = ModelConfig(vocabSize: 64, dModel: 32, nLayers: 3, nHeads: 4, ffnHidden: 48, maxSeqLen: 16, nStreams: 4)
        let m = MHCModel(config: c, seed: 1)
        let p = m.params
        #expect(p.view("blocks.0.attn_norm.weight").allSatisfy { $0 == 1 })
        #expect(p.view("blocks.2.mlp_hc.phi").allSatisfy { $0 == 0 })
        #expect(p.view("blocks.1.attn_hc.alpha").allSatisfy { $0 == 0.01 })
        let bias = p.view("blocks.1.mlp_hc.bias")
        #expect(bias[0] == Float(-log(3.0)) && bias[4] == 0)
        #expect(bias[8] == 0 && bias[9] == -8 && bias[13] == 0)
        func std(_ name: String) -> Double {
            let v = p.view(name).map(Double.init)
            return (v.reduce(0) { $0 + $1 * $1 } / Double(v.count)).squareRoot()
        }
        // 1024–2048 samples: the sample std is within ~5% of the true one.
        #expect(abs(std("blocks.0.attn.q_proj.weight") - 0.02) < 0.002)
        #expect(abs(std("blocks.0.mlp.down_proj.weight") - 0.02 / 6.0.squareRoot()) < 0.001)
        #expect(abs(std("tok_emb.weight") - 0.02) < 0.002)
        let again = MHCModel(config: c, seed: 1), other = MHCModel(config: c, seed: 2)
        #expect(Array(again.params.view("tok_emb.weight")) == Array(p.view("tok_emb.weight")))
        #expect(Array(other.params.view("tok_emb.weight")) != Array(p.view("tok_emb.weight")))
    }

    @Test func crossEntropyIgnoresTargetsAndAveragesOverTheRest() {
        let V = 5
        let logits: [Float] = [1, 2, 3, 4, 5, 0, 0, 0, 0, 0, -1, 2, 0.5, 0, 1]
        var d = [Float](repeating: 9, count: 15)
        let r = crossEntropyLoss(logits: logits, targets: [4, -100, 1], vocab: V, ignoreIndex: -100, dLogits: &d)
        func ce(_ row: [Double], _ t: Int) -> Double { log(row.map { exp($0) }.reduce(0, +)) - row[t] }
        let expected = (ce([1, 2, 3, 4, 5], 4) + ce([-1, 2, 0.5, 0, 1], 1)) / 2
        #expect(r.count == 2 && abs(r.loss - expected) < 1e-6)
        #expect(d[5..<10].allSatisfy { $0 == 0 })
        // each counted row of dLogits sums to 0 (softmax − onehot) and carries the 1/count factor
        #expect(abs(d[0..<5].reduce(0, +)) < 1e-6 && abs(d[4] - Float((exp(5.0) / [1.0, 2, 3, 4, 5].map { exp($0) }.reduce(0, +) - 1) / 2)) < 1e-6)
    }
}

@Suite struct ModelThreadingTests {
    @Test func forwardAndBackwardAgreeAcrossThreadCounts() {
        // Row kernels partition rows and sgemm partitions output blocks, so logits agree to roundoff;
        // per-chunk partial sums of the norm-weight and mHC bias/α gradients change order: 1e-5 of the max.
        let config = ModelConfig(vocabSize: 50, dModel: 32, nLayers: 2, nHeads: 4, ffnHidden: 48, maxSeqLen: 80,
                                 nStreams: 4, sinkhornIters: 10)
        let model = MHCModel(config: config, seed: 50)
        scramble(model.params, seed: 51)
        let B = 3, T = 70
        let tokens = randomTokens(B * T, vocab: 50, seed: 52), targets = randomTokens(B * T, vocab: 50, seed: 53)
        func run(_ threads: Int) -> (logits: [Float], grads: [Float]) {
            let before = Parallel.threads
            Parallel.setThreads(threads)
            defer { Parallel.setThreads(before) }
            let logits = model.forward(tokens: tokens, batch: B, seqLen: T)
            var d = [Float](repeating: 0, count: logits.count)
            _ = crossEntropyLoss(logits: logits.baseAddress!, targets: targets, vocab: 50, ignoreIndex: -1, dLogits: &d)
            model.grads.zero()
            model.backward(dLogits: d)
            return (Array(logits), Array(UnsafeBufferPointer(start: model.grads.data, count: model.grads.count)))
        }
        let one = run(1), four = run(4)
        #expect(zip(one.logits, four.logits).map { abs($0 - $1) }.max()! <= 1e-5)
        let scale = one.grads.map(abs).max()!
        #expect(zip(one.grads, four.grads).map { abs($0 - $1) }.max()! <= 1e-5 * scale)
    }
}

@Suite struct ActivationReuseTests {
    @Test func smallerShapeAfterALargerOneGivesBitIdenticalResults() {
        // The activation memory of a larger call is re-carved for a smaller one without clearing it, so any
        // buffer that relied on zero initialisation would show up here as a difference.
        for streams in [1, 3] {
            let config = tinyConfig(streams: streams)
            let fresh = MHCModel(config: config, seed: 60), reused = MHCModel(config: config, seed: 60)
            scramble(fresh.params, seed: 61); reused.params.copy(from: fresh.params)
            func step(_ m: MHCModel, _ tokens: [Int32], _ B: Int, _ T: Int) -> ([Float], [Float]) {
                let logits = m.forward(tokens: tokens, batch: B, seqLen: T)
                var d = [Float](repeating: 0, count: logits.count)
                _ = crossEntropyLoss(logits: logits.baseAddress!, targets: tokens.reversed(), vocab: 13, ignoreIndex: -1, dLogits: &d)
                m.grads.zero()
                m.backward(dLogits: d)
                return (Array(logits), Array(UnsafeBufferPointer(start: m.grads.data, count: m.grads.count)))
            }
            _ = step(reused, randomTokens(3 * 8, vocab: 13, seed: 62), 3, 8)
            let small = randomTokens(2 * 5, vocab: 13, seed: 63)
            let a = step(fresh, small, 2, 5), b = step(reused, small, 2, 5)
            #expect(a.0 == b.0 && a.1 == b.1, "n=\(streams)")
        }
    }
}
