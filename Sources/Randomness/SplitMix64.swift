/// SplitMix64 (Steele, Lea, Flood 2014): a tiny, fast generator whose whole state is one UInt64, so a
/// stream's position can be saved in a checkpoint (it is `Codable` as `{"state": N}`) and restored exactly.
///
/// The one generator of the project: data sampling, the synthetic corpus, weight initialisation, token
/// sampling and the discovery loop all draw from it, each from its own seed.
public struct SplitMix64: RandomNumberGenerator, Sendable, Codable, Hashable {
    public var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in 0..<bound without modulo bias (Lemire's multiply-and-reject).
    public mutating func next(below bound: UInt64) -> UInt64 {
        precondition(bound > 0, "bound must be positive")
        var product = next().multipliedFullWidth(by: bound)
        if product.low < bound {
            let threshold = (0 &- bound) % bound
            while product.low < threshold { product = next().multipliedFullWidth(by: bound) }
        }
        return product.high
    }

    /// Uniform in [0, 1) with 53 random bits.
    public mutating func nextUnit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// A derived seed for an independent sub-stream (e.g. the policy's sampling at one step of a run).
    public static func mix(_ a: UInt64, _ b: UInt64) -> UInt64 {
        var rng = SplitMix64(seed: a ^ (b &* 0xD1B5_4A32_D192_ED03))
        return rng.next()
    }
}
