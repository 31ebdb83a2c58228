/// A small, seedable, restorable random number generator (SplitMix64).
///
/// The whole loop draws from one of these so that a run is reproducible from its seed and a resumed run
/// continues the exact stream (`state` is saved with the loop state).
public struct DiscoverRNG: RandomNumberGenerator, Sendable, Codable, Hashable {
    public var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform double in [0, 1) with 53 random bits.
    public mutating func nextUnit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A derived seed for an independent sub-stream (e.g. the policy's sampling at one step).
    public static func mix(_ a: UInt64, _ b: UInt64) -> UInt64 {
        var rng = DiscoverRNG(seed: a ^ (b &* 0xD1B5_4A32_D192_ED03))
        return rng.next()
    }
}
