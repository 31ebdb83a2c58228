import Testing
@testable import Tensor

/// Stream mixing: naive twin agreement and central finite-difference gradients.
/// C = 13 covers the 8-wide vector body and the scalar tail.
@Suite struct MHCStreamMixTests {
    /// Tolerance 1e-5: outputs are sums of n + 1 products of O(1) Float values (rounding ~1e-7 each).
    @Test(arguments: [(3, 4, 13), (1, 4, 16), (2, 1, 5), (4, 3, 8)])
    func streamMixMatchesNaiveTwin(rows: Int, n: Int, c: Int) {
        var rng = MHCTestRandom(seed: 41)
        let x = rng.values(rows * n * c), y = rng.values(rows * c)
        let hPre = rng.values(rows * n), hPost = rng.values(rows * n), hRes = rng.values(rows * n * n)
        var u = [Float](repeating: .nan, count: rows * c)
        mhcPreAggregateForward(x: mhcFloats(x), hPre: mhcFloats(hPre), u: &u, rows: rows, streams: n, width: c)
        #expect(mhcMaxAbsDiff(mhcDoubles(u), MHCReference.preAggregate(x: x, hPre: hPre, rows: rows, streams: n, width: c)) <= 1e-5)
        var out = [Float](repeating: .nan, count: rows * n * c)
        mhcPostResMixForward(x: mhcFloats(x), y: mhcFloats(y), hPost: mhcFloats(hPost), hRes: mhcFloats(hRes),
                             out: &out, rows: rows, streams: n, width: c)
        let reference = MHCReference.postResMix(x: x, y: y, hPost: hPost, hRes: hRes, rows: rows, streams: n, width: c)
        #expect(mhcMaxAbsDiff(mhcDoubles(out), reference) <= 1e-5)
    }

    /// Pre-aggregation backward vs central differences of L = Σ w ⊙ u. Gradient buffers start at 0.5
    /// to check accumulation. Tolerance 1e-4: u is bilinear, so the Double differences are exact to
    /// ~1e-11; the Float dot products over C ≤ 13 terms carry ~1e-6 of rounding.
    @Test func preAggregateBackwardMatchesFiniteDifferences() {
        let rows = 3, n = 4, c = 13
        var rng = MHCTestRandom(seed: 42)
        let x = rng.values(rows * n * c), hPre = rng.values(rows * n), w = rng.values(rows * c)
        var dX = [Float](repeating: 0.5, count: x.count), dHPre = [Float](repeating: 0.5, count: hPre.count)
        mhcPreAggregateBackward(dU: mhcFloats(w), x: mhcFloats(x), hPre: mhcFloats(hPre), dX: &dX, dHPre: &dHPre,
                                rows: rows, streams: n, width: c)
        let numX = mhcFiniteDifference(x) { mhcDot(w, MHCReference.preAggregate(x: $0, hPre: hPre, rows: rows, streams: n, width: c)) }
        let numH = mhcFiniteDifference(hPre) { mhcDot(w, MHCReference.preAggregate(x: x, hPre: $0, rows: rows, streams: n, width: c)) }
        #expect(mhcMaxAbsDiff(dX.map { Double($0) - 0.5 }, numX) <= 1e-4)
        #expect(mhcMaxAbsDiff(dHPre.map { Double($0) - 0.5 }, numH) <= 1e-4)
    }

    /// Post/residual mixing backward vs central differences of L = Σ w ⊙ X'. Same tolerance reasoning.
    @Test(arguments: [(3, 4, 13), (1, 2, 9)])
    func postResMixBackwardMatchesFiniteDifferences(rows: Int, n: Int, c: Int) {
        var rng = MHCTestRandom(seed: 43)
        let x = rng.values(rows * n * c), y = rng.values(rows * c), w = rng.values(rows * n * c)
        let hPost = rng.values(rows * n), hRes = rng.values(rows * n * n)
        var dX = [Float](repeating: 0.5, count: x.count), dY = [Float](repeating: 0.5, count: y.count)
        var dHPost = [Float](repeating: 0.5, count: hPost.count), dHRes = [Float](repeating: 0.5, count: hRes.count)
        mhcPostResMixBackward(dOut: mhcFloats(w), x: mhcFloats(x), y: mhcFloats(y),
                              hPost: mhcFloats(hPost), hRes: mhcFloats(hRes),
                              dX: &dX, dY: &dY, dHPost: &dHPost, dHRes: &dHRes, rows: rows, streams: n, width: c)
        func loss(x: [Double]? = nil, y: [Double]? = nil, hPost: [Double]? = nil, hRes: [Double]? = nil) -> Double {
            mhcDot(w, MHCReference.postResMix(x: x ?? x0, y: y ?? y0, hPost: hPost ?? hPost0, hRes: hRes ?? hRes0,
                                             rows: rows, streams: n, width: c))
        }
        let x0 = x, y0 = y, hPost0 = hPost, hRes0 = hRes
        let checks: [(String, [Float], [Double])] = [
            ("x", dX, mhcFiniteDifference(x) { loss(x: $0) }),
            ("y", dY, mhcFiniteDifference(y) { loss(y: $0) }),
            ("hPost", dHPost, mhcFiniteDifference(hPost) { loss(hPost: $0) }),
            ("hRes", dHRes, mhcFiniteDifference(hRes) { loss(hRes: $0) }),
        ]
        for (name, analytic, numeric) in checks {
            let error = mhcMaxAbsDiff(analytic.map { Double($0) - 0.5 }, numeric)
            #expect(error <= 1e-4, "d\(name): max error \(error)")
        }
    }

    /// Rows are independent, so splitting them over 2 threads (40 rows, grain 16) gives bit-identical
    /// results for every mixing kernel (tolerance 0).
    @Test func streamMixDoesNotDependOnThreadCount() {
        let rows = 40, n = 4, c = 12
        var rng = MHCTestRandom(seed: 44)
        let x = mhcFloats(rng.values(rows * n * c)), y = mhcFloats(rng.values(rows * c)), g = mhcFloats(rng.values(rows * n * c))
        let hPre = mhcFloats(rng.values(rows * n)), hPost = mhcFloats(rng.values(rows * n)), hRes = mhcFloats(rng.values(rows * n * n))
        func run(_ threads: Int) -> [[Float]] {
            var u = [Float](repeating: 0, count: rows * c), out = [Float](repeating: 0, count: rows * n * c)
            var dX = [Float](repeating: 0, count: rows * n * c), dY = [Float](repeating: 0, count: rows * c)
            var dHPre = [Float](repeating: 0, count: rows * n), dHPost = dHPre
            var dHRes = [Float](repeating: 0, count: rows * n * n)
            mhcPreAggregateForward(x: x, hPre: hPre, u: &u, rows: rows, streams: n, width: c, threads: threads)
            mhcPostResMixForward(x: x, y: y, hPost: hPost, hRes: hRes, out: &out, rows: rows, streams: n, width: c,
                                 threads: threads)
            mhcPreAggregateBackward(dU: y, x: x, hPre: hPre, dX: &dX, dHPre: &dHPre, rows: rows, streams: n, width: c,
                                    threads: threads)
            mhcPostResMixBackward(dOut: g, x: x, y: y, hPost: hPost, hRes: hRes, dX: &dX, dY: &dY,
                                  dHPost: &dHPost, dHRes: &dHRes, rows: rows, streams: n, width: c, threads: threads)
            return [u, out, dX, dY, dHPre, dHPost, dHRes]
        }
        #expect(run(1) == run(2))
    }
}
