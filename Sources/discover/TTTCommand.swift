import ArgumentParser
import BuiltinEnvironments
import Discover
import EnvironmentKit
import Foundation
import JSONLines
import Model
import Tensor
import Tokenizer
import Training

/// Options shared by `discover ttt` and `discover best-of-n` (the same budget: steps × groups × group-size).
struct DiscoverRunOptions: ParsableArguments {
    @Option(help: "Starting model checkpoint (safetensors).") var ckpt: String
    @Option(help: "Environment id, e.g. toy/target-string-v0.") var env: String
    @OptionGroup var environment: EnvironmentOptionsGroup
    @Option(help: "SentencePiece model (default: the one recorded in the checkpoint).") var tokenizer: String?
    @Option(help: "Output folder.") var out: String?
    @Option(help: "Steps (each draws groups × group-size samples).") var steps = TTTDefaults.steps
    @Option(help: "Start states (groups) per step.") var groups = TTTDefaults.groups
    @Option(help: "Rollouts per group.") var groupSize = TTTDefaults.groupSize
    @Option(help: "Adam learning rate (TTT only).") var lr = TTTDefaults.learningRate
    @Option(help: "Weight λ of the per-token KL penalty to the starting policy (TTT only).") var klCoef = TTTDefaults.klCoefficient
    @Option(help: "LoRA rank: train adapters on every block's q/k/v/o/gate/up/down projections instead of all weights; 0 = full fine-tuning (TTT only).")
    var loraRank = 0
    @Option(help: "LoRA alpha: adapter outputs are scaled by alpha / rank (default: 2 × rank).") var loraAlpha: Double?
    @Option(help: "Start-state sampler: puct, greedy or fixed (TTT only; best-of-n always samples from the initial states).")
    var sampler = "puct"
    @Option(help: "Objective: entropic-adaptive, entropic or mean (TTT only).") var objective = "entropic-adaptive"
    @Option(help: "β of the fixed-β entropic objective.") var beta = 1.0
    @Option(help: "New tokens per completion at most.") var maxNewTokens = TTTDefaults.maxNewTokens
    @Option(help: "Sampling temperature.") var temperature = 1.0
    @Option(help: "Seed of sampling and state selection.") var seed: UInt64 = 0
    @Option(help: "Also keep ttt_step_%07d checkpoints every N steps (0: only ttt_latest).") var keepCheckpointEvery = 0
    @Option(help: "Sequences per forward/backward pass in the update.") var microBatch = 8
    @Option(help: "Evaluations in flight.") var evalParallelism = 8
    @Option(help: "Compute threads (default: all cores).") var threads: Int?
    @Flag(help: "Continue the run in --out.") var resume = false

    func config(method: DiscoverMethod) throws -> TTTConfig {
        var c = TTTConfig()
        c.method = method
        c.steps = steps
        c.groups = groups
        c.groupSize = groupSize
        c.learningRate = lr
        c.klCoefficient = klCoef
        c.loraRank = loraRank
        c.loraAlpha = loraAlpha
        c.sampler = try StateSampler(name: sampler)
        c.objective = try Objective(name: objective, beta: beta)
        c.sampling = RolloutOptions(maxNewTokens: maxNewTokens, temperature: temperature)
        c.seed = seed
        c.keepCheckpointEvery = keepCheckpointEvery
        c.evaluationParallelism = evalParallelism
        try c.validate()
        return c
    }
}

/// Default budget and hyper-parameters of the command line (the spec's values where it gives them;
/// `discover quickstart` passes the settings tuned for the toy task, see `QuickstartCommand.tttArguments`).
enum TTTDefaults {
    static let steps = 12
    static let groups = 8
    static let groupSize = 8
    static let learningRate = 1e-4
    static let klCoefficient = 0.1
    static let maxNewTokens = 64
}

/// Builds the model policy from a checkpoint: the starting weights are trained in place (or, with `lora`,
/// frozen under trained adapters) and the starting policy is the base policy of the KL penalty.
func makeModelPolicy(checkpoint: String, tokenizer: String?, lora: LoRAConfig?) throws -> ModelPolicy {
    let loaded = try LoadedModel.load(checkpoint: checkpoint, tokenizer: tokenizer)
    let spm = loaded.tokenizer
    var meta: [String: String] = ["tokenizer_path": loaded.tokenizerPath, "tokenizer_sha256": spm.contentHash,
                                  "ttt_start_checkpoint": checkpoint]
    if let seed = loaded.metadata["seed"] { meta["pretrain_seed"] = seed }
    let policy: ModelPolicy
    if let lora {
        policy = try ModelPolicy(model: loaded.model, codec: spm, lora: lora)     // LoRAError when the rank does not fit
    } else {
        policy = ModelPolicy(model: loaded.model, codec: spm)
    }
    policy.metadata = meta
    return policy
}

/// Runs one discovery (TTT or best-of-N) with a live progress line; SIGINT/SIGTERM end it after the step
/// in flight, which is checkpointed, and return normally (exit 0).
@discardableResult
func runDiscovery(options o: DiscoverRunOptions, method: DiscoverMethod) async throws -> DiscoverySummary {
    Parallel.setThreads(o.threads ?? ProcessInfo.processInfo.activeProcessorCount)
    let config: TTTConfig
    do { config = try o.config(method: method) } catch { throw CLIError("\(error)") }
    let out = o.out ?? "runs/\(method == .ttt ? "ttt" : "best-of-n")"
    let env: any Environment
    do { env = try BuiltinEnvironments.registry().make(o.env, options: o.environment.options()) } catch {
        throw CLIError("\(error)")
    }
    guard o.microBatch >= 1 else { throw CLIError("--micro-batch must be at least 1 (got \(o.microBatch))") }
    let policy: ModelPolicy
    do {
        policy = try makeModelPolicy(checkpoint: o.ckpt, tokenizer: o.tokenizer, lora: config.lora)
    } catch let error as LoRAError { throw CLIError(error.description) }
    policy.microBatch = o.microBatch
    try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
    let loop: TTTDiscover<ModelPolicy>
    do {
        loop = try await TTTDiscover(policy: policy, environment: env, config: config, outputDirectory: out,
                                     resume: o.resume)
    } catch let error as DiscoverError { throw CLIError(error.description) }
    if o.resume && loop.completedSteps > 0 { print("resuming \(out) at step \(loop.completedSteps)/\(config.steps)") }
    print("\(method.rawValue) on \(env.spec.id): \(config.steps) steps × \(config.groups) groups × \(config.groupSize) = \(config.steps * config.samplesPerStep) samples → \(out)")
    SignalMonitor.shared.install()
    // On a terminal the progress line is rewritten in place; otherwise one line per step (stderr is unbuffered).
    let live = isatty(STDERR_FILENO) != 0 ? ProgressLine() : nil
    var interrupted: Int32?
    while loop.completedSteps < config.steps {
        if let sig = SignalMonitor.shared.pendingSignal() { interrupted = sig; break }
        let m: StepMetrics
        do { m = try await loop.runStep() } catch {
            live?.finish()
            await env.shutdown()
            throw error
        }
        let line = "[\(method.rawValue)] " + m.progressLine
        if let live { live.show(line, stage: "step") } else { printProgress(line) }
    }
    live?.finish()
    await env.shutdown()
    let s = loop.summary
    if let sig = interrupted {
        print("\(SignalMonitor.name(sig)): stopped after step \(s.steps) (checkpointed); continue with --resume")
    }
    let best = s.best.map { String(format: "%.6g", $0.reward) } ?? "none valid"
    print("")
    print("| method | env | steps | samples | best | wall s | archive |")
    print("|---|---|---|---|---|---|---|")
    print("| \(method.rawValue) | \(env.spec.id) | \(s.steps) | \(s.samples) | \(best) | "
          + "\(String(format: "%.1f", s.elapsedSeconds)) | \(s.archiveSize) |")
    if let b = s.best { print("best candidate: \(b.text.debugDescription)") }
    print("artifacts: \(out)/best.txt, \(out)/best.json, \(out)/metrics.jsonl, \(out)/archive.jsonl"
          + (method == .ttt ? ", \(out)/ttt_latest.safetensors" : ""))
    if let target = env.spec.target { print("public reference value: \(target)") }
    var figures: [String: JSONValue] = [
        "method": .string(method.rawValue), "env": .string(env.spec.id), "steps": .int(Int64(s.steps)),
        "samples": .int(Int64(s.samples)), "wall_s": .double(s.elapsedSeconds), "out": .string(out),
        "interrupted": .bool(interrupted != nil),
    ]
    figures["best"] = s.best.map { .double($0.reward) } ?? .null
    print(JSONL.serialize(.object(figures)))
    return s
}

/// One progress line on stderr (unbuffered, so it is live even when stdout is piped to a file).
func printProgress(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

/// `discover ttt`: test-time training to discover, with the model policy.
struct TTTCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ttt",
        abstract: "TTT-Discover: train the model at test time against one environment to find one excellent solution.",
        discussion: """
        Writes into --out: ttt_latest.safetensors (weights + Adam moments; ttt_step_%07d with --keep-checkpoint-every; \
        with --lora-rank the weights are merged with the adapters, which are stored beside them under lora.), \
        archive.jsonl, metrics.jsonl (one line per step), best.json + best.txt, ttt_state.json and run.json. \
        SIGINT/SIGTERM finish the current step, checkpoint and exit 0; --resume continues.
        """)
    @OptionGroup var options: DiscoverRunOptions
    func run() async throws { try await runDiscovery(options: options, method: .ttt) }
}

/// `discover best-of-n`: the baseline at the same sample budget, no training.
struct BestOfNCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "best-of-n",
        abstract: "Best-of-N baseline: the same model and sample budget as ttt, always from the initial states, no training.")
    @OptionGroup var options: DiscoverRunOptions
    func run() async throws { try await runDiscovery(options: options, method: .bestOfN) }
}
