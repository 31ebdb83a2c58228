/// One sampled completion with what training needs from the sampler.
public struct SampledCompletion: Sendable, Hashable {
    /// The decoded completion text handed to the environment.
    public var text: String
    /// The prompt's token ids (what the completion was conditioned on).
    public var promptTokens: [Int32]
    /// The completion's token ids a_1..a_T (including a final end-of-sequence token if one was sampled).
    public var tokens: [Int32]
    /// log π_sampler(a_t) for each completion token, as computed while sampling.
    public var samplerLogProbs: [Float]

    public init(text: String, promptTokens: [Int32], tokens: [Int32], samplerLogProbs: [Float]) {
        precondition(tokens.count == samplerLogProbs.count, "one sampler log-prob per completion token")
        self.text = text
        self.promptTokens = promptTokens
        self.tokens = tokens
        self.samplerLogProbs = samplerLogProbs
    }
}

/// A completion with its per-token advantages, ready for a policy-gradient step.
public struct PolicyExample: Sendable, Hashable {
    public var completion: SampledCompletion
    /// A_t per completion token (KL shaping applied).
    public var advantages: [Float]

    public init(completion: SampledCompletion, advantages: [Float]) {
        precondition(completion.tokens.count == advantages.count, "one advantage per completion token")
        self.completion = completion
        self.advantages = advantages
    }
}

/// How to sample.
public struct RolloutOptions: Sendable, Hashable, Codable {
    public var maxNewTokens: Int
    public var temperature: Double
    public init(maxNewTokens: Int, temperature: Double = 1.0) {
        self.maxNewTokens = maxNewTokens
        self.temperature = temperature
    }
}

/// What one optimizer step reports.
public struct PolicyStepStats: Sendable, Hashable, Codable {
    /// The policy-gradient loss of the batch (−Σ ratio·A / tokens).
    public var loss: Double
    /// Mean importance ratio π_θ/π_sampler over the batch's tokens (1 on the first pass).
    public var meanRatio: Double
    /// Global L2 norm of the gradient before the update.
    public var gradNorm: Double
    /// Completion tokens trained on.
    public var tokens: Int

    public init(loss: Double, meanRatio: Double, gradNorm: Double, tokens: Int) {
        self.loss = loss
        self.meanRatio = meanRatio
        self.gradNorm = gradNorm
        self.tokens = tokens
    }
}

/// The trainable policy the discovery loop drives. A model-backed policy wraps the transformer, its
/// tokenizer, KV-cached generation, a frozen copy of the starting weights (π_base) and an Adam
/// optimizer; tests use a small tabular policy (`CharacterTablePolicy`).
///
/// Implementations compute the loss with `PolicyGradientLoss` so every policy optimises the same objective.
public protocol Policy: AnyObject {
    /// Samples `count` completions for each prompt. The result has one array per prompt, in order.
    /// Sampling must be a deterministic function of (weights, prompts, options, seed).
    func sample(prompts: [String], count: Int, options: RolloutOptions, seed: UInt64) async throws
        -> [[SampledCompletion]]
    /// log π_base(a_t) per completion token under the frozen starting policy (for the KL penalty).
    func baseLogProbs(_ completions: [SampledCompletion]) async throws -> [[Float]]
    /// log π_θ(a_t) per completion token under the current policy.
    func currentLogProbs(_ completions: [SampledCompletion]) async throws -> [[Float]]
    /// One optimizer step on −Σ_t ratio_t · A_t / (total completion tokens).
    func step(_ batch: [PolicyExample], learningRate: Double) async throws -> PolicyStepStats
    /// File extension of this policy's checkpoints (e.g. "safetensors").
    var checkpointExtension: String { get }
    /// Saves the trainable state (weights and optimizer moments), atomically.
    func save(to path: String) throws
    /// Restores what `save` wrote (for resume).
    func load(from path: String) throws
}
