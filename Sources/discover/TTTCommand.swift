// `discover ttt` and `discover best-of-n`: TTT-Discover on one environment from a checkpoint, and the
// no-training baseline with the same options and sample budget (docs/discover.md).
import ArgumentParser
import BuiltinEnvironments
import Discover
import EnvironmentKit
import Foundation
import JSONLines
import Tensor

/// Options shared by `ttt` and `best-of-n`.
struct DiscoveryOptions: ParsableArguments {
    @Option(help: "Checkpoint to start from (the policy is full-fine-tuned from it).") var ckpt: String
    @Option(help: "Environment id, e.g. toy/target-string-v0.") var env: String
    @OptionGroup var environment: EnvironmentOptionsGroup
    @Option(help: "Tokenizer model (default: the one recorded in the checkpoint).") var tokenizer: String?
    @Option(help: "Output directory (default: runs/ttt or runs/best-of-n).") var out: String?
    @Option(help: "Steps.") var steps = 50
    @Option(help: "Groups (start states) per step.") var groups = 8
    @Option(help: "Rollouts per group.") var groupSize = 8
    @Option(help: "Learning rate (AdamW).") var lr = 1e-4
    @Option(help: "Weight λ of the per-token KL penalty to the starting policy (0 disables).") var klCoef = 0.1
    @Option(help: "Start-state sampler: puct, greedy or fixed.") var sampler = "puct"
    @Option(help: "Objective: entropic-adaptive, entropic or mean.") var objective = "entropic-adaptive"
    @Option(help: "β of the fixed-β entropic objective.") var beta = 1.0
    @Option(help: "Max new tokens per rollout.") var maxNewTokens = 256
    @Option(help: "Sampling temperature.") var temperature = 1.0
    @Option(help: "Seed.") var seed: UInt64 = 0
    @Option(help: "Also keep ttt_step_%07d checkpoints every N steps (0: only ttt_latest).") var keepCheckpointEvery = 0
    @Option(help: "Sequences per forward/backward pass in the update.") var microBatch = 8
    @Option(help: "Evaluations in flight.") var evalParallelism = 8
    @Option(help: "Threads for the model.") var threads = 2
    @Flag(help: "Continue the run in --out.") var resume = false

    func validate() throws {
        guard FileManager.default.fileExists(atPath: ckpt) else { throw ValidationError("--ckpt \(ckpt): no such file") }
        guard threads >= 1, microBatch >= 1 else { throw ValidationError("--threads and --micro-batch must be ≥ 1") }
        do { _ = try config(method: .ttt) } catch let error as DiscoverError { throw ValidationError(error.description) }
    }

    func config(method: DiscoverMethod) throws -> TTTConfig {
        var c = TTTConfig()
        c.method = method
        c.steps = steps
        c.groups = groups
        c.groupSize = groupSize
        c.learningRate = lr
        c.klCoefficient = klCoef
        c.sampler = try StateSampler(name: sampler)
        c.objective = try Objective(name: objective, beta: beta)
        c.sampling = RolloutOptions(maxNewTokens: maxNewTokens, temperature: temperature)
        c.seed = seed
        c.keepCheckpointEvery = keepCheckpointEvery
        c.evaluationParallelism = evalParallelism
        try c.validate()
        return c
    }

    func run(method: DiscoverMethod) async throws {
        Parallel.setThreads(threads)
        let config = try config(method: method)
        let dir = out ?? "runs/\(method.rawValue)"
        let loaded = try LoadedModel.load(checkpoint: ckpt, tokenizer: tokenizer)
        let environment = try BuiltinEnvironments.registry().make(env, options: try self.environment.options())
        let policy = ModelPolicy(model: loaded.model, codec: loaded.tokenizer)
        policy.microBatch = microBatch
        let loop: TTTDiscover<ModelPolicy>
        do {
            loop = try await TTTDiscover(policy: policy, environment: environment, config: config,
                                         outputDirectory: dir, resume: resume)
        } catch {
            await environment.shutdown()
            throw error
        }
        if resume && loop.completedSteps > 0 { printProgress("resuming \(dir) at step \(loop.completedSteps)") }
        loop.onStep = { printProgress($0.progressLine) }
        let summary: DiscoverySummary
        do { summary = try await loop.run() } catch {
            await environment.shutdown()
            throw error
        }
        await environment.shutdown()

        let best = summary.best.map { String(format: "%.6g", $0.reward) } ?? "none valid"
        print("")
        print("| method | env | steps | samples | best | wall s | archive |")
        print("|---|---|---|---|---|---|---|")
        print("| \(method.rawValue) | \(environment.spec.id) | \(summary.steps) | \(summary.samples) | \(best) | "
              + "\(String(format: "%.1f", summary.elapsedSeconds)) | \(summary.archiveSize) |")
        print("best candidate: \(dir)/best.txt (details in \(dir)/best.json); metrics: \(dir)/metrics.jsonl; "
              + "archive: \(dir)/archive.jsonl" + (method == .ttt ? "; policy: \(dir)/ttt_latest.safetensors" : ""))
        if let target = environment.spec.target { print("public reference value: \(target)") }
        var figures: [String: JSONValue] = [
            "method": .string(method.rawValue), "env": .string(environment.spec.id), "steps": .int(Int64(summary.steps)),
            "samples": .int(Int64(summary.samples)), "wall_s": .double(summary.elapsedSeconds), "out": .string(dir),
        ]
        figures["best"] = summary.best.map { .double($0.reward) } ?? .null
        print(JSONL.serialize(.object(figures)))
    }
}

/// One progress line on stderr (unbuffered, so it is live even when stdout is piped to a file).
func printProgress(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

struct TTTCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ttt",
        abstract: "TTT-Discover: test-time training against an environment, from a checkpoint.")
    @OptionGroup var options: DiscoveryOptions
    func run() async throws { try await options.run(method: .ttt) }
}

struct BestOfNCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "best-of-n",
        abstract: "The baseline: the same sample budget from the initial states, no training.")
    @OptionGroup var options: DiscoveryOptions
    func run() async throws { try await options.run(method: .bestOfN) }
}
