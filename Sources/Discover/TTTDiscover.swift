import Foundation
import EnvironmentKit
import Randomness

/// The TTT-Discover loop (../shared/spec/discover.md), generic over the policy it trains.
///
/// Per step: pick `groups` start states (PUCT by default) → sample `groupSize` completions for each →
/// evaluate them in parallel → insert valid children into the archive and back-propagate visit counts →
/// per-group advantages (dropping constant groups) with the per-token KL penalty → one optimizer step.
/// With `method == .bestOfN` the same budget is drawn from the initial states with no training.
///
/// Output directory (all whole-file writes are atomic):
/// - `metrics.jsonl` one `StepMetrics` per step; `archive.jsonl`; `best.json` + `best.txt`;
/// - `ttt_latest.EXT` (and `ttt_step_%07d.EXT` when kept) policy checkpoints, TTT only;
/// - `ttt_state.json` loop state and `run.json` settings, for `resume`.
public final class TTTDiscover<P: Policy> {
    public let policy: P
    public let environment: any Environment
    public let config: TTTConfig
    public let outputDirectory: String?
    /// Called after every step (the CLI prints `progressLine`).
    public var onStep: ((StepMetrics) -> Void)?

    public private(set) var archive: StateArchive
    private var state: RunState

    /// Sets up a fresh run, or continues the one in `outputDirectory` when `resume` is true.
    public init(policy: P, environment: any Environment, config: TTTConfig, outputDirectory: String?,
                resume: Bool = false) async throws {
        try config.validate()
        self.policy = policy
        self.environment = environment
        self.config = config
        self.outputDirectory = outputDirectory
        var fingerprint = config.fingerprint
        fingerprint["env"] = environment.spec.id
        let fresh = RunState(step: 0, samples: 0, rng: SplitMix64(seed: config.seed), best: nil,
                             elapsedSeconds: 0, fingerprint: fingerprint, env: environment.spec.id, curve: [])
        let initial = try await environment.initialStates()
        if initial.isEmpty { throw DiscoverError("environment \(environment.spec.id) has no initial states") }

        guard let dir = outputDirectory else {
            archive = StateArchive(initialStates: initial, capacity: config.archiveCapacity,
                                   maxChildrenPerParent: config.maxChildrenPerParent)
            state = fresh
            return
        }
        let statePath = dir + "/ttt_state.json"
        let exists = FileManager.default.fileExists(atPath: statePath)
        if resume && exists {
            let text = try String(contentsOfFile: statePath, encoding: .utf8)
            let saved = try JSONText.decode(RunState.self, from: text, source: statePath)
            for (key, value) in fingerprint where saved.fingerprint[key] != value {
                throw DiscoverError("\(statePath): cannot resume: '\(key)' was \(saved.fingerprint[key] ?? "unset"), now \(value)")
            }
            archive = try StateArchive.load(path: dir + "/archive.jsonl")
            state = saved
            if config.method == .ttt {
                try policy.load(from: dir + "/ttt_latest.\(policy.checkpointExtension)")
            }
            try Self.truncateMetrics(dir + "/metrics.jsonl", toStep: saved.step)
        } else {
            if exists {
                throw DiscoverError("\(dir) already holds a run (ttt_state.json); resume it or choose another output directory")
            }
            archive = StateArchive(initialStates: initial, capacity: config.archiveCapacity,
                                   maxChildrenPerParent: config.maxChildrenPerParent)
            state = fresh
            // Leftovers of a run killed before its first checkpoint must not mix with this one.
            for stale in ["metrics.jsonl", "archive.jsonl", "best.json", "best.txt"] {
                try? FileManager.default.removeItem(atPath: dir + "/" + stale)
            }
            try AtomicFile.write(try JSONText.encode(fingerprint, pretty: true) + "\n", to: dir + "/run.json")
        }
    }

    public var completedSteps: Int { state.step }
    public var best: BestCandidate? { state.best }

    /// Runs the remaining steps (all of them on a fresh run).
    @discardableResult
    public func run() async throws -> DiscoverySummary {
        while state.step < config.steps {
            let metrics = try await runStep()
            onStep?(metrics)
        }
        return summary
    }

    public var summary: DiscoverySummary {
        DiscoverySummary(method: config.method, steps: state.step, samples: state.samples, best: state.best,
                         curve: state.curve, elapsedSeconds: state.elapsedSeconds, archiveSize: archive.count)
    }

    /// One step of the loop; returns its metrics (also appended to `metrics.jsonl`). The step works on
    /// copies of the archive and the loop state and commits them only when it completes, so a step that
    /// throws leaves the loop as it was (the policy is only updated by its final optimizer step).
    public func runStep() async throws -> StepMetrics {
        var archive = self.archive
        var state = self.state
        let stepStart = Date()
        let step = state.step + 1
        let sampler: StateSampler = config.method == .bestOfN ? .fixed : config.sampler
        let starts = sampler.select(archive, count: config.groups, rng: &state.rng)
        let startRecords = starts.map { archive[$0]! }   // snapshots: a start may be evicted mid-step
        let startStates = startRecords.map(\.state)

        // Sample.
        let sampleStart = Date()
        let prompts = startStates.map { environment.prompt(for: $0) }
        let sampleSeed = SplitMix64.mix(config.seed, UInt64(step))
        let groups = try await policy.sample(prompts: prompts, count: config.groupSize, options: config.sampling,
                                             seed: sampleSeed)
        guard groups.count == prompts.count, groups.allSatisfy({ $0.count == config.groupSize }) else {
            throw DiscoverError("policy returned \(groups.map(\.count)) completions, expected \(config.groupSize) for each of \(prompts.count) prompts")
        }
        let sampleSeconds = Date().timeIntervalSince(sampleStart)
        let tokenCount = groups.joined().reduce(0) { $0 + $1.tokens.count }

        // Evaluate in parallel.
        let evalStart = Date()
        var jobs: [ParallelEvaluation.Job] = []
        for (g, group) in groups.enumerated() {
            for c in group { jobs.append(.init(completion: c.text, state: startStates[g])) }
        }
        let evaluations = await ParallelEvaluation.run(jobs, environment: environment,
                                                       parallelism: config.evaluationParallelism)
        let evalSeconds = Date().timeIntervalSince(evalStart)
        if let first = evaluations.first, evaluations.allSatisfy({ $0.status == .infraError }) {
            // A broken environment must not burn the whole budget; nothing of this step is kept, so a
            // resume after the fix redoes it.
            throw DiscoverError("step \(step): every evaluation failed with an infrastructure error in \(environment.spec.id); first: \(first.feedback)")
        }

        // Archive, best, statuses.
        var statuses: [String: Int] = [:]
        var rewards: [[Double?]] = []
        for (g, group) in groups.enumerated() {
            var row: [Double?] = []
            for k in 0..<group.count {
                let sampleIndex = state.samples + g * config.groupSize + k
                let e = evaluations[g * config.groupSize + k]
                statuses[e.status.rawValue, default: 0] += 1
                archive.recordExpansion(of: startRecords[g])
                // Infra errors and non-finite rewards (an environment bug) are never trained on.
                let raw = e.reward ?? config.failureReward
                let reward: Double? = e.status == .infraError || !raw.isFinite ? nil : raw
                row.append(reward)
                guard e.status == .ok, let r = e.reward, r.isFinite else { continue }
                if var child = e.child {
                    if child.value == nil { child.value = r }
                    if child.feedback.isEmpty { child.feedback = e.feedback }
                    archive.insert(child: child, parent: startRecords[g], step: step)
                }
                if r > (state.best?.reward ?? -.infinity) {
                    state.best = BestCandidate(reward: r, step: step, sample: sampleIndex, startState: starts[g],
                                               completion: group[k].text, construction: e.child?.construction,
                                               feedback: e.feedback, metrics: e.metrics, env: environment.spec.id)
                }
            }
            rewards.append(row)
        }
        state.samples += config.samplesPerStep

        // Advantages and one optimizer step.
        var betas = [Double?](repeating: nil, count: groups.count)
        var dropped = 0
        var stats: PolicyStepStats?
        var kl: Double?
        var samplerError: Double?
        if config.method == .ttt {
            let scored = GroupAdvantages(groups: groups, rewards: rewards, objective: config.objective)
            betas = scored.betas
            dropped = scored.droppedGroups
            let trained = scored.completions
            let advantages = scored.advantages
            if !trained.isEmpty {
                let base = config.klCoefficient > 0 ? try await policy.baseLogProbs(trained)
                                                    : trained.map(\.samplerLogProbs)
                let shaped = KLShaping.shape(advantages: advantages, samplerLogProbs: trained.map(\.samplerLogProbs),
                                             baseLogProbs: base, coefficient: config.klCoefficient)
                kl = shaped.meanDelta
                if config.checkSamplerEvery > 0 && step % config.checkSamplerEvery == 0 {
                    let current = try await policy.currentLogProbs(trained)
                    samplerError = zip(current, trained).flatMap { c, t in
                        zip(c, t.samplerLogProbs).map { abs(Double($0) - Double($1)) }
                    }.max() ?? 0
                }
                let batch = zip(trained, shaped.perToken).map { PolicyExample(completion: $0, advantages: $1) }
                stats = try await policy.step(batch, learningRate: config.learningRate)
            }
        }

        let stepSeconds = Date().timeIntervalSince(stepStart)
        state.elapsedSeconds += stepSeconds
        state.step = step
        state.curve.append(CurvePoint(samples: state.samples, best: state.best?.reward, seconds: state.elapsedSeconds))
        let valid = rewards.joined().compactMap { $0 }
        let okRewards = zip(evaluations, rewards.joined()).compactMap { $0.status == .ok ? $1 : nil }
        let metrics = StepMetrics(
            step: step, method: config.method.rawValue, samples: state.samples, startStates: starts,
            rewards: rewards, meanReward: valid.isEmpty ? 0 : valid.reduce(0, +) / Double(valid.count),
            maxReward: okRewards.max(), bestSoFar: state.best?.reward, betas: betas, droppedGroups: dropped,
            kl: kl, loss: stats?.loss, meanRatio: stats?.meanRatio, gradNorm: stats?.gradNorm,
            samplerLogProbError: samplerError,
            completionTokens: tokenCount, tokensPerSecond: Double(tokenCount) / max(sampleSeconds, 1e-9),
            evaluationsPerSecond: Double(evaluations.count) / max(evalSeconds, 1e-9), statuses: statuses,
            archiveSize: archive.count, stepSeconds: stepSeconds, elapsedSeconds: state.elapsedSeconds)
        self.archive = archive
        self.state = state
        try persist(metrics: metrics)
        return metrics
    }

    /// Checkpoint (archive, best, policy, then the loop state last) and append the metrics line.
    private func persist(metrics: StepMetrics) throws {
        guard let dir = outputDirectory else { return }
        let step = state.step
        if step % config.checkpointEvery == 0 || step == config.steps {
            try archive.save(to: dir + "/archive.jsonl")
            if let best = state.best {
                try AtomicFile.write(try JSONText.encode(best, pretty: true) + "\n", to: dir + "/best.json")
                try AtomicFile.write(best.text, to: dir + "/best.txt")
            }
            if config.method == .ttt {
                let ext = policy.checkpointExtension
                try policy.save(to: dir + "/ttt_latest.\(ext)")
                if config.keepCheckpointEvery > 0 && step % config.keepCheckpointEvery == 0 {
                    try policy.save(to: dir + String(format: "/ttt_step_%07d.", step) + ext)
                }
            }
            try AtomicFile.write(try JSONText.encode(state) + "\n", to: dir + "/ttt_state.json")
        }
        try AtomicFile.appendLine(try JSONText.encode(metrics), to: dir + "/metrics.jsonl")
    }

    /// Drops metrics lines past the checkpointed step (written after the last checkpoint of a killed run).
    static func truncateMetrics(_ path: String, toStep step: Int) throws {
        guard let data = FileManager.default.contents(atPath: path) else { return }
        var kept: [String] = []
        for (i, line) in String(decoding: data, as: UTF8.self).split(separator: "\n").enumerated() {
            let m = try JSONText.decode(StepMetrics.self, from: String(line), source: "\(path):\(i + 1)")
            if m.step <= step { kept.append(String(line)) }
        }
        try AtomicFile.write(kept.map { $0 + "\n" }.joined(), to: path)
    }
}
