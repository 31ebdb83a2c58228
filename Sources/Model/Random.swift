import Foundation
import Randomness

/// Deterministic generator for initialisation: a SplitMix64 stream, Box–Muller normals in Double.
struct InitRandom {
    private var source: SplitMix64
    init(seed: UInt64) { source = SplitMix64(seed: seed) }

    mutating func nextUInt64() -> UInt64 { source.next() }

    /// Uniform in (0, 1) (open at 0, so Box–Muller's log never sees 0).
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
