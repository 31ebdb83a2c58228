import Foundation

/// Deterministic generator for initialisation: SplitMix64 state, Box–Muller normals in Double.
struct InitRandom {
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func nextUInt64() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in (0, 1).
    mutating func nextUnit() -> Double { (Double(nextUInt64() >> 11) + 0.5) / 9007199254740992.0 }

    /// Fills `out` with N(0, std²).
    mutating func fillNormal(_ out: UnsafeMutableBufferPointer<Float>, std: Double) {
        var i = 0
        while i < out.count {
            let r = (-2 * log(nextUnit())).squareRoot(), a = 2 * Double.pi * nextUnit()
            out[i] = Float(r * cos(a) * std)
            if i + 1 < out.count { out[i + 1] = Float(r * sin(a) * std) }
            i += 2
        }
    }
}
