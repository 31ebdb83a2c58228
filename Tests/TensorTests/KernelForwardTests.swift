import Foundation
import Testing
@testable import Tensor

/// Optimized Float kernels against their Double naive twins on the same (Float-rounded) inputs.
/// Tolerance 1e-5 absolute: outputs are O(1) and each kernel adds at most a few hundred Float
/// roundoffs (unit 6e-8) along its longest reduction.
@Suite struct KernelForwardTests {
    @Test func matmulForwardComputesXTimesWTransposed() {
        var r = TestRandom(1)
        let N = 7, I = 13, O = 5
        let x = rounded(r.values(N * I)), w = rounded(r.values(O * I))
        var y = [Float](repeating: 0, count: N * O)
        matmulForward(&y, floats(x), floats(w), N: N, I: I, O: O)
        #expect(maxAbsDiff(y, matmulForwardNaive(x, w, N: N, I: I, O: O)) < 1e-5)
    }

    @Test func embeddingGathersRows() {
        var r = TestRandom(2)
        let V = 6, C = 4
        let table = rounded(r.values(V * C)), tokens: [Int32] = [3, 0, 5, 3]
        var out = [Float](repeating: 0, count: 4 * C)
        embeddingForward(&out, tokens: tokens, table: floats(table), N: 4, C: C)
        #expect(maxAbsDiff(out, embeddingForwardNaive(tokens: tokens, table: table, C: C)) == 0)
    }

    @Test func rmsnormNormalisesEachRow() {
        var r = TestRandom(3)
        let N = 5, C = 12
        let x = rounded(r.values(N * C, scale: 3)), w = rounded(r.values(C))
        var out = [Float](repeating: 0, count: N * C), rstd = [Float](repeating: 0, count: N)
        rmsnormForward(&out, rstd: &rstd, floats(x), weight: floats(w), N: N, C: C, eps: 1e-5)
        #expect(maxAbsDiff(out, rmsnormForwardNaive(x, weight: w, N: N, C: C, eps: 1e-5)) < 1e-5)
    }

    @Test func ropeRotatesPairsHalfAHeadApart() {
        var r = TestRandom(4)
        let B = 2, T = 5, H = 3, D = 6
        let x = rounded(r.values(B * T * H * D))
        var y = floats(x)
        let tables = RoPETables(maxT: 8, headDim: D, theta: 10000)
        ropeForward(&y, tables: tables, B: B, T: T, H: H, D: D)
        #expect(maxAbsDiff(y, ropeForwardNaive(x, B: B, T: T, H: H, D: D, theta: 10000)) < 1e-5)
        // position 0 is the identity
        #expect(Array(y[0..<(H * D)]) == floats(Array(x[0..<(H * D)])))
    }

    @Test func causalAttentionMatchesDirectSoftmax() {
        var r = TestRandom(5)
        let B = 2, T = 6, H = 2, D = 4, C = H * D
        let q = rounded(r.values(B * T * C, scale: 2)), k = rounded(r.values(B * T * C, scale: 2)), v = rounded(r.values(B * T * C))
        var out = [Float](repeating: 0, count: B * T * C), probs = [Float](repeating: -1, count: B * H * T * T)
        let naive = attentionForwardNaive(q: q, k: k, v: v, B: B, T: T, H: H, D: D)
        // causal query blocks of 4 (two blocks, the second partial) and of 2
        for block in [2, 64] {
            var o = [Float](repeating: 0, count: B * T * C), pr = probs
            attentionForward(&o, probs: &pr, q: floats(q), k: floats(k), v: floats(v), B: B, T: T, H: H, D: D, block: block)
            #expect(maxAbsDiff(o, naive) < 1e-5, "block \(block)")
        }
        attentionForward(&out, probs: &probs, q: floats(q), k: floats(k), v: floats(v), B: B, T: T, H: H, D: D, block: 4)
        #expect(maxAbsDiff(out, naive) < 1e-5)
        // rows are distributions with no mass on future positions
        for row in 0..<(B * H * T) {
            let i = row % T
            let p = probs[(row * T)..<((row + 1) * T)]
            #expect(abs(p.reduce(0, +) - 1) < 1e-6)
            #expect(p.dropFirst(i + 1).allSatisfy { $0 == 0 })
        }
    }

    @Test func swigluAndSiluMatchTheirDefinitions() {
        var r = TestRandom(6)
        let g = rounded(r.values(40, scale: 4)), u = rounded(r.values(40))
        var h = [Float](repeating: 0, count: 40), s = h
        swigluForward(&h, gate: floats(g), up: floats(u), count: 40)
        siluForward(&s, floats(g), count: 40)
        #expect(maxAbsDiff(h, swigluForwardNaive(gate: g, up: u)) < 1e-6)
        #expect(maxAbsDiff(s, g.map { $0 / (1 + exp(-$0)) }) < 1e-6)
    }

    @Test func softmaxRowsAreStableDistributions() {
        var r = TestRandom(7)
        let N = 4, V = 9
        var x = rounded(r.values(N * V, scale: 5))
        x[0] = 80; x[1] = 79                     // large logits must not overflow
        var y = [Float](repeating: 0, count: N * V)
        softmaxForward(&y, floats(x), N: N, V: V)
        #expect(maxAbsDiff(y, softmaxForwardNaive(x, N: N, V: V)) < 1e-6)
    }

    @Test func crossEntropySkipsIgnoredRows() {
        var r = TestRandom(8)
        let N = 5, V = 7
        let x = rounded(r.values(N * V, scale: 3))
        let targets: [Int32] = [1, -100, 6, 0, -100]
        let res = crossEntropyForwardBackward(logits: floats(x), targets: targets, dlogits: nil, N: N, V: V, ignoreIndex: -100)
        #expect(res.count == 3)
        #expect(abs(res.sum / 3 - crossEntropyNaive(logits: x, targets: targets, V: V, ignoreIndex: -100)) < 1e-6)
    }

    @Test func kernelsAgreeAcrossThreadCounts() {
        // Chunked loops partition rows; only the RMSNorm weight-gradient reduction changes order with the
        // thread count (≤ a few ulp), so 1e-6 absolute on O(1) values.
        var r = TestRandom(9)
        let B = 3, T = 16, H = 2, D = 8, C = H * D, N = B * T
        let x = floats(r.values(N * C)), w = floats(r.values(C)), dy = floats(r.values(N * C))
        func run() -> [Float] {
            var out = [Float](repeating: 0, count: N * C), rstd = [Float](repeating: 0, count: N)
            var dx = out, dw = [Float](repeating: 0, count: C)
            rmsnormForward(&out, rstd: &rstd, x, weight: w, N: N, C: C, eps: 1e-5)
            rmsnormBackward(dx: &dx, dw: &dw, dout: dy, x: x, rstd: rstd, weight: w, N: N, C: C, accumulate: false)
            var att = [Float](repeating: 0, count: N * C), probs = [Float](repeating: 0, count: B * H * T * T)
            attentionForward(&att, probs: &probs, q: out, k: x, v: dy, B: B, T: T, H: H, D: D)
            return out + dx + dw + att
        }
        let before = Parallel.threads
        Parallel.setThreads(1)
        let one = run()
        Parallel.setThreads(3)
        let three = run()
        Parallel.setThreads(before)
        #expect(zip(one, three).map { abs($0 - $1) }.max()! < 1e-6)
    }
}

@Suite struct MatmulSplitTests {
    @Test(arguments: [(200, 40, 30), (10, 48, 300), (3, 20, 140), (100, 300, 24)])
    func splitSgemmMatchesOneCallInAllThreeLayouts(N: Int, I: Int, O: Int) {
        // Blocks of rows (or columns when rows are few) each reduce over the full K, so results agree with
        // the single call up to OpenBLAS's micro-kernel choice for the block shape: 1e-6 relative.
        var r = TestRandom(UInt64(N * 7 + O))
        let x = floats(r.values(N * I)), w = floats(r.values(O * I)), dy = floats(r.values(N * O))
        func run(_ threads: Int) -> [Float] {
            Parallel.setThreads(threads, blas: .split)
            var y = [Float](repeating: 1, count: N * O), dx = [Float](repeating: 1, count: N * I)
            var dw = [Float](repeating: 1, count: O * I)
            matmulForward(&y, x, w, N: N, I: I, O: O, accumulate: true)
            matmulBackwardInput(&dx, dy, w, N: N, I: I, O: O, accumulate: false)
            matmulBackwardWeight(&dw, dy, x, N: N, I: I, O: O)
            return y + dx + dw
        }
        let before = Parallel.threads
        let one = run(1), three = run(3)
        Parallel.setThreads(before)
        let scale = one.map(abs).max()!
        #expect(zip(one, three).map { abs($0 - $1) }.max()! <= 1e-6 * scale)
        let naive = matmulForwardNaive(x.map(Double.init), w.map(Double.init), N: N, I: I, O: O)
        #expect(zip(three[0..<(N * O)], naive).map { abs(Double($0) - ($1 + 1)) }.max()! < 1e-5)
    }
}
