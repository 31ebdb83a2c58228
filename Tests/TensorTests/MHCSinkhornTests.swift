import Testing
@testable import Tensor

/// Sinkhorn-Knopp kernel: invariants, naive twin, gradient.
@Suite struct MHCSinkhornTests {
    /// Rows must sum to 1 after the final row normalisation, for any iteration count ≥ 1.
    /// Tolerance 1e-6 (≈ 8 Float ulps at 1): each entry is a correctly rounded quotient and the
    /// n = 4..5 term sum adds at most n half-ulps of rounding.
    @Test(arguments: [1, 3, 20])
    func sinkhornRowsSumToOneAfterLastNormalisation(iterations: Int) {
        var rng = MHCTestRandom(seed: 11)
        for n in [2, 4, 5] {
            var z = mhcFloats(rng.values(n * n, scale: 4))
            var out = [Float](repeating: 0, count: n * n)
            sinkhornForward(z: &z, out: &out, n: n, iterations: iterations)
            for i in 0..<n {
                let rowSum = (0..<n).reduce(Float(0)) { $0 + out[i * n + $1] }
                #expect(abs(rowSum - 1) <= 1e-6, "n \(n) iterations \(iterations) row \(i): \(rowSum)")
            }
        }
    }

    /// Column sums approach 1 as iterations grow: the worst column error shrinks from 1 → 4 → 16 → 64
    /// iterations and ends below 1e-5 (Float resolution near 1 is 6e-8, so 1e-5 leaves room for
    /// rounding while a kernel that skipped the column step would sit at O(0.1)).
    @Test func sinkhornColumnsConvergeAsIterationsGrow() {
        var rng = MHCTestRandom(seed: 12)
        let n = 4
        var z = mhcFloats(rng.values(n * n, scale: 2))
        var errors: [Float] = []
        for iterations in [1, 4, 16, 64] {
            var out = [Float](repeating: 0, count: n * n)
            sinkhornForward(z: &z, out: &out, n: n, iterations: iterations)
            let worst = (0..<n).map { j in abs((0..<n).reduce(Float(0)) { $0 + out[$1 * n + j] } - 1) }.max()!
            errors.append(worst)
        }
        for k in 1..<errors.count { #expect(errors[k] < errors[k - 1], "column errors \(errors)") }
        #expect(errors.last! < 1e-5, "column errors \(errors)")
        #expect(errors.first! > 1e-3, "start too close to doubly stochastic to show convergence: \(errors)")
    }

    /// The Float kernel agrees with the Double naive twin to 2e-6 absolute: entries lie in [0, 1]
    /// and each of the 2·iterations normalisations adds ~1 ulp (6e-8) of relative error that the
    /// normalisations do not amplify.
    @Test(arguments: [0, 1, 20])
    func sinkhornMatchesNaiveTwin(iterations: Int) {
        var rng = MHCTestRandom(seed: 13)
        for n in 1...5 {
            let z = rng.values(n * n, scale: 3)
            var zf = mhcFloats(z)
            var out = [Float](repeating: 0, count: n * n)
            sinkhornForward(z: &zf, out: &out, n: n, iterations: iterations)
            let reference = MHCReference.sinkhorn(z, n: n, iterations: iterations)
            #expect(mhcMaxAbsDiff(mhcDoubles(out), reference) <= 2e-6, "n \(n) iterations \(iterations)")
        }
    }

    /// Backward through every iteration matches central differences of the Double twin for the loss
    /// L = Σ w ⊙ S(z). Tolerance 1e-5 · max(1, max|∂L/∂z|): the Float backward runs 2·iterations
    /// dependent steps of ~6e-8 relative rounding each (measured error ≤ 1e-7 relative, so > 100× margin);
    /// the Double differences are good to 1e-10. A wrong step formula gives O(1) errors, and
    /// iterations = 0 exercises the max-shift term (dropping it gives errors ≈ 1).
    @Test(arguments: [0, 1, 2, 20])
    func sinkhornBackwardMatchesFiniteDifferences(iterations: Int) {
        var rng = MHCTestRandom(seed: 14)
        for n in [1, 2, 4] {
            let z = rng.values(n * n, scale: 2)
            let w = rng.values(n * n, scale: 1)
            var zf = mhcFloats(z), wf = mhcFloats(w)
            var dz = [Float](repeating: 0, count: n * n)
            sinkhornBackward(z: &zf, dOut: &wf, dZ: &dz, n: n, iterations: iterations)
            let numeric = mhcFiniteDifference(z) { mhcDot(w, MHCReference.sinkhorn($0, n: n, iterations: iterations)) }
            let tolerance = 1e-5 * mhcScale(numeric)
            #expect(mhcMaxAbsDiff(mhcDoubles(dz), numeric) <= tolerance,
                    "n \(n) iterations \(iterations): \(dz) vs \(numeric)")
        }
    }

    /// The gradient of a doubly-stochastic-invariant direction is zero: adding a constant to every
    /// logit leaves S unchanged, so Σ_k ∂L/∂z_k must vanish (to Float rounding, 1e-6).
    @Test func sinkhornGradientIgnoresConstantShiftOfLogits() {
        var rng = MHCTestRandom(seed: 15)
        let n = 4
        var z = mhcFloats(rng.values(n * n, scale: 2)), w = mhcFloats(rng.values(n * n))
        var dz = [Float](repeating: 0, count: n * n)
        sinkhornBackward(z: &z, dOut: &w, dZ: &dz, n: n, iterations: 20)
        #expect(abs(dz.reduce(0, +)) <= 1e-6)
        #expect(dz.map(abs).max()! > 1e-3, "gradient unexpectedly vanished")
    }
}
