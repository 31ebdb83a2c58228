import Foundation
import EnvironmentKit

/// What a policy factory gets for one benchmark run.
public struct BenchRunContext: Sendable {
    public var env: BenchSuite.EnvEntry
    public var method: BenchSuite.MethodEntry
    public var seed: UInt64
    public var config: TTTConfig
    /// The suite's free-form `policy` object.
    public var policy: [String: SuiteValue]
    public var runDirectory: String
}

/// Runs a suite: for each environment, for each seed, for each method, one discovery run at the suite's
/// budget, in `OUT/runs/<env>/<method>/seed-<n>/` (the loop's usual outputs plus `record.json`).
/// Finished runs (with `record.json`) are reused, interrupted ones resumed. After every run
/// `results.json`, `report.md` and `report.html` are rewritten (atomically), so partial results are readable.
public final class BenchRunner<P: Policy> {
    public let suite: BenchSuite
    public let outputDirectory: String
    let makeEnvironment: (BenchSuite.EnvEntry) async throws -> any Environment
    let makePolicy: (BenchRunContext, any Environment) async throws -> P
    let log: (String) -> Void

    public init(suite: BenchSuite, outputDirectory: String,
                makeEnvironment: @escaping (BenchSuite.EnvEntry) async throws -> any Environment,
                makePolicy: @escaping (BenchRunContext, any Environment) async throws -> P,
                log: @escaping (String) -> Void = { _ in }) {
        self.suite = suite
        self.outputDirectory = outputDirectory
        self.makeEnvironment = makeEnvironment
        self.makePolicy = makePolicy
        self.log = log
    }

    static func slug(_ id: String) -> String {
        String(id.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." ? $0 : "_" })
    }

    public func run() async throws -> BenchResults {
        // Fail before hours of runs, not in the middle of them.
        for (i, entry) in suite.envs.enumerated() {
            if let task = entry.task, !FileManager.default.fileExists(atPath: task) {
                throw DiscoverError("suite '\(suite.name)': field 'envs[\(i)].task': no such file '\(task)' (paths are relative to the working directory)")
            }
        }
        var results = BenchResults(suite: suite)
        let total = suite.envs.count * suite.seeds.count * suite.methods.count
        var done = 0
        for entry in suite.envs {
            let environment = try await makeEnvironment(entry)
            if let target = environment.spec.target { results.references[entry.id] = target }
            do {
                for seed in suite.seeds {
                    for method in suite.methods {
                        done += 1
                        let label = "[\(done)/\(total)] \(entry.id) \(method.name) seed \(seed)"
                        let record = try await runOne(entry: entry, method: method, seed: seed,
                                                      environment: environment, label: label)
                        results.records.append(record)
                        log("\(label): final best \(record.finalBest.map { String(format: "%.6g", $0) } ?? "-")"
                            + " after \(record.samples) samples, \(String(format: "%.1f", record.wallSeconds)) s")
                        try write(results)
                    }
                }
            } catch {
                await environment.shutdown()
                throw error
            }
            await environment.shutdown()
        }
        return results
    }

    func runOne(entry: BenchSuite.EnvEntry, method: BenchSuite.MethodEntry, seed: UInt64,
                environment: any Environment, label: String) async throws -> BenchRecord {
        let dir = "\(outputDirectory)/runs/\(Self.slug(entry.id))/\(Self.slug(method.name))/seed-\(seed)"
        let recordPath = dir + "/record.json"
        let config = try suite.config(for: method, seed: seed)
        if let data = FileManager.default.contents(atPath: recordPath) {
            // Reuse a finished run only when it was made with the same settings.
            var expected = config.fingerprint
            expected["env"] = environment.spec.id
            let runPath = dir + "/run.json"
            let saved = try? JSONText.decode([String: String].self,
                                             from: (try? String(contentsOfFile: runPath, encoding: .utf8)) ?? "",
                                             source: runPath)
            guard saved == expected else {
                throw DiscoverError("\(dir) holds a finished run with other settings (see \(runPath)); remove it or choose another output directory")
            }
            let record = try JSONText.decode(BenchRecord.self, from: String(decoding: data, as: UTF8.self),
                                             source: recordPath)
            if record.samples == suite.budget.samples {
                log("\(label): reusing \(recordPath)")
                return record
            }
            if record.samples > suite.budget.samples {
                throw DiscoverError("\(recordPath): run drew \(record.samples) samples, more than the suite's budget of \(suite.budget.samples)")
            }
            // Fewer samples: the budget grew; the run is resumed below and extended.
        }
        let context = BenchRunContext(env: entry, method: method, seed: seed, config: config, policy: suite.policy,
                                      runDirectory: dir)
        let policy = try await makePolicy(context, environment)
        let resume = FileManager.default.fileExists(atPath: dir + "/ttt_state.json")
        let loop = try await TTTDiscover(policy: policy, environment: environment, config: config,
                                         outputDirectory: dir, resume: resume)
        if resume { log("\(label): resuming at step \(loop.completedSteps)") }
        loop.onStep = { [log] m in log("\(label) \(m.progressLine)") }
        let summary = try await loop.run()
        var statuses: [String: Int] = [:]
        if let text = try? String(contentsOfFile: dir + "/metrics.jsonl", encoding: .utf8) {
            for (i, line) in text.split(separator: "\n").enumerated() {
                let m = try JSONText.decode(StepMetrics.self, from: String(line), source: "\(dir)/metrics.jsonl:\(i + 1)")
                statuses.merge(m.statuses, uniquingKeysWith: +)
            }
        }
        let record = BenchRecord(env: entry.id, method: method.name, seed: seed, samples: summary.samples,
                                 finalBest: summary.best?.reward, wallSeconds: summary.elapsedSeconds,
                                 curve: summary.curve, bestText: summary.best?.text, statuses: statuses)
        try AtomicFile.write(try JSONText.encode(record, pretty: true) + "\n", to: recordPath)
        return record
    }

    func write(_ results: BenchResults) throws {
        try AtomicFile.write(try JSONText.encode(results, pretty: true) + "\n", to: outputDirectory + "/results.json")
        try AtomicFile.write(BenchReport.markdown(results), to: outputDirectory + "/report.md")
        try AtomicFile.write(BenchReport.html(results), to: outputDirectory + "/report.html")
    }
}
