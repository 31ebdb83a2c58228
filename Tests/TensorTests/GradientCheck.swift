import Foundation

/// Test helpers: deterministic random data and central finite differences of Double naive twins.

struct TestRandom {
    var state: UInt64
    init(_ seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in [-scale, scale).
    mutating func values(_ count: Int, scale: Double = 1) -> [Double] {
        (0..<count).map { _ in (Double(next() >> 11) / 4503599627370496.0 - 1) * scale }
    }
}

func floats(_ x: [Double]) -> [Float] { x.map(Float.init) }
/// Doubles of the Float-rounded values: the exact inputs the Float kernel sees.
func rounded(_ x: [Double]) -> [Double] { x.map { Double(Float($0)) } }

func maxAbsDiff(_ a: [Float], _ b: [Double]) -> Double {
    precondition(a.count == b.count)
    return zip(a, b).map { abs(Double($0) - $1) }.max() ?? 0
}

/// ∂/∂x_i of Σ_k f(x)_k · w_k by central differences with ε = 1e-6 (Double: truncation ~1e-12,
/// rounding ~1e-10), for every i.
func numericGradient(_ x: [Double], weights w: [Double], _ f: ([Double]) -> [Double]) -> [Double] {
    let eps = 1e-6
    var g = [Double](repeating: 0, count: x.count)
    var xp = x
    for i in 0..<x.count {
        xp[i] = x[i] + eps
        let up = zip(f(xp), w).reduce(0) { $0 + $1.0 * $1.1 }
        xp[i] = x[i] - eps
        let down = zip(f(xp), w).reduce(0) { $0 + $1.0 * $1.1 }
        xp[i] = x[i]
        g[i] = (up - down) / (2 * eps)
    }
    return g
}
