import Training

/// What an SDFT checkpoint records besides the weights (all metadata values are strings).
///
/// Keys: `stage` ("sdft"), `step`, `config` (written by Checkpoint), `method`, `kl`, `skip_tokens`, `ema`,
/// `prompts_per_step`, `max_new_tokens`, `seed`, the schedule (`lr`, `min_lr_ratio`, `warmup`, `total_steps`),
/// the optimizer (`weight_decay`, `clip`, `optimizer_steps`), provenance (`start_ckpt`, `sdft_data`) and the
/// tokenizer (`tokenizer_path`, `tokenizer_sha256`). Tensors: the student's parameters under their own
/// names, the EMA teacher's under `teacher.` + name, AdamW moments under `optimizer.m.` / `optimizer.v.`.
enum SDFTCheckpointState {
    static let teacherPrefix = "teacher."

    static func metadata(options o: SDFTOptions, step: Int, optimizerSteps: Int) -> [String: String] {
        var m: [String: String] = [
            "stage": "sdft",
            "step": String(step),
            "method": o.method.rawValue,
            "kl": o.kl.rawValue,
            "skip_tokens": String(o.skipTokens),
            "ema": String(o.emaRate),
            "prompts_per_step": String(o.promptsPerStep),
            "max_new_tokens": String(o.maxNewTokens),
            "seed": String(o.seed),
            "lr": String(o.lr),
            "min_lr_ratio": String(o.minLRRatio),
            "warmup": String(o.warmup),
            "total_steps": String(o.steps),
            "weight_decay": String(o.weightDecay),
            "clip": String(o.clip),
            "optimizer_steps": String(optimizerSteps),
            "start_ckpt": o.startCheckpoint,
            "sdft_data": o.dataName,
        ]
        if let p = o.tokenizerPath { m["tokenizer_path"] = p }
        if let h = o.tokenizerHash { m["tokenizer_sha256"] = h }
        return m
    }

    /// The step stored in an SDFT checkpoint; errors name the file and key.
    static func step(_ metadata: [String: String], file: String) throws -> Int {
        guard metadata["stage"] == "sdft" else {
            throw TrainingError("\(file): metadata 'stage' is '\(metadata["stage"] ?? "missing")', expected 'sdft' (resume takes an SDFT checkpoint)")
        }
        guard let text = metadata["step"], let step = Int(text), step >= 0 else {
            throw TrainingError("\(file): metadata key 'step' is missing or bad")
        }
        return step
    }

    /// Applies the run settings stored in a checkpoint to `o`, except flags named in `overridden`.
    static func restoreSettings(_ metadata: [String: String], into o: inout SDFTOptions, overridden: Set<String>,
                                file: String) throws {
        func get<T>(_ key: String, _ flag: String, _ parse: (String) -> T?, _ apply: (T) -> Void) throws {
            guard !overridden.contains(flag), let text = metadata[key] else { return }
            guard let v = parse(text) else { throw TrainingError("\(file): metadata key '\(key)' has bad value '\(text)'") }
            apply(v)
        }
        try get("method", "method", FineTuneMethod.init(rawValue:)) { o.method = $0 }
        try get("kl", "kl", KLDirection.init(rawValue:)) { o.kl = $0 }
        try get("skip_tokens", "skip-tokens", Int.init) { o.skipTokens = $0 }
        try get("ema", "ema", Float.init) { o.emaRate = $0 }
        try get("prompts_per_step", "prompts-per-step", Int.init) { o.promptsPerStep = $0 }
        try get("max_new_tokens", "max-new-tokens", Int.init) { o.maxNewTokens = $0 }
        try get("seed", "seed", UInt64.init) { o.seed = $0 }
        try get("lr", "lr", Float.init) { o.lr = $0 }
        try get("min_lr_ratio", "min-lr-ratio", Float.init) { o.minLRRatio = $0 }
        try get("warmup", "warmup", Int.init) { o.warmup = $0 }
        try get("total_steps", "steps", Int.init) { o.steps = $0 }
        try get("weight_decay", "weight-decay", Float.init) { o.weightDecay = $0 }
        try get("clip", "clip", Double.init) { o.clip = $0 }
        if let start = metadata["start_ckpt"] { o.startCheckpoint = start }
    }
}
