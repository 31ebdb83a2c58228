import Testing
@testable import Tensor

/// Amax gain of composite H_res products.
@Suite struct MHCAmaxGainTests {
    /// Forward gain is the max absolute row sum, backward gain the max absolute column sum, and both
    /// are maxima over token rows. Exact small integers/halves: exact comparisons.
    @Test func amaxGainIsMaxAbsoluteRowAndColumnSum() {
        // token 0: [[1, -2], [3, 0.5]] → row sums 3, 3.5; column sums 4, 2.5
        // token 1: [[0, 0], [-5, 0]]   → row sums 0, 5;   column sums 5, 0
        let m: [Float] = [1, -2, 3, 0.5, 0, 0, -5, 0]
        let one = mhcAmaxGain(matrices: m, rows: 1, streams: 2)
        #expect(one.forward == 3.5 && one.backward == 4)
        let both = mhcAmaxGain(matrices: m, rows: 2, streams: 2)
        #expect(both.forward == 5 && both.backward == 5)
    }

    /// The composite is H_{S−1}···H_0 per token (later layers on the left), checked against the
    /// naive product with non-commuting random matrices (the reversed order would differ at O(1)).
    /// Tolerance 1e-5: products of 5 matrices with entries ≤ 1, Float storage between steps.
    @Test func compositeAccumulateMultipliesLaterLayersFromTheLeft() {
        let rows = 3, n = 3, layers = 5
        var rng = MHCTestRandom(seed: 51)
        let hs = (0..<layers).map { _ in rng.values(rows * n * n) }
        var composite = [Float](repeating: .nan, count: rows * n * n)
        mhcCompositeReset(composite: &composite, rows: rows, streams: n)
        for h in hs { mhcCompositeAccumulate(composite: &composite, hRes: mhcFloats(h), rows: rows, streams: n) }
        for t in 0..<rows {
            let mats = hs.map { Array($0[(t * n * n)..<((t + 1) * n * n)]) }
            let expected = MHCReference.composite(mats, n: n)
            let reversed = MHCReference.composite(mats.reversed(), n: n)
            let got = mhcDoubles(Array(composite[(t * n * n)..<((t + 1) * n * n)]))
            #expect(mhcMaxAbsDiff(got, expected) <= 1e-5)
            #expect(mhcMaxAbsDiff(expected, reversed) > 1e-3, "test matrices commute: order is not pinned")
        }
    }

    /// A composite of 12 Sinkhorn outputs (20 iterations) keeps both gains near 1: rows sum to 1 and
    /// entries are positive, so the forward gain is 1 up to rounding (1e-5 after 12 products); columns are
    /// only approximately normalised, so the backward gain is allowed 1e-2 (measured ≲1e-3).
    @Test func sinkhornCompositeKeepsGainsNearOne() {
        let rows = 4, n = 4
        var rng = MHCTestRandom(seed: 52)
        var composite = [Float](repeating: 0, count: rows * n * n)
        mhcCompositeReset(composite: &composite, rows: rows, streams: n)
        for _ in 0..<12 {
            var h = [Float](repeating: 0, count: rows * n * n)
            for t in 0..<rows {
                var z = mhcFloats(rng.values(n * n, scale: 3))
                h.withUnsafeMutableBufferPointer { sinkhornForward(z: &z, out: $0.baseAddress! + t * n * n, n: n, iterations: 20) }
            }
            mhcCompositeAccumulate(composite: &composite, hRes: h, rows: rows, streams: n)
        }
        let gain = mhcAmaxGain(matrices: composite, rows: rows, streams: n)
        #expect(abs(gain.forward - 1) <= 1e-5)
        #expect(abs(gain.backward - 1) <= 1e-2)
    }
}
