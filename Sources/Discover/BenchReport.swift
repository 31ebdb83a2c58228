import Foundation

/// Renders benchmark results: a markdown table, a self-contained HTML report, and a compact summary.
public enum BenchReport {
    static func fmt(_ x: Double?, _ digits: Int = 4) -> String {
        guard let x else { return "–" }
        return String(format: "%.\(digits)f", x)
    }

    /// Per (env, method): the final best's spread, samples to each threshold, mean wall time, and
    /// head-to-head wins against the baseline on matching seeds.
    public struct Row: Sendable, Codable, Hashable {
        public var env: String
        public var method: String
        public var runs: Int
        public var samples: Int
        public var finalBestMean: Double?
        public var finalBestStd: Double?
        public var finalBestMin: Double?
        public var finalBestMax: Double?
        /// Per threshold: mean samples to reach it over the seeds that did, and how many did.
        public var toThreshold: [ThresholdReach]
        public var wallSecondsMean: Double
        /// Seeds where this method's final best beat the baseline's (nil for the baseline itself).
        public var winsVsBaseline: Int?
        public var comparedSeeds: Int?

        enum CodingKeys: String, CodingKey {
            case env, method, runs, samples, finalBestMean = "final_best_mean", finalBestStd = "final_best_std"
            case finalBestMin = "final_best_min", finalBestMax = "final_best_max", toThreshold = "to_threshold"
            case wallSecondsMean = "wall_s_mean", winsVsBaseline = "wins_vs_baseline", comparedSeeds = "compared_seeds"
        }
    }

    public struct ThresholdReach: Sendable, Codable, Hashable {
        public var threshold: Double
        public var meanSamples: Double?
        public var reached: Int
        enum CodingKeys: String, CodingKey { case threshold, meanSamples = "mean_samples", reached }
    }

    public static func rows(_ results: BenchResults) -> [Row] {
        let baseline = results.suite.baselineName
        var out: [Row] = []
        for env in results.suite.envs {
            for method in results.suite.methods {
                let recs = results.records(env: env.id, method: method.name)
                guard !recs.isEmpty else { continue }
                let bests = recs.compactMap(\.finalBest)
                let spread = Spread(bests)
                let reach = (env.thresholds ?? []).map { t in
                    let hits = recs.compactMap { $0.samplesToReach(t) }
                    return ThresholdReach(threshold: t, meanSamples: Spread(hits.map(Double.init))?.mean, reached: hits.count)
                }
                var wins: Int?, compared: Int?
                if let baseline, baseline != method.name {
                    let base = Dictionary(results.records(env: env.id, method: baseline).map { ($0.seed, $0) },
                                          uniquingKeysWith: { a, _ in a })
                    let pairs = recs.compactMap { r in base[r.seed].map { (r, $0) } }
                    compared = pairs.count
                    wins = pairs.filter { ($0.0.finalBest ?? -.infinity) > ($0.1.finalBest ?? -.infinity) }.count
                }
                out.append(Row(env: env.id, method: method.name, runs: recs.count, samples: recs.map(\.samples).max() ?? 0,
                               finalBestMean: spread?.mean, finalBestStd: spread?.std, finalBestMin: spread?.min,
                               finalBestMax: spread?.max, toThreshold: reach,
                               wallSecondsMean: recs.map(\.wallSeconds).reduce(0, +) / Double(recs.count),
                               winsVsBaseline: wins, comparedSeeds: compared))
            }
        }
        return out
    }

    public static func markdown(_ results: BenchResults) -> String {
        let s = results.suite
        var md = "# Benchmark: \(s.name)\n\n"
        if let d = s.description { md += d + "\n\n" }
        md += "Budget: \(s.budget.steps) steps × \(s.budget.groups) groups × \(s.budget.groupSize) samples = "
            + "\(s.budget.samples) samples per run; seeds \(s.seeds.map(String.init).joined(separator: ", "))."
        if let b = s.baselineName { md += " Baseline: \(b)." }
        md += "\n"
        let all = rows(results)
        for env in s.envs {
            let envRows = all.filter { $0.env == env.id }
            guard !envRows.isEmpty else { continue }
            md += "\n## \(env.id)\n\n"
            if let ref = results.references[env.id] { md += "Public reference value: \(ref)\n\n" }
            let thresholds = env.thresholds ?? []
            md += "| method | runs | samples | final best (mean ± std) | min – max | "
                + thresholds.map { "samples to ≥ \($0)" }.joined(separator: " | ")
                + (thresholds.isEmpty ? "" : " | ") + "wall s (mean) | wins vs baseline |\n"
            md += "|" + String(repeating: "---|", count: 7 + thresholds.count) + "\n"
            for r in envRows {
                let reach = r.toThreshold.map { t in
                    "\(t.meanSamples.map { String(format: "%.0f", $0) } ?? "–") (\(t.reached)/\(r.runs))"
                }
                let wins = r.winsVsBaseline.map { "\($0)/\(r.comparedSeeds ?? 0)" } ?? "–"
                md += "| \(r.method) | \(r.runs) | \(r.samples) | \(fmt(r.finalBestMean)) ± \(fmt(r.finalBestStd)) | "
                    + "\(fmt(r.finalBestMin)) – \(fmt(r.finalBestMax)) | "
                    + reach.joined(separator: " | ") + (reach.isEmpty ? "" : " | ")
                    + "\(String(format: "%.3g", r.wallSecondsMean)) | \(wins) |\n"
            }
        }
        return md
    }

    /// A compact summary (for the CLI's final JSON line).
    public struct Summary: Sendable, Codable, Hashable {
        public var suite: String
        public var samplesPerRun: Int
        public var runs: Int
        public var rows: [Row]
        enum CodingKeys: String, CodingKey { case suite, samplesPerRun = "samples_per_run", runs, rows }
    }

    public static func summary(_ results: BenchResults) -> Summary {
        Summary(suite: results.suite.name, samplesPerRun: results.suite.budget.samples, runs: results.records.count,
                rows: rows(results))
    }

    public static func summaryJSON(_ results: BenchResults) -> String {
        (try? JSONText.encode(summary(results))) ?? "{}"
    }
}
