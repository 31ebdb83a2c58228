import ArgumentParser
import Foundation
import SDFT
import Tensor
import TokenData
import Training

extension KLDirection: ExpressibleByArgument {}
extension FineTuneMethod: ExpressibleByArgument {}

/// `discover sdft`: on-policy self-distillation fine-tuning from demonstrations, or the SFT baseline
/// (docs/sdft.md).
struct SDFTCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sdft",
        abstract: "Fine-tune a checkpoint on demonstrations by self-distillation (SDFT) or cross-entropy (SFT baseline).",
        discussion: """
        Writes into --out: sdft_step_%07d.safetensors (newest --keep-last kept), a concrete sdft_latest.safetensors, \
        metrics.jsonl (per step; new_task_score and retention_loss at evaluations), summary.json and sdft_config.json. \
        Checkpoints hold the student under the parameter names (loadable by every stage), the EMA teacher under \
        'teacher.' and the AdamW moments, so --resume OUT/sdft_latest.safetensors continues exactly. \
        SIGINT/SIGTERM finish the current step, write a checkpoint and exit 0.
        """)

    @Option(help: "Starting checkpoint (a pretrained model); not needed with --resume.") var ckpt: String?
    @Option(help: "Training JSONL: {\"prompt\", \"demonstration\", \"answer\"?} per line.") var data: String
    @Option(help: "Output folder.") var out: String
    @Option(help: "SentencePiece model (default: the one recorded in the checkpoint).") var tokenizer: String?
    @Option(help: "sdft (self-distillation) or sft (cross-entropy baseline) (default sdft).") var method: FineTuneMethod?
    @Option(help: "Optimizer steps, also the cosine schedule length (default 200).") var steps: Int?
    @Option(help: "Peak learning rate (default 1e-4).") var lr: Float?
    @Option(help: "Linear warmup steps (default 10).") var warmup: Int?
    @Option(help: "Final learning rate as a fraction of the peak (default 0.1).") var minLrRatio: Float?
    @Option(help: "Decoupled weight decay on matrices and embeddings (default 0).") var weightDecay: Float?
    @Option(help: "Global gradient-norm clip, 0 disables (default 1.0).") var clip: Double?
    @Option(help: "Examples per optimizer step (default 4).") var promptsPerStep: Int?
    @Option(help: "Sampled completion tokens per prompt at most (default 48).") var maxNewTokens: Int?
    @Option(help: "Divergence: forward = KL(teacher‖student), reverse = KL(student‖teacher) (default forward).") var kl: KLDirection?
    @Option(help: "First completion tokens left out of the loss (default 3).") var skipTokens: Int?
    @Option(help: "EMA rate a of the teacher update φ ← a·θ + (1−a)·φ (default 0.01).") var ema: Float?
    @Option(help: "Teacher template file with {prompt} and {demonstration} (default: the spec's template).") var template: String?
    @Option(help: "Held-out JSONL {\"prompt\", \"answer\"} for the new-task score (exact match of the final answer).") var evalData: String?
    @Option(help: "Evaluate every N steps (always at step 0 and at the end) (default 50).") var evalEvery: Int?
    @Option(help: "Retention windows of max_seq_len tokens from the start of --retain-bin (default 16).") var evalWindows: Int?
    @Option(help: "Greedy tokens per held-out prompt (default 48).") var evalMaxNewTokens: Int?
    @Option(help: "Pretraining validation shard for the retention loss (e.g. data/packed/val.bin).") var retainBin: String?
    @Option(help: "Save a checkpoint every N steps, 0 only at the end (default 100).") var saveEvery: Int?
    @Option(help: "Step checkpoints to keep, 0 keeps all (default 3).") var keepLast: Int?
    @Option(help: "Plain log line every N steps when stdout is not a terminal (default 10).") var logEvery: Int?
    @Option(help: "Seed for the example order and sampling (default 1337).") var seed: UInt64?
    @Option(help: "Compute threads (default: all cores).") var threads: Int?
    @Option(help: "Stop after this step with a checkpoint, keeping the --steps schedule (resume later).") var stopAfter: Int?
    @Option(help: "Resume from an SDFT checkpoint (e.g. OUT/sdft_latest.safetensors).") var resume: String?

    func validate() throws {
        if ckpt == nil && resume == nil { throw ValidationError("give --ckpt (the starting checkpoint) or --resume") }
        if let t = threads, t < 1 { throw ValidationError("--threads must be at least 1 (got \(t))") }
    }

    func run() throws {
        do {
            try train()
        } catch let error as TrainingError {
            throw ValidationFailure(error.message)
        } catch let error as SDFTError {
            throw ValidationFailure(error.description)
        }
    }

    private func train() throws {
        Parallel.setThreads(threads ?? ProcessInfo.processInfo.activeProcessorCount)
        let source = resume ?? ckpt!
        let loaded = try LoadedModel.load(checkpoint: source, tokenizer: tokenizer)
        var options = SDFTOptions(outDir: out)
        var overrides: Set<String> = []
        func set<T>(_ value: T?, _ flag: String, _ apply: (T) -> Void) {
            if let value { apply(value); overrides.insert(flag) }
        }
        set(method, "method") { options.method = $0 }
        set(steps, "steps") { options.steps = $0 }
        set(lr, "lr") { options.lr = $0 }
        set(warmup, "warmup") { options.warmup = $0 }
        set(minLrRatio, "min-lr-ratio") { options.minLRRatio = $0 }
        set(weightDecay, "weight-decay") { options.weightDecay = $0 }
        set(clip, "clip") { options.clip = $0 }
        set(promptsPerStep, "prompts-per-step") { options.promptsPerStep = $0 }
        set(maxNewTokens, "max-new-tokens") { options.maxNewTokens = $0 }
        set(kl, "kl") { options.kl = $0 }
        set(skipTokens, "skip-tokens") { options.skipTokens = $0 }
        set(ema, "ema") { options.emaRate = $0 }
        set(seed, "seed") { options.seed = $0 }
        if let evalEvery { options.evalEvery = evalEvery }
        if let evalWindows { options.evalWindows = evalWindows }
        if let evalMaxNewTokens { options.evalMaxNewTokens = evalMaxNewTokens }
        if let saveEvery { options.saveEvery = saveEvery }
        if let keepLast { options.keepLast = keepLast }
        if let logEvery { options.logEvery = logEvery }
        options.stopAfter = stopAfter
        options.tokenizerPath = loaded.tokenizerPath
        options.tokenizerHash = loaded.tokenizer.contentHash
        options.dataName = data
        options.startCheckpoint = ckpt ?? ""

        let examples = try SDFTDataset.load(path: data)
        let heldOut = try evalData.map { try SDFTDataset.load(path: $0, requireDemonstration: false) } ?? []
        let teacherTemplate: TeacherTemplate
        if let template {
            guard let text = try? String(contentsOfFile: template, encoding: .utf8) else {
                throw ValidationFailure("\(template): cannot read the teacher template")
            }
            teacherTemplate = try TeacherTemplate(text.hasSuffix("\n") ? String(text.dropLast()) : text, source: template)
        } else {
            teacherTemplate = try TeacherTemplate()
        }
        let retain = try retainBin.map { try ShardReader(path: $0) }

        SignalMonitor.shared.install()
        let trainer = try SDFTTrainer(options: options, start: loaded.model, examples: examples,
                                      codec: TextCodec(loaded.tokenizer), template: teacherTemplate, heldOut: heldOut,
                                      retain: retain, resume: resume, overrides: overrides)
        let o = trainer.options
        print("""
        sdft: method \(o.method.rawValue), \(trainer.student.parameterCount) parameters, \(o.steps) steps × \
        \(o.promptsPerStep) prompts, lr \(o.lr) warmup \(o.warmup)\(o.method == .sdft ? ", kl \(o.kl.rawValue), skip \(o.skipTokens), ema \(o.emaRate), max-new-tokens \(o.maxNewTokens)" : ""), threads \(Parallel.threads)
        data: \(data) (\(examples.count) examples); held-out: \(evalData ?? "none") (\(heldOut.count)); \
        retention: \(retainBin ?? "none"); tokenizer: \(loaded.tokenizerPath); out: \(out)
        """)
        let result = try trainer.run()
        let last = result.evaluations.last
        let first = result.evaluations.first
        func fmt(_ v: Double?) -> String { v.map { String(format: "%.4f", $0) } ?? "n/a" }
        if let first, let last, first.step != last.step {
            print("summary: new-task score \(fmt(first.result.newTaskScore)) → \(fmt(last.result.newTaskScore)), retention loss \(fmt(first.result.retentionLoss)) → \(fmt(last.result.retentionLoss)) (steps \(first.step) → \(last.step)); \(out)/summary.json")
        } else if let last {
            print("summary: step \(last.step): new-task score \(fmt(last.result.newTaskScore)), retention loss \(fmt(last.result.retentionLoss)); \(out)/summary.json")
        }
        switch result.stop {
        case .completed: print("done: step \(result.finalStep), checkpoint \(trainer.checkpoints.latestPath)")
        case .stoppedAfter: print("stopped after step \(result.finalStep) (--stop-after); resume with --resume \(trainer.checkpoints.latestPath)")
        case .signal: print("interrupted at step \(result.finalStep); resume with --resume \(trainer.checkpoints.latestPath)")
        }
    }
}
