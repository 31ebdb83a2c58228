import ArgumentParser
import Foundation
import Model
import SafeTensors
import Tensor
import TokenData
import Tokenizer
import Training

/// `discover pretrain`: the pretrain stage (docs/training.md). Every flag has a default, so
/// `discover pretrain --out runs/x` trains the tiny model on the packed built-in data.
struct PretrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pretrain",
        abstract: "Pretrain the mHC model on token shards (AdamW, warmup + cosine, atomic checkpoints, exact resume).",
        discussion: """
        Writes into --out: ckpt_step_%07d.safetensors (newest --keep-last kept), a concrete ckpt_latest.safetensors, \
        metrics.jsonl and config.json. SIGINT/SIGTERM finish the current step, write a checkpoint and exit 0. \
        Resume with --resume OUT/ckpt_latest.safetensors: the checkpoint's schedule and batch settings are used \
        unless given again on the command line.
        """)

    @Option(help: "Training token shard.") var trainBin = "data/packed/train.bin"
    @Option(help: "Validation token shard.") var valBin = "data/packed/val.bin"
    @Option(help: "Output folder for checkpoints and metrics.") var out = "runs/pretrain"
    @Option(help: "Model config JSON (default configs/model_mhc_tiny.json; taken from the checkpoint on --resume).")
    var model: String?
    @Option(help: "Total optimizer steps, also the cosine schedule length (default \(D.steps)).") var steps: Int?
    @Option(help: "Tokens per training window (default \(D.seqLen)).") var seqLen: Int?
    @Option(help: "Sequences per micro-batch (default \(D.microBatch)).") var microBs: Int?
    @Option(help: "Micro-batches accumulated per optimizer step (default \(D.gradAccum)).") var gradAccum: Int?
    @Option(help: "Peak learning rate (default \(D.lr)).") var lr: Float?
    @Option(help: "Final learning rate as a fraction of the peak (default \(D.minLRRatio)).") var minLrRatio: Float?
    @Option(help: "Linear warmup steps (default \(D.warmup)).") var warmup: Int?
    @Option(help: "Decoupled weight decay on matrices and embeddings (default \(D.weightDecay)).") var weightDecay: Float?
    @Option(help: "Global gradient-norm clip, 0 disables (default \(D.clip)).") var clip: Double?
    @Option(help: "Evaluate every N steps and at the end, 0 disables (default \(D.evalEvery)).") var evalEvery: Int?
    @Option(help: "Validation windows per evaluation (default \(D.evalWindows)).") var evalWindows: Int?
    @Option(help: "Save a checkpoint every N steps, 0 only at the end (default \(D.saveEvery)).") var saveEvery: Int?
    @Option(help: "Step checkpoints to keep, 0 keeps all; ckpt_latest is never removed (default \(D.keepLast)).") var keepLast: Int?
    @Option(help: "Plain log line every N steps when stdout is not a terminal (default \(D.logEvery)).") var logEvery: Int?
    @Option(help: "Seed for initialisation and data sampling (default \(D.seed)).") var seed: UInt64?
    @Option(help: "Compute threads (default: all cores).") var threads: Int?
    @Option(help: "Stop after this step with a checkpoint, keeping the --steps schedule (resume later).") var stopAfter: Int?
    @Option(help: "SentencePiece model used to make the shards (default: TRAIN-BIN's folder/../tokenizer/spm.model when present).")
    var tokenizer: String?
    @Option(help: "Resume from a pretrain checkpoint (e.g. OUT/ckpt_latest.safetensors).") var resume: String?
    @Option(help: "Start from this checkpoint's weights with a fresh optimizer and schedule (continued pretraining on other data; the model config comes from it).")
    var initFrom: String?

    func validate() throws {
        if let t = threads, t < 1 { throw ValidationError("--threads must be at least 1 (got \(t))") }
    }

    func run() throws {
        do {
            try train()
        } catch let error as TrainingError {
            throw ValidationFailure(error.message)
        }
    }

    private func train() throws {
        Parallel.setThreads(threads ?? ProcessInfo.processInfo.activeProcessorCount)
        let configPath = model ?? "configs/model_mhc_tiny.json"
        var overrides: Set<String> = []
        // On --resume the model comes from the checkpoint; --model, if given, must agree with it.
        // Only the metadata is needed here (the mapping is released at once; Pretrainer loads the tensors).
        if resume != nil && initFrom != nil {
            throw TrainingError("give --resume (continue a run) or --init-from (start a new run from weights), not both")
        }
        let resumed = try (resume ?? initFrom).map { try SafeTensorsFile(path: $0).metadata }
        let config: ModelConfig
        if let resume = resume ?? initFrom, let resumed {
            guard let stored = resumed["config"] else {
                throw TrainingError("\(resume): metadata has no 'config' (not a model checkpoint)")
            }
            config = try ModelConfig.decode(json: stored, source: resume + " metadata 'config'")
            if model != nil, try ModelConfig.load(path: configPath) != config {
                throw TrainingError("--model \(configPath) differs from the model in \(resume); drop --model to use the checkpoint's model")
            }
        } else {
            config = try ModelConfig.load(path: configPath)
        }
        var options = PretrainOptions(outDir: out, model: config)
        func set<T>(_ value: T?, _ flag: String, _ apply: (T) -> Void) {
            if let value { apply(value); overrides.insert(flag) }
        }
        set(steps, "steps") { options.steps = $0 }
        set(seqLen, "seq-len") { options.seqLen = $0 }
        set(microBs, "micro-bs") { options.microBatch = $0 }
        set(gradAccum, "grad-accum") { options.gradAccum = $0 }
        set(lr, "lr") { options.lr = $0 }
        set(minLrRatio, "min-lr-ratio") { options.minLRRatio = $0 }
        set(warmup, "warmup") { options.warmup = $0 }
        set(weightDecay, "weight-decay") { options.weightDecay = $0 }
        set(clip, "clip") { options.clip = $0 }
        set(evalEvery, "eval-every") { options.evalEvery = $0 }
        set(evalWindows, "eval-windows") { options.evalWindows = $0 }
        set(saveEvery, "save-every") { options.saveEvery = $0 }
        set(keepLast, "keep-last") { options.keepLast = $0 }
        set(logEvery, "log-every") { options.logEvery = $0 }
        set(seed, "seed") { options.seed = $0 }
        options.stopAfter = stopAfter

        let trainShard = try ShardReader(path: trainBin)
        let valShard = try ShardReader(path: valBin)
        options.trainName = trainBin
        options.valName = valBin

        // The tokenizer that made the shards is recorded so later stages can find it and refuse another.
        let tokenizerPath = tokenizer ?? Self.defaultTokenizerPath(trainBin: trainBin)
        if let tokenizerPath {
            let tok = try SentencePieceTokenizer(modelPath: tokenizerPath)
            options.tokenizerPath = tokenizerPath
            options.tokenizerHash = tok.contentHash
            if tok.vocabSize > config.vocabSize {
                throw TrainingError("\(tokenizerPath): tokenizer has \(tok.vocabSize) pieces but the model has vocab_size \(config.vocabSize)")
            }
        }
        if let resume = resume ?? initFrom, let meta = resumed {
            if let stored = meta["tokenizer_sha256"], let hash = options.tokenizerHash, stored != hash {
                throw TrainingError("tokenizer mismatch: \(resume) was trained with \(meta["tokenizer_path"] ?? "?") (sha256 \(stored)), but \(options.tokenizerPath ?? "?") has sha256 \(hash)")
            }
            if options.tokenizerHash == nil {
                options.tokenizerPath = meta["tokenizer_path"]
                options.tokenizerHash = meta["tokenizer_sha256"]
            }
        }

        SignalMonitor.shared.install()
        let trainer = try Pretrainer(options: options, train: trainShard, val: valShard, resume: resume, initFrom: initFrom, overrides: overrides)
        let o = trainer.options
        print("""
        pretrain: \(trainer.model.parameterCount) parameters (d_model \(o.model.dModel), \(o.model.nLayers) layers, \
        \(o.model.nStreams) streams), \(o.steps) steps × \(o.microBatch)×\(o.gradAccum) sequences × \(o.seqLen) tokens \
        = \(o.tokensPerStep) tokens/step, lr \(o.lr) warmup \(o.warmup), threads \(Parallel.threads)
        data: \(trainBin) (\(trainShard.count) tokens), \(valBin) (\(valShard.count) tokens); \
        tokenizer: \(o.tokenizerPath ?? "not recorded"); out: \(out)
        """)
        let result = try trainer.run()
        switch result.stop {
        case .completed: print("done: step \(result.finalStep), checkpoint \(trainer.checkpoints.latestPath)")
        case .stoppedAfter: print("stopped after step \(result.finalStep) (--stop-after); resume with --resume \(trainer.checkpoints.latestPath)")
        case .signal: print("interrupted at step \(result.finalStep); resume with --resume \(trainer.checkpoints.latestPath)")
        }
    }

    /// `DIR/../tokenizer/spm.model` for shards in DIR, when that file exists.
    static func defaultTokenizerPath(trainBin: String) -> String? {
        let dir = URL(fileURLWithPath: trainBin).deletingLastPathComponent()
        let candidate = dir.deletingLastPathComponent().appendingPathComponent("tokenizer/spm.model").path
        return FileManager.default.fileExists(atPath: candidate) ? candidate : nil
    }
}

private typealias D = PretrainOptions.Defaults

/// A user-facing failure: ArgumentParser prints "Error: MESSAGE" and exits non-zero.
struct ValidationFailure: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}
