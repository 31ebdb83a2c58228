// Shared helpers for the mHC kernel tests: a seeded generator and central finite differences.
// Names carry an MHC prefix so they never clash with other Tensor test helpers.
import Randomness

/// Seeded, reproducible across platforms: the project's SplitMix64 stream.
struct MHCTestRandom {
    var source: SplitMix64
    init(seed: UInt64) { source = SplitMix64(seed: seed) }

    mutating func next() -> UInt64 { source.next() }

    /// Uniform in [-scale, scale).
    mutating func uniform(_ scale: Double = 1) -> Double {
        (Double(next() >> 11) / Double(1 << 53) * 2 - 1) * scale
    }

    /// `count` values uniform in [-scale, scale), rounded to Float so Float and Double kernels see the same input.
    mutating func values(_ count: Int, scale: Double = 1) -> [Double] {
        (0..<count).map { _ in Double(Float(uniform(scale))) }
    }
}

/// Central finite difference of `f` w.r.t. every entry of `x`: (f(x + δe_k) − f(x − δe_k)) / 2δ.
/// In Double with δ = 1e-5 on smooth O(1) functions the truncation error is O(δ²) ≈ 1e-10 and the
/// cancellation error ≈ 1e-16 / 1e-5 = 1e-11, far below the Float tolerances the tests use.
func mhcFiniteDifference(_ x: [Double], delta: Double = 1e-5, _ f: ([Double]) -> Double) -> [Double] {
    var xp = x
    return (0..<x.count).map { k in
        let saved = xp[k]
        xp[k] = saved + delta
        let up = f(xp)
        xp[k] = saved - delta
        let down = f(xp)
        xp[k] = saved
        return (up - down) / (2 * delta)
    }
}

/// Σ a·b in Double.
func mhcDot(_ a: [Double], _ b: [Double]) -> Double {
    zip(a, b).reduce(0) { $0 + $1.0 * $1.1 }
}

/// Largest |a − b| over two equally long sequences.
func mhcMaxAbsDiff(_ a: [Double], _ b: [Double]) -> Double {
    precondition(a.count == b.count, "length mismatch \(a.count) vs \(b.count)")
    return zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1)) }
}

/// Largest |a| (at least `floor`), the scale gradient tolerances are relative to.
func mhcScale(_ a: [Double], floor: Double = 1) -> Double {
    a.reduce(floor) { max($0, abs($1)) }
}

/// Double ↔ Float array conversions.
func mhcFloats(_ values: [Double]) -> [Float] { values.map { Float($0) } }
func mhcDoubles(_ values: [Float]) -> [Double] { values.map { Double($0) } }
