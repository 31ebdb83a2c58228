import Foundation
@testable import Model
import Randomness

/// Tiny configs: every code path (several heads, two blocks, mHC with n streams) at a size where the
/// Double reference and finite differences take milliseconds.
func tinyConfig(streams: Int, tied: Bool = true, sinkhornIters: Int = 6) -> ModelConfig {
    ModelConfig(vocabSize: 13, dModel: 8, nLayers: 2, nHeads: 2, ffnHidden: 12, maxSeqLen: 8,
                ropeTheta: 10000, normEps: 1e-5, tieEmbeddings: tied, nStreams: streams, sinkhornIters: sinkhornIters)
}

/// Deterministic pseudo-random numbers for fixtures (SplitMix64).
struct FixtureRandom {
    var source: SplitMix64
    init(_ seed: UInt64) { source = SplitMix64(seed: seed) }
    mutating func next() -> UInt64 { source.next() }
    /// Uniform in [-1, 1).
    mutating func symmetric() -> Double { Double(next() >> 11) / 4503599627370496.0 - 1 }
    mutating func token(_ v: Int) -> Int32 { Int32(next() % UInt64(v)) }
}

/// Moves every parameter away from its initialisation so no path is trivially zero or identity:
/// matrices ±0.4, norm weights 1 ± 0.3, φ ±0.3, α ∈ [0.5, 1.5], bias ± 1 around its init.
func scramble(_ p: ParameterSet, seed: UInt64) {
    var rng = FixtureRandom(seed)
    for info in p.infos {
        let v = p.view(info.name)
        for i in 0..<v.count {
            let r = Float(rng.symmetric())
            if info.name.hasSuffix("norm.weight") { v[i] = 1 + 0.3 * r }
            else if info.name.hasSuffix("_hc.phi") { v[i] = 0.3 * r }
            else if info.name.hasSuffix("_hc.alpha") { v[i] = 1 + 0.5 * r }
            else if info.name.hasSuffix("_hc.bias") { v[i] += r }
            else { v[i] = 0.4 * r }
        }
    }
}

func randomTokens(_ count: Int, vocab: Int, seed: UInt64) -> [Int32] {
    var rng = FixtureRandom(seed)
    return (0..<count).map { _ in rng.token(vocab) }
}
