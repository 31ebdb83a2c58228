import Model

/// Which method a run uses.
public enum DiscoverMethod: String, Sendable, Hashable, Codable {
    /// Test-time training with archive-based state selection.
    case ttt
    /// The baseline: the same policy and sample budget, no training, always from the initial states.
    case bestOfN = "best-of-n"
}

/// Settings of one discovery run (defaults as in ../shared/spec/discover.md).
public struct TTTConfig: Sendable, Hashable {
    public var method: DiscoverMethod = .ttt
    public var steps: Int = 50
    public var groups: Int = 8
    public var groupSize: Int = 8
    public var learningRate: Double = 1e-4
    /// λ of the per-token KL penalty to the starting policy.
    public var klCoefficient: Double = 0.1
    public var sampler: StateSampler = .defaultPUCT
    public var objective: Objective = .entropicAdaptive
    public var sampling = RolloutOptions(maxNewTokens: 256, temperature: 1.0)
    public var seed: UInt64 = 0
    /// Save archive, policy and loop state every this many steps (and after the last).
    public var checkpointEvery: Int = 1
    /// Keep a numbered `ttt_step_%07d` policy checkpoint every this many steps (0: only `ttt_latest`).
    public var keepCheckpointEvery: Int = 0
    /// Reward given to failed/invalid completions that carry no reward.
    public var failureReward: Double = 0
    /// How many evaluations run at once.
    public var evaluationParallelism: Int = 8
    /// Every this many steps (0: never), recompute log π_θ of the freshly sampled tokens before the update
    /// and report the largest difference from the sampler's log-probs (`sampler_logprob_error`): it must be
    /// ~0, and catches sampling paths (e.g. a KV cache) that disagree with the training forward pass.
    public var checkSamplerEvery: Int = 0
    public var archiveCapacity: Int = 1000
    public var maxChildrenPerParent: Int = 2
    /// LoRA rank of the model policy's adapters; 0 (the default) is full fine-tuning. Read by whoever builds
    /// the policy (the CLI), not by the loop; part of the fingerprint when set, so a resume keeps it.
    public var loraRank: Int = 0
    /// LoRA α (scale α / rank); nil means 2·rank.
    public var loraAlpha: Double?

    public init() {}

    /// Samples drawn per step.
    public var samplesPerStep: Int { groups * groupSize }

    public func validate() throws(DiscoverError) {
        if steps < 1 { throw DiscoverError("steps must be at least 1 (got \(steps))") }
        if groups < 1 { throw DiscoverError("groups must be at least 1 (got \(groups))") }
        if groupSize < 2 { throw DiscoverError("group-size must be at least 2 (got \(groupSize))") }
        if method == .ttt, objective == .entropicAdaptive, groupSize < 3 {
            // With K = 2 the target KL = ln 2 is only reached as β → ∞, which makes the winner's
            // leave-one-out advantage ~1e12.
            throw DiscoverError("group-size must be at least 3 for the entropic-adaptive objective (got \(groupSize))")
        }
        if !(learningRate >= 0) { throw DiscoverError("lr must be non-negative (got \(learningRate))") }
        if !(klCoefficient >= 0) { throw DiscoverError("kl-coef must be non-negative (got \(klCoefficient))") }
        if sampling.maxNewTokens < 1 { throw DiscoverError("max-new-tokens must be at least 1") }
        if !(sampling.temperature > 0) { throw DiscoverError("temperature must be positive") }
        if checkpointEvery < 1 { throw DiscoverError("checkpoint-every must be at least 1") }
        if checkSamplerEvery < 0 { throw DiscoverError("check-sampler-every must be non-negative") }
        if evaluationParallelism < 1 { throw DiscoverError("evaluation parallelism must be at least 1") }
        if loraRank < 0 { throw DiscoverError("lora-rank must be non-negative (0 = full fine-tuning; got \(loraRank))") }
        if let a = loraAlpha {
            if !(a > 0 && a.isFinite) { throw DiscoverError("lora-alpha must be positive (got \(a))") }
            if loraRank == 0 { throw DiscoverError("lora-alpha needs a positive lora-rank (LoRA is off at rank 0)") }
        }
        if archiveCapacity < 1 { throw DiscoverError("archive capacity must be at least 1") }
        if case .entropic(let beta) = objective, !(beta > 0) {
            throw DiscoverError("the fixed β of the entropic objective must be positive (got \(beta))")
        }
        if case .greedy(let e) = sampler, !(e >= 0 && e <= 1) {
            throw DiscoverError("greedy ε must be in [0, 1] (got \(e))")
        }
    }

    /// The settings that must not change across a resume, as text (stored in `run.json`).
    /// LoRA keys appear only when LoRA is on (`lora`), so runs made before LoRA existed still resume and are reused.
    public var fingerprint: [String: String] {
        var f = ["method": method.rawValue, "groups": "\(groups)", "group_size": "\(groupSize)", "seed": "\(seed)",
                 "sampler": sampler.name, "objective": objective.name, "max_new_tokens": "\(sampling.maxNewTokens)",
                 "temperature": "\(sampling.temperature)", "kl_coef": "\(klCoefficient)", "lr": "\(learningRate)"]
        if let lora {
            f["lora_rank"] = "\(lora.rank)"
            f["lora_alpha"] = "\(lora.alpha)"
        }
        return f
    }

    /// The LoRA settings of the model policy, or nil for full fine-tuning (also for best-of-n, which
    /// never trains).
    public var lora: LoRAConfig? {
        guard loraRank > 0, method == .ttt else { return nil }
        return LoRAConfig(rank: loraRank, alpha: loraAlpha.map(Float.init), seed: seed)
    }
}
