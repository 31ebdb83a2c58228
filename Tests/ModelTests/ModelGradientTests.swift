import Foundation
import Testing
@testable import Model

/// Whole-model gradient checks: the Float32 analytic gradient of every parameter tensor against central
/// finite differences of the independent Double reference (ReferenceModel), along a random unit
/// direction per tensor plus three single elements per tensor.
@Suite struct ModelGradientTests {
    /// ε = 1e-4 on a Double forward: truncation error O(ε²·f''') ≈ 1e-8 and rounding ≈ 1e-16/ε ≈ 1e-12,
    /// so the finite difference is exact to ~1e-7. The analytic side runs in Float32 (unit roundoff 6e-8)
    /// through ~30 chained ops on O(1) activations; relative errors up to ~1e-4 of the tensor's gradient
    /// norm are expected (measured: ≤ 4e-5), so we allow 5e-4·‖g‖ + 1e-7 (a wrong formula gives errors of order ‖g‖).
    func check(streams: Int, tied: Bool, seed: UInt64) {
        let config = tinyConfig(streams: streams, tied: tied)
        let model = MHCModel(config: config, seed: seed)
        scramble(model.params, seed: seed &+ 1)
        let B = 2, T = 5, V = config.vocabSize
        let tokens = randomTokens(B * T, vocab: V, seed: seed &+ 2)
        var targets = randomTokens(B * T, vocab: V, seed: seed &+ 3)
        targets[3] = -1                                            // one ignored position
        let logits = model.forward(tokens: tokens, batch: B, seqLen: T)
        var dLogits = [Float](repeating: 0, count: B * T * V)
        _ = crossEntropyLoss(logits: logits.baseAddress!, targets: targets, vocab: V, ignoreIndex: -1, dLogits: &dLogits)
        model.grads.zero()
        model.backward(dLogits: dLogits)

        let ref = ReferenceModel(config: config, params: model.params)
        var rng = FixtureRandom(seed &+ 4)
        let eps = 1e-4
        for info in model.params.infos {
            let g = model.grads.view(info.name).map(Double.init)
            let gNorm = g.reduce(0) { $0 + $1 * $1 }.squareRoot()
            var dirs: [[Double]] = []
            var d = (0..<info.count).map { _ in rng.symmetric() }
            let dn = d.reduce(0) { $0 + $1 * $1 }.squareRoot()
            d = d.map { $0 / dn }
            dirs.append(d)
            for _ in 0..<3 {
                var e = [Double](repeating: 0, count: info.count)
                e[Int(rng.next() % UInt64(info.count))] = 1
                dirs.append(e)
            }
            for dir in dirs {
                var plus = ref, minus = ref
                plus.weights[info.name] = zip(ref.weights[info.name]!, dir).map { $0 + eps * $1 }
                minus.weights[info.name] = zip(ref.weights[info.name]!, dir).map { $0 - eps * $1 }
                let fd = (plus.loss(tokens: tokens, targets: targets, B: B, T: T)
                          - minus.loss(tokens: tokens, targets: targets, B: B, T: T)) / (2 * eps)
                let analytic = zip(g, dir).reduce(0) { $0 + $1.0 * $1.1 }
                if ProcessInfo.processInfo.environment["GRADCHECK_VERBOSE"] != nil { print("GC", info.name, abs(fd - analytic) / max(gNorm, 1e-30), analytic) }
                #expect(abs(fd - analytic) <= 5e-4 * gNorm + 1e-7,
                        "\(info.name): finite difference \(fd) vs analytic \(analytic) (‖g‖ = \(gNorm))")
            }
            #expect(gNorm > 0, "\(info.name) has an all-zero gradient")
        }
    }

    @Test func gradientsMatchFiniteDifferencesWithMHCStreams() { check(streams: 3, tied: true, seed: 11) }
    @Test func gradientsMatchFiniteDifferencesWithOneStreamUntiedHead() { check(streams: 1, tied: false, seed: 21) }
    @Test func gradientsMatchFiniteDifferencesWithFourStreamsUntiedHead() { check(streams: 4, tied: false, seed: 31) }
}
