import Foundation
import Testing
@testable import Tensor

/// Every backward kernel against central finite differences of its Double naive forward twin, for the
/// scalar L = Σ out ⊙ R with random R. The Float backward sees the same Float-rounded inputs; its own
/// roundoff (~1e-6 relative on O(1) gradients) sets the 2e-5 absolute tolerance.
@Suite struct KernelBackwardTests {
    let tol = 2e-5

    @Test func matmulBackwardGivesInputAndWeightGradients() {
        var r = TestRandom(11)
        let N = 4, I = 6, O = 3
        let x = rounded(r.values(N * I)), w = rounded(r.values(O * I)), R = rounded(r.values(N * O))
        var dx = [Float](repeating: 0.5, count: N * I), dw = [Float](repeating: 0.25, count: O * I)
        matmulBackwardInput(&dx, floats(R), floats(w), N: N, I: I, O: O, accumulate: true)
        matmulBackwardWeight(&dw, floats(R), floats(x), N: N, I: I, O: O)
        let gx = numericGradient(x, weights: R) { matmulForwardNaive($0, w, N: N, I: I, O: O) }
        let gw = numericGradient(w, weights: R) { matmulForwardNaive(x, $0, N: N, I: I, O: O) }
        #expect(maxAbsDiff(dx, gx.map { $0 + 0.5 }) < tol)      // accumulate: added to the old 0.5
        #expect(maxAbsDiff(dw, gw.map { $0 + 0.25 }) < tol)     // weight gradient always accumulates
        matmulBackwardInput(&dx, floats(R), floats(w), N: N, I: I, O: O, accumulate: false)
        #expect(maxAbsDiff(dx, gx) < tol)
    }

    @Test func embeddingBackwardScatterAddsRepeatedTokens() {
        var r = TestRandom(12)
        let V = 5, C = 3
        let tokens: [Int32] = [2, 4, 2, 0, 2]
        let table = rounded(r.values(V * C)), R = rounded(r.values(tokens.count * C))
        var dt = [Float](repeating: 0, count: V * C)
        embeddingBackward(&dt, tokens: tokens, dout: floats(R), N: tokens.count, C: C, V: V)
        let g = numericGradient(table, weights: R) { embeddingForwardNaive(tokens: tokens, table: $0, C: C) }
        #expect(maxAbsDiff(dt, g) < tol)
    }

    @Test func rmsnormBackwardGivesInputAndWeightGradients() {
        var r = TestRandom(13)
        let N = 4, C = 10
        let x = rounded(r.values(N * C, scale: 2)), w = rounded(r.values(C)), R = rounded(r.values(N * C))
        var out = [Float](repeating: 0, count: N * C), rstd = [Float](repeating: 0, count: N)
        rmsnormForward(&out, rstd: &rstd, floats(x), weight: floats(w), N: N, C: C, eps: 1e-5)
        var dx = [Float](repeating: 0, count: N * C), dw = [Float](repeating: 0, count: C)
        rmsnormBackward(dx: &dx, dw: &dw, dout: floats(R), x: floats(x), rstd: rstd, weight: floats(w), N: N, C: C, accumulate: false)
        let gx = numericGradient(x, weights: R) { rmsnormForwardNaive($0, weight: w, N: N, C: C, eps: 1e-5) }
        let gw = numericGradient(w, weights: R) { rmsnormForwardNaive(x, weight: $0, N: N, C: C, eps: 1e-5) }
        #expect(maxAbsDiff(dx, gx) < tol)
        #expect(maxAbsDiff(dw, gw) < tol)
    }

    /// The weight gradient accumulates into a non-zero `dw` (as micro-batches do) as (dw + part₀) + part₁, the
    /// per-chunk partial sums added in chunk order, whichever worker finishes first: bit-for-bit equal to that
    /// sum built from two single-threaded calls on the two row halves, on every one of 30 repetitions. (With a
    /// shared accumulator under a lock the order followed thread timing, and TTT runs drifted apart.)
    @Test func rmsnormWeightGradientAddsChunkPartialsInChunkOrder() {
        var r = TestRandom(15)
        let N = 128, C = 24, half = N / 2
        let x = floats(r.values(N * C, scale: 2)), w = floats(r.values(C)), dy = floats(r.values(N * C))
        let start = floats(r.values(C, scale: 3))
        var out = [Float](repeating: 0, count: N * C), rstd = [Float](repeating: 0, count: N)
        let before = Parallel.threads
        defer { Parallel.setThreads(before) }
        Parallel.setThreads(1)
        rmsnormForward(&out, rstd: &rstd, x, weight: w, N: N, C: C, eps: 1e-5)
        var parts: [[Float]] = []
        for h in 0..<2 {
            var dx = [Float](repeating: 0, count: half * C), dw = [Float](repeating: 0, count: C)
            let rows = (h * half * C)..<((h + 1) * half * C)
            rmsnormBackward(dx: &dx, dw: &dw, dout: Array(dy[rows]), x: Array(x[rows]), rstd: Array(rstd[(h * half)..<((h + 1) * half)]),
                            weight: w, N: half, C: C, accumulate: false)
            parts.append(dw)
        }
        let expected = (0..<C).map { (start[$0] + parts[0][$0]) + parts[1][$0] }
        Parallel.setThreads(2)
        #expect(Parallel.chunkCount(N, grain: 32) == 2)
        for _ in 0..<30 {
            var dx = [Float](repeating: 0, count: N * C), dw = start
            rmsnormBackward(dx: &dx, dw: &dw, dout: dy, x: x, rstd: rstd, weight: w, N: N, C: C, accumulate: false)
            #expect(dw == expected)
        }
    }

    @Test func ropeBackwardIsTheInverseRotation() {
        var r = TestRandom(14)
        let B = 1, T = 4, H = 2, D = 4
        let x = rounded(r.values(B * T * H * D)), R = rounded(r.values(B * T * H * D))
        var d = floats(R)
        ropeBackward(&d, tables: RoPETables(maxT: T, headDim: D, theta: 100), B: B, T: T, H: H, D: D)
        let g = numericGradient(x, weights: R) { ropeForwardNaive($0, B: B, T: T, H: H, D: D, theta: 100) }
        #expect(maxAbsDiff(d, g) < tol)
    }

    @Test(arguments: [1, 3, 64])
    func attentionBackwardGivesQueryKeyValueGradients(block: Int) {
        var r = TestRandom(15)
        let B = 2, T = 5, H = 2, D = 2, C = H * D
        let q = rounded(r.values(B * T * C, scale: 2)), k = rounded(r.values(B * T * C, scale: 2))
        let v = rounded(r.values(B * T * C)), R = rounded(r.values(B * T * C))
        var out = [Float](repeating: 0, count: B * T * C), probs = [Float](repeating: 0, count: B * H * T * T)
        attentionForward(&out, probs: &probs, q: floats(q), k: floats(k), v: floats(v), B: B, T: T, H: H, D: D, block: block)
        var dq = [Float](repeating: 9, count: B * T * C), dk = dq, dv = dq      // overwritten, not accumulated
        var scratch = [Float](repeating: 0, count: B * H * T * T)
        attentionBackward(dq: &dq, dk: &dk, dv: &dv, dout: floats(R), q: floats(q), k: floats(k), v: floats(v),
                          probs: probs, scratch: &scratch, B: B, T: T, H: H, D: D, block: block)
        #expect(maxAbsDiff(dq, numericGradient(q, weights: R) { attentionForwardNaive(q: $0, k: k, v: v, B: B, T: T, H: H, D: D) }) < tol)
        #expect(maxAbsDiff(dk, numericGradient(k, weights: R) { attentionForwardNaive(q: q, k: $0, v: v, B: B, T: T, H: H, D: D) }) < tol)
        #expect(maxAbsDiff(dv, numericGradient(v, weights: R) { attentionForwardNaive(q: q, k: k, v: $0, B: B, T: T, H: H, D: D) }) < tol)
    }

    @Test func swigluAndSiluBackward() {
        var r = TestRandom(16)
        let n = 30
        let g = rounded(r.values(n, scale: 4)), u = rounded(r.values(n)), R = rounded(r.values(n))
        var dg = [Float](repeating: 0, count: n), du = dg, ds = dg
        swigluBackward(dgate: &dg, dup: &du, dh: floats(R), gate: floats(g), up: floats(u), count: n)
        siluBackward(&ds, dy: floats(R), x: floats(g), count: n)
        #expect(maxAbsDiff(dg, numericGradient(g, weights: R) { swigluForwardNaive(gate: $0, up: u) }) < tol)
        #expect(maxAbsDiff(du, numericGradient(u, weights: R) { swigluForwardNaive(gate: g, up: $0) }) < tol)
        #expect(maxAbsDiff(ds, numericGradient(g, weights: R) { $0.map { $0 / (1 + exp(-$0)) } }) < tol)
    }

    @Test func softmaxBackwardGivesInputGradient() {
        var r = TestRandom(17)
        let N = 3, V = 6
        let x = rounded(r.values(N * V, scale: 3)), R = rounded(r.values(N * V))
        var y = [Float](repeating: 0, count: N * V), dx = y
        softmaxForward(&y, floats(x), N: N, V: V)
        softmaxBackward(&dx, dy: floats(R), y: y, N: N, V: V)
        #expect(maxAbsDiff(dx, numericGradient(x, weights: R) { softmaxForwardNaive($0, N: N, V: V) }) < tol)
    }

    @Test func crossEntropyGradientIsMeanOverCountedRows() {
        var r = TestRandom(18)
        let N = 4, V = 5
        let x = rounded(r.values(N * V, scale: 3))
        let targets: [Int32] = [4, 0, -1, 2]
        var d = [Float](repeating: 7, count: N * V)
        _ = crossEntropyForwardBackward(logits: floats(x), targets: targets, dlogits: &d, N: N, V: V, ignoreIndex: -1)
        let g = numericGradient(x, weights: [1]) { [crossEntropyNaive(logits: $0, targets: targets, V: V, ignoreIndex: -1)] }
        #expect(maxAbsDiff(d, g) < tol)
    }
}
