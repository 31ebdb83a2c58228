import Model

/// Which objective a fine-tuning run optimises.
public enum FineTuneMethod: String, Sendable, CaseIterable, Codable {
    /// On-policy self-distillation from the demonstration-conditioned EMA teacher.
    case sdft
    /// Supervised cross-entropy on the demonstration tokens (the baseline).
    case sft
}

/// Everything that defines an SDFT (or SFT-baseline) run. Steps, evaluation and saving count optimizer
/// steps; each step consumes `promptsPerStep` examples.
public struct SDFTOptions: Sendable {
    public var outDir: String
    public var method: FineTuneMethod = .sdft
    public var steps: Int = 200
    public var lr: Float = 1e-4
    public var minLRRatio: Float = 0.1
    public var warmup: Int = 10
    public var weightDecay: Float = 0.0
    public var clip: Double = 1.0
    public var promptsPerStep: Int = 4
    public var maxNewTokens: Int = 48
    public var kl: KLDirection = .forward
    /// First completion tokens of each sequence left out of the loss.
    public var skipTokens: Int = 3
    /// EMA rate `a` of the teacher update φ ← a·θ + (1−a)·φ.
    public var emaRate: Float = 0.01
    /// Evaluate every N steps (and always at the end); 0 evaluates only at the start and the end.
    public var evalEvery: Int = 50
    /// Retention windows from the start of the pretraining validation shard.
    public var evalWindows: Int = 16
    /// Greedy tokens generated per held-out prompt.
    public var evalMaxNewTokens: Int = 48
    public var saveEvery: Int = 100
    public var keepLast: Int = 3
    public var logEvery: Int = 10
    public var seed: UInt64 = 1337
    /// End this invocation after this step (writing a checkpoint) without changing the schedule; resuming
    /// continues as if the run had never stopped.
    public var stopAfter: Int? = nil
    /// Recorded in checkpoint metadata (not interpreted by the trainer).
    public var tokenizerPath: String? = nil
    public var tokenizerHash: String? = nil
    public var dataName: String = ""
    public var startCheckpoint: String = ""

    public init(outDir: String) { self.outDir = outDir }

    /// Rejects impossible settings, naming the flag.
    public func validate(model: ModelConfig) throws {
        func need(_ ok: Bool, _ message: String) throws { if !ok { throw SDFTError.badOption(message) } }
        try need(steps >= 1, "--steps must be at least 1 (got \(steps))")
        try need(lr > 0 && lr.isFinite, "--lr must be a positive number (got \(lr))")
        try need(minLRRatio >= 0 && minLRRatio <= 1, "--min-lr-ratio must be in [0, 1] (got \(minLRRatio))")
        try need(warmup >= 0, "--warmup must be non-negative (got \(warmup))")
        try need(weightDecay >= 0, "--weight-decay must be non-negative (got \(weightDecay))")
        try need(clip >= 0, "--clip must be non-negative, 0 disables it (got \(clip))")
        try need(promptsPerStep >= 1, "--prompts-per-step must be at least 1 (got \(promptsPerStep))")
        try need(maxNewTokens >= 1, "--max-new-tokens must be at least 1 (got \(maxNewTokens))")
        try need(maxNewTokens < model.maxSeqLen, "--max-new-tokens \(maxNewTokens) must be below the model's max_seq_len \(model.maxSeqLen)")
        try need(skipTokens >= 0, "--skip-tokens must be non-negative (got \(skipTokens))")
        try need(emaRate >= 0 && emaRate <= 1, "--ema must be in [0, 1] (got \(emaRate))")
        try need(evalEvery >= 0, "--eval-every must be non-negative, 0 evaluates only at the start and end (got \(evalEvery))")
        try need(evalWindows >= 0, "--eval-windows must be non-negative (got \(evalWindows))")
        try need(evalMaxNewTokens >= 1, "--eval-max-new-tokens must be at least 1 (got \(evalMaxNewTokens))")
        try need(saveEvery >= 0, "--save-every must be non-negative, 0 saves only at the end (got \(saveEvery))")
        try need(keepLast >= 0, "--keep-last must be non-negative, 0 keeps all (got \(keepLast))")
        if let s = stopAfter { try need(s >= 1, "--stop-after must be at least 1 (got \(s))") }
        try need(logEvery >= 1, "--log-every must be at least 1 (got \(logEvery))")
    }
}
