import Foundation
import Testing
@testable import Model

/// Whole-model gradient checks of the LoRA adapters: the Float32 analytic dA, dB against central finite
/// differences of the independent Double reference (ReferenceModel) run on W + scale·B A merged in Double,
/// along a random unit direction per tensor plus three single elements per tensor.
@Suite struct LoRAGradientTests {
    /// Same error budget as ModelGradientTests: ε = 1e-4 on a Double forward makes the finite difference
    /// exact to ~1e-7; the analytic side is Float32 through the chain plus four sgemms per adapter, so
    /// relative errors up to ~1e-4 of the tensor's gradient norm are expected, and we allow
    /// 5e-4·‖g‖ + 1e-7 (a wrong formula, e.g. a missing scale or transposed A, gives errors of order ‖g‖).
    func check(streams: Int, tied: Bool, rank: Int, alpha: Float?, seed: UInt64) throws {
        let model = try adaptedModel(streams: streams, tied: tied, rank: rank, alpha: alpha, seed: seed)
        let lora = try #require(model.lora)
        let B = 2, T = 5, V = model.config.vocabSize
        let tokens = randomTokens(B * T, vocab: V, seed: seed &+ 10)
        var targets = randomTokens(B * T, vocab: V, seed: seed &+ 11)
        targets[4] = -1
        let logits = model.forward(tokens: tokens, batch: B, seqLen: T)
        var dLogits = [Float](repeating: 0, count: B * T * V)
        _ = crossEntropyLoss(logits: logits.baseAddress!, targets: targets, vocab: V, ignoreIndex: -1, dLogits: &dLogits)
        lora.grads.zero()
        model.backward(dLogits: dLogits)

        var rng = FixtureRandom(seed &+ 12)
        let eps = 1e-4
        for info in lora.params.infos {
            let base = lora.params.view(info.name).map(Double.init)
            let g = lora.grads.view(info.name).map(Double.init)
            let gNorm = g.reduce(0) { $0 + $1 * $1 }.squareRoot()
            var d = (0..<info.count).map { _ in rng.symmetric() }
            let dn = d.reduce(0) { $0 + $1 * $1 }.squareRoot()
            var dirs = [d.map { $0 / dn }]
            for _ in 0..<3 {
                d = [Double](repeating: 0, count: info.count)
                d[Int(rng.next() % UInt64(info.count))] = 1
                dirs.append(d)
            }
            for dir in dirs {
                let plus = mergedReference(model, adapters: [info.name: zip(base, dir).map { $0 + eps * $1 }])
                let minus = mergedReference(model, adapters: [info.name: zip(base, dir).map { $0 - eps * $1 }])
                let fd = (plus.loss(tokens: tokens, targets: targets, B: B, T: T)
                          - minus.loss(tokens: tokens, targets: targets, B: B, T: T)) / (2 * eps)
                let analytic = zip(g, dir).reduce(0) { $0 + $1.0 * $1.1 }
                #expect(abs(fd - analytic) <= 5e-4 * gNorm + 1e-7,
                        "\(info.name): finite difference \(fd) vs analytic \(analytic) (‖g‖ = \(gNorm))")
            }
            #expect(gNorm > 0, "\(info.name) has an all-zero gradient")
        }
    }

    @Test func adapterGradientsMatchFiniteDifferencesWithMHCStreams() throws {
        try check(streams: 3, tied: true, rank: 3, alpha: nil, seed: 70)
    }

    @Test func adapterGradientsMatchFiniteDifferencesWithOneStreamUntiedHead() throws {
        try check(streams: 1, tied: false, rank: 2, alpha: 5, seed: 80)
    }

    /// Skipping the base weight gradients changes nothing for the adapters (bit for bit) and leaves the
    /// skipped matrices' gradients untouched.
    @Test func adapterGradientsDoNotNeedTheBaseWeightGradients() throws {
        let model = try adaptedModel(streams: 2, seed: 90)
        let lora = try #require(model.lora)
        let tokens = randomTokens(2 * 6, vocab: 13, seed: 91), targets = randomTokens(2 * 6, vocab: 13, seed: 92)
        func adapterGradients() -> [Float] {
            let logits = model.forward(tokens: tokens, batch: 2, seqLen: 6)
            var dLogits = [Float](repeating: 0, count: 2 * 6 * 13)
            _ = crossEntropyLoss(logits: logits.baseAddress!, targets: targets, vocab: 13, ignoreIndex: -1, dLogits: &dLogits)
            model.grads.zero()
            lora.grads.zero()
            model.backward(dLogits: dLogits)
            return Array(UnsafeBufferPointer(start: lora.grads.data, count: lora.grads.count))
        }
        let withWeights = adapterGradients()
        #expect(model.grads.view("blocks.0.attn.q_proj.weight").contains { $0 != 0 })
        model.baseWeightGradients = false
        #expect(adapterGradients() == withWeights)
        for name in ["tok_emb.weight", "blocks.0.attn.q_proj.weight", "blocks.1.mlp.down_proj.weight"] {
            #expect(model.grads.view(name).allSatisfy { $0 == 0 }, "\(name) got a gradient")
        }
    }
}
