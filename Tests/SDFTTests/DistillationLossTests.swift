import Foundation
import Testing
@testable import SDFT

/// Naive reference: softmax in Double, then the textbook KL sum.
private func naiveKL(_ s: [Float], _ t: [Float], _ direction: KLDirection) -> Double {
    func probs(_ x: [Float]) -> [Double] {
        let m = Double(x.max()!)
        let e = x.map { Foundation.exp(Double($0) - m) }
        let z = e.reduce(0, +)
        return e.map { $0 / z }
    }
    let ps = probs(s), pt = probs(t)
    let (p, q) = direction == .forward ? (pt, ps) : (ps, pt)
    return zip(p, q).reduce(0) { $0 + $1.0 * Foundation.log($1.0 / $1.1) }
}

private struct LCG {
    var state: UInt64
    mutating func next() -> Float {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Float(Int64(bitPattern: state >> 11) % 2_000_000) / 1_000_000 - 1
    }
}

private func randomLogits(rows: Int, vocab: Int, seed: UInt64, scale: Float = 3) -> [Float] {
    var rng = LCG(state: seed)
    return (0..<rows * vocab).map { _ in rng.next() * scale }
}

@Test(arguments: KLDirection.allCases)
func divergenceMatchesNaiveReference(direction: KLDirection) {
    let rows = 5, vocab = 11
    let s = randomLogits(rows: rows, vocab: vocab, seed: 1)
    let t = randomLogits(rows: rows, vocab: vocab, seed: 2)
    let weights: [Float] = [1, 0.5, 0, 2, 0.25]
    let loss = distillationLoss(student: s, teacher: t, rows: rows, vocab: vocab, weights: weights,
                                direction: direction, dStudent: nil)
    var expected = 0.0
    for i in 0..<rows {
        expected += Double(weights[i]) * naiveKL(Array(s[i * vocab..<(i + 1) * vocab]),
                                                 Array(t[i * vocab..<(i + 1) * vocab]), direction)
    }
    // Both sides compute in Double from the same Float inputs; only summation order differs.
    #expect(abs(loss - expected) < 1e-10)
    #expect(loss > 0)
}

@Test(arguments: KLDirection.allCases)
func divergenceIsZeroForIdenticalDistributions(direction: KLDirection) {
    let s = randomLogits(rows: 3, vocab: 7, seed: 9)
    var grad = [Float](repeating: 1, count: s.count)
    let loss = distillationLoss(student: s, teacher: s.map { $0 + 4 }, rows: 3, vocab: 7, weights: [1, 1, 1],
                                direction: direction, dStudent: &grad)
    // A constant shift leaves the softmax unchanged: KL and its gradient vanish up to Float rounding.
    #expect(abs(loss) < 1e-6)
    #expect(grad.allSatisfy { abs($0) < 1e-6 })
}

@Test(arguments: KLDirection.allCases)
func gradientMatchesCentralDifferences(direction: KLDirection) {
    let rows = 3, vocab = 9
    let s = randomLogits(rows: rows, vocab: vocab, seed: 3)
    let t = randomLogits(rows: rows, vocab: vocab, seed: 4)
    let weights: [Float] = [0.7, 0, 1.3]
    var grad = [Float](repeating: 0, count: s.count)
    _ = distillationLoss(student: s, teacher: t, rows: rows, vocab: vocab, weights: weights,
                         direction: direction, dStudent: &grad)
    // Central differences on Float logits with h = 1e-2: truncation error O(h²·f''') ≈ 1e-4 and rounding
    // error ≈ 1e-7/h ≈ 1e-5 (the loss itself is accumulated in Double). Tolerance 5e-4 absolute.
    let h: Float = 1e-2
    for j in 0..<s.count {
        var plus = s, minus = s
        plus[j] += h
        minus[j] -= h
        let fp = distillationLoss(student: plus, teacher: t, rows: rows, vocab: vocab, weights: weights,
                                  direction: direction, dStudent: nil)
        let fm = distillationLoss(student: minus, teacher: t, rows: rows, vocab: vocab, weights: weights,
                                  direction: direction, dStudent: nil)
        let numeric = (fp - fm) / Double(2 * h)
        #expect(abs(numeric - Double(grad[j])) < 5e-4, "d/ds[\(j)]: numeric \(numeric) analytic \(grad[j])")
    }
    // Masked rows get exactly zero gradient.
    #expect(grad[vocab..<2 * vocab].allSatisfy { $0 == 0 })
}

@Test func forwardAndReverseDiffer() {
    let s = randomLogits(rows: 1, vocab: 6, seed: 5)
    let t = randomLogits(rows: 1, vocab: 6, seed: 6)
    let f = distillationLoss(student: s, teacher: t, rows: 1, vocab: 6, weights: [1], direction: .forward, dStudent: nil)
    let r = distillationLoss(student: s, teacher: t, rows: 1, vocab: 6, weights: [1], direction: .reverse, dStudent: nil)
    #expect(abs(f - r) > 1e-4)
}

@Test func rowWeightsMaskFirstTokensAndAverageSequencesThenBatch() {
    // Three sequences: 5 tokens (2 kept after skipping 3), 3 tokens (none kept), 4 tokens (1 kept).
    let w = sdftRowWeights(completionLengths: [5, 3, 4], skip: 3)
    #expect(w.count == 12)
    #expect(Array(w[0..<3]) == [0, 0, 0])
    #expect(Array(w[3..<5]) == [0.25, 0.25])          // 1 / (2 kept · 2 contributing sequences)
    #expect(Array(w[5..<8]) == [0, 0, 0])              // all within the skipped prefix: left out
    #expect(Array(w[8..<11]) == [0, 0, 0])
    #expect(w[11] == 0.5)                              // 1 / (1 kept · 2 contributing sequences)
    #expect(abs(w.reduce(0, +) - 1) < 1e-6)
}

@Test func rowWeightsWithoutSkipAreAPlainMeanOfMeans() {
    let w = sdftRowWeights(completionLengths: [2, 4], skip: 0)
    #expect(w == [0.25, 0.25, 0.125, 0.125, 0.125, 0.125])
}
