import Foundation
import Generation
import Model
import Training

/// The model-backed `Policy`: full fine-tuning of an `MHCModel` at test time, or LoRA adapters on it.
///
/// - sampling: `[BOS] + encode(prompt)` (left-truncated so prompt + `maxNewTokens` fit `max_seq_len`),
///   KV-cached `Generator.generate` at the requested temperature with EOS = 3; the recorded log-probs are
///   the model's own (temperature 1) distribution, as the importance ratios need;
/// - π_base: a frozen copy of the starting weights (`baseLogProbs`); under LoRA the base model shares the
///   (frozen) weights with `model` and simply has no adapters;
/// - `step`: micro-batches packed with `TokenBatch` → `forward` → `TokenBatch.policyGradient` (normalised
///   by the whole batch's token count, so micro-batch gradients add up to the batch gradient) →
///   `backward` (accumulates) → global-norm clipping → one AdamW update (β 0.9/0.95, no weight decay by
///   default: test-time training should not shrink the weights it starts from). Under LoRA only the
///   adapters have gradients, moments and updates; the model's weights stay bit-identical;
/// - checkpoints: see `save(to:)` (ModelPolicy+Checkpoint.swift).
public final class ModelPolicy: Policy {
    public let model: MHCModel
    public let base: MHCModel
    public let codec: any TextCodec
    public let optimizer: AdamW
    /// Global gradient-norm clip (≤ 0 disables).
    public var maxGradNorm: Double = 1.0
    /// Sequences per forward/backward pass (bounds activation memory).
    public var microBatch: Int = 8
    /// Extra checkpoint metadata (the CLI records the tokenizer path and hash, so `ttt_latest` loads like
    /// any other checkpoint).
    public var metadata: [String: String] = [:]
    public static let bosID: Int32 = 2
    public static let eosID: Int32 = 3

    /// Full fine-tuning: every weight of `model` trains; π_base is a copy of the starting weights.
    public init(model: MHCModel, codec: any TextCodec, weightDecay: Float = 0) {
        precondition(model.lora == nil, "full fine-tuning of a model that carries LoRA adapters")
        self.model = model
        base = MHCModel(config: model.config, params: ParameterSet(sameLayoutAs: model.params))
        base.params.copy(from: model.params)
        self.codec = codec
        optimizer = AdamW(parameters: model.params, weightDecay: weightDecay)
    }

    /// LoRA: attaches fresh adapters (`lora`; B = 0, so the policy starts exactly at the model) to `model`
    /// and trains only them. The model stops computing its own weight gradients (`baseWeightGradients`).
    /// Throws `LoRAError` when the rank does not fit the model.
    public init(model: MHCModel, codec: any TextCodec, lora: LoRAConfig, weightDecay: Float = 0) throws {
        precondition(model.lora == nil, "the model already carries LoRA adapters")
        let adapters = try LoRAAdapters(model: model.config, lora: lora)
        model.lora = adapters
        model.baseWeightGradients = false
        self.model = model
        base = MHCModel(config: model.config, params: model.params)
        self.codec = codec
        optimizer = AdamW(parameters: adapters.params, weightDecay: weightDecay)
    }

    /// The adapters when this policy trains with LoRA, else nil (full fine-tuning).
    public var lora: LoRAAdapters? { model.lora }

    /// What the optimizer updates: the adapters under LoRA, else every weight of the model.
    var trainable: (params: ParameterSet, grads: ParameterSet) {
        if let lora { return (lora.params, lora.grads) }
        return (model.params, model.grads)
    }

    public var checkpointExtension: String { "safetensors" }

    /// `[BOS] + encode(prompt)`, keeping the prompt's tail when it is too long for `maxNewTokens` to fit.
    public func promptTokens(_ prompt: String, maxNewTokens: Int) throws -> [Int32] {
        let room = model.config.maxSeqLen - maxNewTokens - 1
        guard room >= 1 else {
            throw DiscoverError("max-new-tokens \(maxNewTokens) leaves no room for a prompt within max_seq_len \(model.config.maxSeqLen)")
        }
        let ids = codec.encode(prompt)
        return [Self.bosID] + ids.suffix(room)
    }

    public func sample(prompts: [String], count: Int, options: RolloutOptions, seed: UInt64) async throws
        -> [[SampledCompletion]] {
        let encoded = try prompts.map { try promptTokens($0, maxNewTokens: options.maxNewTokens) }
        let rows = encoded.flatMap { Array(repeating: $0, count: count) }
        let generation = SamplingOptions(temperature: Float(options.temperature), maxNewTokens: options.maxNewTokens,
                                         eosID: Self.eosID, seed: seed)
        let out = try Generator.generate(model: model, prompts: rows, options: generation)
        return (0..<prompts.count).map { p in
            (0..<count).map { k in
                let c = out[p * count + k]
                let visible = c.stoppedAtEOS ? Array(c.tokens.dropLast()) : c.tokens
                return SampledCompletion(text: codec.decode(visible), promptTokens: rows[p * count + k],
                                         tokens: c.tokens, samplerLogProbs: c.logprobs)
            }
        }
    }

    func logProbs(_ m: MHCModel, _ completions: [SampledCompletion]) throws -> [[Float]] {
        var out: [[Float]] = []
        for start in stride(from: 0, to: completions.count, by: max(microBatch, 1)) {
            let chunk = completions[start..<min(start + max(microBatch, 1), completions.count)]
            let empty = chunk.map { $0.tokens.isEmpty }
            let scored = chunk.filter { !$0.tokens.isEmpty }
            var lp = scored.isEmpty ? [] : try sequenceLogprobs(
                model: m, sequences: scored.map { $0.promptTokens + $0.tokens },
                promptLens: scored.map(\.promptTokens.count),
                lens: scored.map { $0.promptTokens.count + $0.tokens.count })
            for isEmpty in empty { out.append(isEmpty ? [] : lp.removeFirst()) }
        }
        return out
    }

    public func baseLogProbs(_ completions: [SampledCompletion]) async throws -> [[Float]] {
        try logProbs(base, completions)
    }

    public func currentLogProbs(_ completions: [SampledCompletion]) async throws -> [[Float]] {
        try logProbs(model, completions)
    }

    public func step(_ batch: [PolicyExample], learningRate: Double) async throws -> PolicyStepStats {
        let examples = batch.filter { !$0.completion.tokens.isEmpty }
        let total = examples.reduce(0) { $0 + $1.completion.tokens.count }
        guard total > 0 else { return PolicyStepStats(loss: 0, meanRatio: 1, gradNorm: 0, tokens: 0) }
        let v = model.config.vocabSize
        let (weights, grads) = trainable
        grads.zero()
        var loss = 0.0, ratioSum = 0.0
        for start in stride(from: 0, to: examples.count, by: max(microBatch, 1)) {
            let chunk = Array(examples[start..<min(start + max(microBatch, 1), examples.count)])
            let tb = try TokenBatch(chunk.map(\.completion), padID: SamplingOptions.padID)
            guard tb.seqLen <= model.config.maxSeqLen else {
                throw DiscoverError("a rollout of \(tb.seqLen) tokens exceeds max_seq_len \(model.config.maxSeqLen)")
            }
            let logits = model.forward(tokens: tb.tokens, batch: tb.batch, seqLen: tb.seqLen)
            var dLogits = [Float](repeating: 0, count: tb.batch * tb.seqLen * v)
            let r = dLogits.withUnsafeMutableBufferPointer { d in
                tb.policyGradient(logits: UnsafePointer(logits.baseAddress!), vocab: v, advantages: chunk.map(\.advantages),
                                  samplerLogProbs: chunk.map(\.completion.samplerLogProbs), tokenCount: total,
                                  dLogits: d.baseAddress!)
            }
            loss += r.loss
            ratioSum += r.meanRatio * Double(tb.tokenCount)
            dLogits.withUnsafeBufferPointer { model.backward(dLogits: $0.baseAddress!) }
        }
        let norm = GradientClipping.clip(grads.data, count: grads.count, maxNorm: maxGradNorm)
        guard norm.isFinite else { throw DiscoverError("non-finite gradient norm in the policy-gradient step") }
        optimizer.update(params: weights.data, grads: grads.data, lr: Float(learningRate))
        return PolicyStepStats(loss: loss, meanRatio: ratioSum / Double(total), gradNorm: norm, tokens: total)
    }
}
