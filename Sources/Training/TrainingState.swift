import Model

/// The resumable state of a pretraining run, stored in checkpoint metadata (all values are strings).
///
/// Keys: `stage` ("pretrain"), `step`, `config` (model JSON, written by Checkpoint), `sampler_state`,
/// `tokens_seen`, `seed`, the schedule (`lr`, `min_lr_ratio`, `warmup`, `total_steps`), the optimizer
/// (`weight_decay`, `clip`, `adam_beta1`, `adam_beta2`, `adam_eps`), the batch shape (`seq_len`, `micro_bs`,
/// `grad_accum`), data (`train_bin`, `val_bin`) and the tokenizer (`tokenizer_path`, `tokenizer_sha256`).
public struct TrainingState: Sendable, Equatable {
    public var step: Int
    public var samplerState: UInt64
    public var tokensSeen: Int

    public init(step: Int, samplerState: UInt64, tokensSeen: Int) {
        self.step = step
        self.samplerState = samplerState
        self.tokensSeen = tokensSeen
    }

    /// Metadata for a checkpoint of `options` at this state.
    public func metadata(options o: PretrainOptions, optimizer: AdamW) -> [String: String] {
        var m: [String: String] = [
            "stage": "pretrain",
            "step": String(step),
            "config": o.model.jsonString(),
            "sampler_state": String(samplerState),
            "tokens_seen": String(tokensSeen),
            "seed": String(o.seed),
            "lr": String(o.lr),
            "min_lr_ratio": String(o.minLRRatio),
            "warmup": String(o.warmup),
            "total_steps": String(o.steps),
            "weight_decay": String(o.weightDecay),
            "clip": String(o.clip),
            "adam_beta1": String(optimizer.beta1),
            "adam_beta2": String(optimizer.beta2),
            "adam_eps": String(optimizer.eps),
            "optimizer_steps": String(optimizer.stepCount),
            "seq_len": String(o.seqLen),
            "micro_bs": String(o.microBatch),
            "grad_accum": String(o.gradAccum),
            "train_bin": o.trainName,
            "val_bin": o.valName,
        ]
        if let p = o.tokenizerPath { m["tokenizer_path"] = p }
        if let h = o.tokenizerHash { m["tokenizer_sha256"] = h }
        return m
    }

    /// Reads the state back; errors name the checkpoint and the key.
    public static func read(_ metadata: [String: String], file: String) throws -> TrainingState {
        func value<T: LosslessStringConvertible>(_ key: String, _: T.Type) throws -> T {
            guard let text = metadata[key] else {
                throw TrainingError("\(file): metadata key '\(key)' is missing (not a pretrain checkpoint?)")
            }
            guard let v = T(text) else { throw TrainingError("\(file): metadata key '\(key)' has bad value '\(text)'") }
            return v
        }
        guard metadata["stage"] == "pretrain" else {
            throw TrainingError("\(file): metadata 'stage' is '\(metadata["stage"] ?? "missing")', expected 'pretrain'")
        }
        return TrainingState(step: try value("step", Int.self), samplerState: try value("sampler_state", UInt64.self),
                             tokensSeen: try value("tokens_seen", Int.self))
    }

    /// Applies the schedule, optimizer and batch settings stored in a checkpoint to `options`, except the
    /// ones named in `overridden` (flags the user gave explicitly on the resuming command line).
    public static func restoreSettings(_ metadata: [String: String], into o: inout PretrainOptions,
                                       overridden: Set<String>, file: String) throws {
        func get<T: LosslessStringConvertible>(_ key: String, _ flag: String, _ apply: (T) -> Void) throws {
            guard !overridden.contains(flag), let text = metadata[key] else { return }
            guard let v = T(text) else { throw TrainingError("\(file): metadata key '\(key)' has bad value '\(text)'") }
            apply(v)
        }
        try get("lr", "lr") { (v: Float) in o.lr = v }
        try get("min_lr_ratio", "min-lr-ratio") { (v: Float) in o.minLRRatio = v }
        try get("warmup", "warmup") { (v: Int) in o.warmup = v }
        try get("total_steps", "steps") { (v: Int) in o.steps = v }
        try get("weight_decay", "weight-decay") { (v: Float) in o.weightDecay = v }
        try get("clip", "clip") { (v: Double) in o.clip = v }
        try get("seq_len", "seq-len") { (v: Int) in o.seqLen = v }
        try get("micro_bs", "micro-bs") { (v: Int) in o.microBatch = v }
        try get("grad_accum", "grad-accum") { (v: Int) in o.gradAccum = v }
        try get("seed", "seed") { (v: UInt64) in o.seed = v }
    }
}
