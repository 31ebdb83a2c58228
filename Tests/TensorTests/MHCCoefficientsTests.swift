import Testing
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
@testable import Tensor

/// One set of mHC coefficient parameters and inputs, kept in Double for the naive twin.
struct MHCCoefficientCase {
    var rows: Int
    let n: Int, c: Int, iterations: Int
    let eps = 1e-5
    var x: [Double], phi: [Double], alpha: [Double], bias: [Double]
    var k: Int { n * n + 2 * n }

    /// Parameters away from their init: φ ~ U(±0.5) so that h is O(1), α in [0.5, 1.5], b ~ U(±1).
    init(rows: Int, n: Int, c: Int, iterations: Int = 20, seed: UInt64) {
        self.rows = rows; self.n = n; self.c = c; self.iterations = iterations
        var rng = MHCTestRandom(seed: seed)
        let k = n * n + 2 * n
        x = rng.values(rows * n * c, scale: 1.5)
        phi = rng.values(k * n * c, scale: 0.5)
        alpha = rng.values(3, scale: 0.5).map { Double(Float($0 + 1)) }
        bias = rng.values(k, scale: 1)
    }

    /// The model's initialisation: φ = 0, α = 0.01, b_pre = −ln(n−1), b_post = 0, b_res diag 0 / off −8.
    init(initialisedRows rows: Int, n: Int, c: Int, seed: UInt64) {
        self.init(rows: rows, n: n, c: c, seed: seed)
        phi = [Double](repeating: 0, count: k * n * c)
        alpha = [0.01, 0.01, 0.01]
        bias = (0..<n).map { _ in Double(Float(-log(Double(n - 1)))) } + [Double](repeating: 0, count: n)
            + (0..<(n * n)).map { $0 / n == $0 % n ? 0 : -8 }
    }

    /// Fast Float forward: (hPre, hPost, hRes) as Double.
    func forward(threads: Int = 1) -> (hPre: [Double], hPost: [Double], hRes: [Double]) {
        let f = forwardWithPreAggregate(threads: threads)
        return (f.hPre, f.hPost, f.hRes)
    }

    /// Fast Float forward fused with the pre-aggregation u [N, C].
    func forwardWithPreAggregate(threads: Int = 1) -> (hPre: [Double], hPost: [Double], hRes: [Double], u: [Float]) {
        var hPre = [Float](repeating: 0, count: rows * n), hPost = hPre
        var hRes = [Float](repeating: 0, count: rows * n * n)
        var u = [Float](repeating: .nan, count: rows * c)
        let cache = MHCCoefficientCache.allocate(rows: rows, streams: n)
        defer { cache.deallocate() }
        mhcCoefficientsForward(x: mhcFloats(x), phi: mhcFloats(phi), alpha: mhcFloats(alpha), bias: mhcFloats(bias),
                               hPre: &hPre, hPost: &hPost, hRes: &hRes, cache: cache,
                               rows: rows, streams: n, width: c, eps: Float(eps), sinkhornIterations: iterations,
                               preAggregate: &u, threads: threads)
        return (mhcDoubles(hPre), mhcDoubles(hPost), mhcDoubles(hRes), u)
    }

    func reference(x: [Double]? = nil, phi: [Double]? = nil, alpha: [Double]? = nil, bias: [Double]? = nil)
        -> (hPre: [Double], hPost: [Double], hRes: [Double]) {
        MHCReference.coefficients(x: x ?? self.x, phi: phi ?? self.phi, alpha: alpha ?? self.alpha, bias: bias ?? self.bias,
                                  rows: rows, streams: n, width: c, eps: eps, iterations: iterations)
    }
}

@Suite struct MHCCoefficientsTests {
    /// At the spec's initialisation H_pre = 1/n, H_post = 1 and H_res ≈ I for any input. The exact
    /// H_res is known: the circulant matrix with diagonal 1 and off-diagonal e⁻⁸ is already doubly
    /// stochastic up to scale, so Sinkhorn returns diag 1/(1 + (n−1)e⁻⁸) ≈ 0.999, off e⁻⁸/(1 + (n−1)e⁻⁸).
    /// α·h = 0 exactly because φ = 0. Tolerance 1e-6: a couple of Float roundings of O(1) values.
    @Test func coefficientsAtInitGiveUniformPreUnitPostIdentityRes() {
        let n = 4
        let setup = MHCCoefficientCase(initialisedRows: 5, n: n, c: 8, seed: 21)
        let (hPre, hPost, hRes) = setup.forward()
        let off = exp(-8.0), diagonal = 1 / (1 + Double(n - 1) * off)
        for v in hPre { #expect(abs(v - 0.25) <= 1e-6) }
        for v in hPost { #expect(v == 1) }
        for t in 0..<5 {
            for i in 0..<n {
                for j in 0..<n {
                    let expected = i == j ? diagonal : off * diagonal
                    #expect(abs(hRes[(t * n + i) * n + j] - expected) <= 1e-6, "row \(t) [\(i),\(j)]")
                }
            }
        }
    }

    /// Fast kernel vs the Double twin on parameters away from init, with row counts that fill one
    /// 8-row Sinkhorn block, leave a partial tail block, and take the N = 1 (sgemv) path.
    /// Tolerance 2e-5: h = r·xφᵀ sums nC ≤ 40 products in Float (relative error ~1e-6 of |h| ≤ 5),
    /// then α·h feeds sigmoid/exp whose slopes are ≤ 1 and 20 Sinkhorn iterations (see Sinkhorn tests).
    @Test(arguments: [(1, 4, 8), (8, 4, 8), (11, 3, 5), (9, 2, 6), (3, 1, 7)])
    func coefficientsMatchNaiveTwin(rows: Int, n: Int, c: Int) {
        let setup = MHCCoefficientCase(rows: rows, n: n, c: c, seed: 22)
        let fast = setup.forward(), slow = setup.reference()
        #expect(mhcMaxAbsDiff(fast.hPre, slow.hPre) <= 2e-5)
        #expect(mhcMaxAbsDiff(fast.hPost, slow.hPost) <= 2e-5)
        #expect(mhcMaxAbsDiff(fast.hRes, slow.hRes) <= 2e-5)
    }

    /// One token alone (the KV-cached decoding call, sgemv path) gives the coefficients it gets inside
    /// a batch (sgemm path). Tolerance 1e-6: the two BLAS paths may sum the nC products in a different
    /// order, a few Float ulps of h; everything after the projection is the same per-row code.
    @Test func coefficientsOfOneRowMatchTheBatch() {
        let n = 4, c = 8
        let batch = MHCCoefficientCase(rows: 10, n: n, c: c, seed: 23)
        let all = batch.forward()
        func row<T>(_ a: [T], _ t: Int, _ width: Int) -> [T] { Array(a[(t * width)..<((t + 1) * width)]) }
        for t in [0, 7, 9] {
            var single = batch
            single.rows = 1
            single.x = row(batch.x, t, n * c)
            let one = single.forward()
            #expect(mhcMaxAbsDiff(one.hPre, row(all.hPre, t, n)) <= 1e-6)
            #expect(mhcMaxAbsDiff(one.hPost, row(all.hPost, t, n)) <= 1e-6)
            #expect(mhcMaxAbsDiff(one.hRes, row(all.hRes, t, n * n)) <= 1e-6)
        }
    }

    /// With n = 1 the model skips coefficients, but the kernels must still work: H_res is exactly 1.
    @Test func coefficientsWithOneStreamGiveUnitRes() {
        let setup = MHCCoefficientCase(rows: 4, n: 1, c: 6, seed: 24)
        let (hPre, hPost, hRes) = setup.forward()
        #expect(hRes.allSatisfy { $0 == 1 })
        #expect(hPre.allSatisfy { $0 > 0 && $0 < 1 })
        #expect(hPost.allSatisfy { $0 > 0 && $0 < 2 })
    }

    /// The fused pre-aggregation runs the same Float operations as `mhcPreAggregateForward`, so u is
    /// bit-identical (tolerance 0); and the forward does not depend on the thread count (rows are
    /// independent, so bit-identical again). 70 rows → 2 chunks of the 32-row grain.
    @Test func coefficientsFusedPreAggregateMatchesSeparateKernel() {
        let s = MHCCoefficientCase(rows: 70, n: 4, c: 12, seed: 25)
        let fused = s.forwardWithPreAggregate(threads: 1)
        var u = [Float](repeating: .nan, count: 70 * 12)
        mhcPreAggregateForward(x: mhcFloats(s.x), hPre: mhcFloats(fused.hPre), u: &u, rows: 70, streams: 4, width: 12)
        #expect(fused.u == u)
        let threaded = s.forwardWithPreAggregate(threads: 2)
        #expect(threaded.u == fused.u && threaded.hPre == fused.hPre && threaded.hPost == fused.hPost
                && threaded.hRes == fused.hRes)
    }
}
