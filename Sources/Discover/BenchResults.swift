/// One benchmark run (`results.json` → `records`).
public struct BenchRecord: Sendable, Codable, Hashable {
    public var env: String
    public var method: String
    public var seed: UInt64
    /// Samples drawn (the same for every method of a suite).
    public var samples: Int
    /// Best reward of a valid candidate; nil when none was valid.
    public var finalBest: Double?
    public var wallSeconds: Double
    /// Best-so-far after each step, against samples and wall time.
    public var curve: [CurvePoint]
    public var bestText: String?
    /// Evaluation statuses over the whole run.
    public var statuses: [String: Int]

    enum CodingKeys: String, CodingKey {
        case env, method, seed, samples, finalBest = "final_best", wallSeconds = "wall_s", curve
        case bestText = "best_text", statuses
    }

    /// Samples drawn when the best-so-far first reached `threshold` (nil if never).
    public func samplesToReach(_ threshold: Double) -> Int? {
        curve.first { ($0.best ?? -.infinity) >= threshold }?.samples
    }
}

/// `results.json`.
public struct BenchResults: Sendable, Codable, Hashable {
    public var suite: BenchSuite
    /// Public reference values by environment id (from the environments' specs), when known.
    public var references: [String: Double]
    public var records: [BenchRecord]

    public init(suite: BenchSuite, references: [String: Double] = [:], records: [BenchRecord] = []) {
        self.suite = suite
        self.references = references
        self.records = records
    }

    public func records(env: String, method: String) -> [BenchRecord] {
        records.filter { $0.env == env && $0.method == method }.sorted { $0.seed < $1.seed }
    }
}

/// Mean, sample standard deviation, min and max.
public struct Spread: Sendable, Hashable {
    public var mean: Double
    public var std: Double
    public var min: Double
    public var max: Double
    public var count: Int

    public init?(_ xs: [Double]) {
        guard !xs.isEmpty else { return nil }
        count = xs.count
        mean = xs.reduce(0, +) / Double(xs.count)
        let m = mean
        std = xs.count > 1 ? (xs.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(xs.count - 1)).squareRoot() : 0
        min = xs.min()!
        max = xs.max()!
    }
}
