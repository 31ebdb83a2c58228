import Model

/// Everything that defines a pretraining run. Steps, logging, evaluation and saving count optimizer steps;
/// each optimizer step consumes `microBatch × gradAccum` windows of `seqLen + 1` tokens.
public struct PretrainOptions: Sendable {
    public var outDir: String
    public var model: ModelConfig
    /// Total optimizer steps (also the length of the cosine schedule).
    public var steps: Int = Defaults.steps
    public var seqLen: Int = Defaults.seqLen
    public var microBatch: Int = Defaults.microBatch
    public var gradAccum: Int = Defaults.gradAccum
    public var lr: Float = Defaults.lr
    public var minLRRatio: Float = Defaults.minLRRatio
    public var warmup: Int = Defaults.warmup
    public var weightDecay: Float = Defaults.weightDecay
    public var clip: Double = Defaults.clip
    public var evalEvery: Int = Defaults.evalEvery
    public var evalWindows: Int = Defaults.evalWindows
    public var saveEvery: Int = Defaults.saveEvery
    public var keepLast: Int = Defaults.keepLast
    public var logEvery: Int = Defaults.logEvery
    public var seed: UInt64 = Defaults.seed
    /// End this invocation after this step (writing a checkpoint) without changing the schedule; resuming
    /// continues as if the run had never stopped.
    public var stopAfter: Int? = nil
    /// Recorded in checkpoint metadata so later stages can find and check the tokenizer.
    public var tokenizerPath: String? = nil
    public var tokenizerHash: String? = nil
    public var trainName: String = ""
    public var valName: String = ""

    /// Default values (also shown in `discover pretrain --help`).
    public enum Defaults {
        public static let steps: Int = 1000
        public static let seqLen: Int = 128
        public static let microBatch: Int = 8
        public static let gradAccum: Int = 1
        public static let lr: Float = 3e-3
        public static let minLRRatio: Float = 0.1
        public static let warmup: Int = 50
        public static let weightDecay: Float = 0.1
        public static let clip: Double = 1.0
        public static let evalEvery: Int = 100
        public static let evalWindows: Int = 32
        public static let saveEvery: Int = 200
        public static let keepLast: Int = 3
        public static let logEvery: Int = 10
        public static let seed: UInt64 = 1337
    }

    public init(outDir: String, model: ModelConfig) {
        self.outDir = outDir
        self.model = model
    }

    /// Rejects impossible settings, naming the flag.
    public func validate() throws {
        func need(_ ok: Bool, _ message: String) throws { if !ok { throw TrainingError(message) } }
        try need(steps >= 1, "--steps must be at least 1 (got \(steps))")
        try need(seqLen >= 1, "--seq-len must be at least 1 (got \(seqLen))")
        try need(seqLen <= model.maxSeqLen, "--seq-len \(seqLen) exceeds the model's max_seq_len \(model.maxSeqLen)")
        try need(microBatch >= 1, "--micro-bs must be at least 1 (got \(microBatch))")
        try need(gradAccum >= 1, "--grad-accum must be at least 1 (got \(gradAccum))")
        try need(lr > 0 && lr.isFinite, "--lr must be a positive number (got \(lr))")
        try need(minLRRatio >= 0 && minLRRatio <= 1, "--min-lr-ratio must be in [0, 1] (got \(minLRRatio))")
        try need(warmup >= 0, "--warmup must be non-negative (got \(warmup))")
        try need(weightDecay >= 0, "--weight-decay must be non-negative (got \(weightDecay))")
        try need(clip >= 0, "--clip must be non-negative, 0 disables it (got \(clip))")
        try need(evalEvery >= 0, "--eval-every must be non-negative, 0 disables it (got \(evalEvery))")
        try need(evalWindows >= 0, "--eval-windows must be non-negative (got \(evalWindows))")
        try need(saveEvery >= 0, "--save-every must be non-negative, 0 saves only at the end (got \(saveEvery))")
        try need(keepLast >= 0, "--keep-last must be non-negative, 0 keeps all (got \(keepLast))")
        try need(logEvery >= 1, "--log-every must be at least 1 (got \(logEvery))")
        if let s = stopAfter { try need(s >= 1, "--stop-after must be at least 1 (got \(s))") }
    }

    /// Sequences per optimizer step.
    public var sequencesPerStep: Int { microBatch * gradAccum }
    /// Target tokens per optimizer step.
    public var tokensPerStep: Int { sequencesPerStep * seqLen }
}
