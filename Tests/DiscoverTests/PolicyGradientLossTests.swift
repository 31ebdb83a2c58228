import Foundation
import Testing
@testable import Discover
import Randomness

@Suite struct PolicyGradientLossTests {
    // Tiny problem: N = 4 rows, V = 6, with sampler log-probs off the current ones so ratios ≠ 1.
    let n = 4, v = 6
    func fixture() -> (logits: [Float], targets: [Int32], adv: [Float], sampler: [Float]) {
        var rng = SplitMix64(seed: 7)
        let logits = (0..<(n * v)).map { _ in Float(rng.nextUnit() * 4 - 2) }
        let targets: [Int32] = [0, 5, 2, 2]
        let adv: [Float] = [1.5, -0.7, 0.3, -2.0]
        let sampler: [Float] = [-1.2, -2.5, -1.9, -0.8]
        return (logits, targets, adv, sampler)
    }

    /// Naive twin in Double: loss = −Σ exp(logp − logq)·A / tokenCount.
    func naiveLoss(_ logits: [Double], _ f: (logits: [Float], targets: [Int32], adv: [Float], sampler: [Float]),
                   tokenCount: Int) -> Double {
        var loss = 0.0
        for t in 0..<n {
            let row = logits[(t * v)..<((t + 1) * v)]
            let logZ = log(row.reduce(0) { $0 + exp($1) })
            let logp = row[t * v + Int(f.targets[t])] - logZ
            loss -= exp(logp - Double(f.sampler[t])) * Double(f.adv[t]) / Double(tokenCount)
        }
        return loss
    }

    func compute(_ logits: [Float], _ f: (logits: [Float], targets: [Int32], adv: [Float], sampler: [Float]),
                 tokenCount: Int, grad: inout [Float]) -> PolicyGradientLoss {
        logits.withUnsafeBufferPointer { l in
            grad.withUnsafeMutableBufferPointer { d in
                PolicyGradientLoss.compute(logits: l.baseAddress!, rows: n, vocab: v, targets: f.targets,
                                           advantages: f.adv, samplerLogProbs: f.sampler, tokenCount: tokenCount,
                                           dLogits: d.baseAddress!)
            }
        }
    }

    @Test func lossMatchesNaiveTwin() {
        let f = fixture()
        var grad = [Float](repeating: 0, count: n * v)
        let r = compute(f.logits, f, tokenCount: 10, grad: &grad)
        // Float logits, Double accumulation: agreement to ~1e-6 relative.
        #expect(abs(r.loss - naiveLoss(f.logits.map(Double.init), f, tokenCount: 10)) < 1e-5)
    }

    @Test func gradientMatchesCentralFiniteDifferences() {
        let f = fixture()
        var grad = [Float](repeating: 0, count: n * v)
        _ = compute(f.logits, f, tokenCount: 7, grad: &grad)
        // Central differences on the Double twin, h = 1e-4: truncation O(h²) ≈ 1e-8; the analytic gradient
        // is evaluated in Float (expf, ~1e-7 relative), so 1e-5 absolute on entries of size ≲ 1 is ample.
        let base = f.logits.map(Double.init)
        let h = 1e-4
        var worst = 0.0
        for i in 0..<(n * v) {
            var plus = base, minus = base
            plus[i] += h
            minus[i] -= h
            let fd = (naiveLoss(plus, f, tokenCount: 7) - naiveLoss(minus, f, tokenCount: 7)) / (2 * h)
            worst = max(worst, abs(fd - Double(grad[i])))
        }
        #expect(worst < 1e-5)
    }

    @Test func gradientMatchesFiniteDifferencesOfTheKernelItself() {
        // Same check through the Float kernel: h = 1e-2 keeps Float rounding (~1e-7·|loss|/h) near 1e-5 and
        // truncation (h²·|f'''|/6) below 1e-4; tolerance 1e-3.
        let f = fixture()
        var grad = [Float](repeating: 0, count: n * v)
        _ = compute(f.logits, f, tokenCount: 4, grad: &grad)
        var scratch = [Float](repeating: 0, count: n * v)
        for i in 0..<(n * v) {
            var plus = f.logits, minus = f.logits
            plus[i] += 0.01
            minus[i] -= 0.01
            let fd = (compute(plus, f, tokenCount: 4, grad: &scratch).loss
                      - compute(minus, f, tokenCount: 4, grad: &scratch).loss) / 0.02
            #expect(abs(fd - Double(grad[i])) < 1e-3)
        }
    }

    @Test func ratioIsOneOnTheFirstPass() {
        var f = fixture()
        // Sampler log-probs equal to the current ones → every ratio is 1, loss = −Σ A / tokens.
        for t in 0..<n {
            let row = f.logits[(t * v)..<((t + 1) * v)].map(Double.init)
            let logZ = log(row.reduce(0) { $0 + exp($1) })
            f.sampler[t] = Float(row[Int(f.targets[t])] - logZ)
        }
        var grad = [Float](repeating: 0, count: n * v)
        let r = compute(f.logits, f, tokenCount: n, grad: &grad)
        #expect(abs(r.meanRatio - 1) < 1e-5)
        #expect(abs(r.loss + Double(f.adv.reduce(0, +)) / Double(n)) < 1e-5)
        // Each row's gradient sums to zero (softmax shift invariance).
        for t in 0..<n { #expect(abs(grad[(t * v)..<((t + 1) * v)].reduce(0, +)) < 1e-6) }
    }
}
