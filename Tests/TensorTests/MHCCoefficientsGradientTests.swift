import Testing
@testable import Tensor

/// Coefficient backward vs central finite differences of the Double twin, for
/// L = Σ wPre ⊙ H_pre + Σ wPost ⊙ H_post + Σ wRes ⊙ H_res with fixed random weights.
@Suite struct MHCCoefficientsGradientTests {
    struct Gradients { var x: [Double], phi: [Double], alpha: [Double], bias: [Double] }

    /// Runs the fast backward with every gradient buffer pre-filled with 0.5 (checking that it
    /// accumulates) and returns the increments. With `wU` the fused pre-aggregation is used too.
    static func analytic(_ s: MHCCoefficientCase, wPre: [Double], wPost: [Double], wRes: [Double],
                         wU: [Double]? = nil, threads: Int = 1, cacheRows: Int? = nil) -> Gradients {
        let rows = s.rows, n = s.n, c = s.c, k = s.k
        var hPre = [Float](repeating: 0, count: rows * n), hPost = hPre
        var hRes = [Float](repeating: 0, count: rows * n * n)
        let cache = MHCCoefficientCache.allocate(rows: cacheRows ?? rows, streams: n)
        defer { cache.deallocate() }
        let x = mhcFloats(s.x), phi = mhcFloats(s.phi), alpha = mhcFloats(s.alpha), bias = mhcFloats(s.bias)
        var u = [Float](repeating: 0, count: rows * c)
        u.withUnsafeMutableBufferPointer { ub in
            mhcCoefficientsForward(x: x, phi: phi, alpha: alpha, bias: bias, hPre: &hPre, hPost: &hPost, hRes: &hRes,
                                   cache: cache, rows: rows, streams: n, width: c, eps: Float(s.eps),
                                   sinkhornIterations: s.iterations, preAggregate: wU == nil ? nil : ub.baseAddress,
                                   threads: threads)
        }
        let start: Float = 0.5
        var dX = [Float](repeating: start, count: rows * n * c), dPhi = [Float](repeating: start, count: k * n * c)
        var dAlpha = [Float](repeating: start, count: 3), dBias = [Float](repeating: start, count: k)
        mhcCoefficientsBackward(dHPre: mhcFloats(wPre), dHPost: mhcFloats(wPost), dHRes: mhcFloats(wRes),
                                x: x, phi: phi, alpha: alpha, bias: bias, cache: cache,
                                dX: &dX, dPhi: &dPhi, dAlpha: &dAlpha, dBias: &dBias,
                                rows: rows, streams: n, width: c, sinkhornIterations: s.iterations,
                                preAggregateGradient: wU.map(mhcFloats), threads: threads)
        func increments(_ a: [Float]) -> [Double] { a.map { Double($0) - Double(start) } }
        return Gradients(x: increments(dX), phi: increments(dPhi), alpha: increments(dAlpha), bias: increments(dBias))
    }

    /// Tolerance 2e-5 · max(1, max|g|) per parameter group. The Float backward chains the projection
    /// (sums of nC products), sigmoid/exp and 2·iterations Sinkhorn steps, each adding ~6e-8 relative
    /// rounding, and the starting value 0.5 in the buffers costs another 3e-8 absolute; the measured
    /// errors are ≤ 1.5e-7 relative, so the margin is > 100×. The Double differences are accurate to
    /// ~1e-10. Any missing term (the r path, the factor 2 of H_post, a Sinkhorn step) is ≥ 1e-2 relative.
    /// `fused` adds L_u = Σ wU ⊙ u with u = Σ_i H_pre[i]·X[i] computed by the fused forward/backward.
    @Test(arguments: [(3, 3, 4, 20), (2, 4, 3, 20), (1, 4, 2, 20), (9, 2, 2, 3), (2, 1, 3, 20)], [false, true])
    func coefficientsBackwardMatchesFiniteDifferences(shape: (Int, Int, Int, Int), fused: Bool) {
        let (rows, n, c, iterations) = shape
        let s = MHCCoefficientCase(rows: rows, n: n, c: c, iterations: iterations, seed: 31 + UInt64(rows * 10 + n))
        var rng = MHCTestRandom(seed: 32)
        let wPre = rng.values(rows * n), wPost = rng.values(rows * n), wRes = rng.values(rows * n * n)
        let wU = fused ? rng.values(rows * c) : nil
        func loss(_ x: [Double], _ h: (hPre: [Double], hPost: [Double], hRes: [Double])) -> Double {
            var l = mhcDot(wPre, h.hPre) + mhcDot(wPost, h.hPost) + mhcDot(wRes, h.hRes)
            if let wU { l += mhcDot(wU, MHCReference.preAggregate(x: x, hPre: h.hPre, rows: rows, streams: n, width: c)) }
            return l
        }
        let g = Self.analytic(s, wPre: wPre, wPost: wPost, wRes: wRes, wU: wU)
        let numeric = Gradients(
            x: mhcFiniteDifference(s.x) { loss($0, s.reference(x: $0)) },
            phi: mhcFiniteDifference(s.phi) { loss(s.x, s.reference(phi: $0)) },
            alpha: mhcFiniteDifference(s.alpha) { loss(s.x, s.reference(alpha: $0)) },
            bias: mhcFiniteDifference(s.bias) { loss(s.x, s.reference(bias: $0)) })
        for (name, a, b) in [("x", g.x, numeric.x), ("phi", g.phi, numeric.phi),
                             ("alpha", g.alpha, numeric.alpha), ("bias", g.bias, numeric.bias)] {
            let error = mhcMaxAbsDiff(a, b), scale = mhcScale(b)
            #expect(error <= 2e-5 * scale, "d\(name): max error \(error) at scale \(scale)")
        }
        #expect(mhcScale(numeric.x, floor: 0) > 1e-3, "loss does not depend on x: test is vacuous")
    }

    /// Splitting rows over threads changes nothing per row: outputs and dX, dφ are bit-identical, and
    /// dα, db (per-chunk partial sums added in chunk order) agree to 1e-5 relative. 70 rows with a grain
    /// of 32 gives 2 chunks, the second starting mid Sinkhorn block.
    @Test func coefficientsDoNotDependOnThreadCount() {
        let s = MHCCoefficientCase(rows: 70, n: 4, c: 4, seed: 33)
        var rng = MHCTestRandom(seed: 34)
        let wPre = rng.values(70 * 4), wPost = rng.values(70 * 4), wRes = rng.values(70 * 16), wU = rng.values(70 * 4)
        let one = Self.analytic(s, wPre: wPre, wPost: wPost, wRes: wRes, wU: wU, threads: 1)
        let two = Self.analytic(s, wPre: wPre, wPost: wPost, wRes: wRes, wU: wU, threads: 2)
        #expect(one.x == two.x)
        #expect(one.phi == two.phi)
        #expect(mhcMaxAbsDiff(one.alpha, two.alpha) <= 1e-5 * mhcScale(one.alpha))
        #expect(mhcMaxAbsDiff(one.bias, two.bias) <= 1e-5 * mhcScale(one.bias))
    }

    /// A cache sized for more rows than the call (the model allocates for its largest batch) gives
    /// exactly the same gradients (tolerance 0: same operations on the same values).
    @Test func coefficientsBackwardWithLargerCacheIsUnchanged() {
        let s = MHCCoefficientCase(rows: 5, n: 4, c: 3, seed: 35)
        var rng = MHCTestRandom(seed: 36)
        let wPre = rng.values(20), wPost = rng.values(20), wRes = rng.values(80), wU = rng.values(15)
        let exact = Self.analytic(s, wPre: wPre, wPost: wPost, wRes: wRes, wU: wU)
        let larger = Self.analytic(s, wPre: wPre, wPost: wPost, wRes: wRes, wU: wU, cacheRows: 13)
        #expect(exact.x == larger.x && exact.phi == larger.phi && exact.alpha == larger.alpha && exact.bias == larger.bias)
    }
}
