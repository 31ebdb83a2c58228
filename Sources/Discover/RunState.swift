import Randomness

/// The loop's own state between steps (`ttt_state.json`); with the archive and the policy checkpoint it
/// is everything a resumed run needs.
struct RunState: Codable, Sendable {
    var step: Int
    var samples: Int
    var rng: SplitMix64
    var best: BestCandidate?
    var elapsedSeconds: Double
    var fingerprint: [String: String]
    var env: String
    var curve: [CurvePoint]

    enum CodingKeys: String, CodingKey {
        case step, samples, rng, best, elapsedSeconds = "elapsed_s", fingerprint, env, curve
    }
}

/// One point of the best-so-far curve.
public struct CurvePoint: Sendable, Codable, Hashable {
    public var samples: Int
    /// Best reward of a valid candidate so far; nil until one appears.
    public var best: Double?
    public var seconds: Double
    public init(samples: Int, best: Double?, seconds: Double) {
        self.samples = samples
        self.best = best
        self.seconds = seconds
    }
}

/// What a finished run returns.
public struct DiscoverySummary: Sendable {
    public var method: DiscoverMethod
    public var steps: Int
    public var samples: Int
    public var best: BestCandidate?
    public var curve: [CurvePoint]
    public var elapsedSeconds: Double
    public var archiveSize: Int
}
