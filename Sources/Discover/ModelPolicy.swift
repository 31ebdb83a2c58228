import Foundation
import Generation
import Model
import Training

/// Text ↔ token ids for a model-backed policy. `encode` must not add BOS (the policy prepends it).
public struct TextCodec: Sendable {
    public var encode: @Sendable (String) -> [Int32]
    public var decode: @Sendable ([Int32]) -> String
    public var bosID: Int32
    public var eosID: Int32

    public init(bosID: Int32 = 2, eosID: Int32 = 3, encode: @escaping @Sendable (String) -> [Int32],
                decode: @escaping @Sendable ([Int32]) -> String) {
        self.encode = encode
        self.decode = decode
        self.bosID = bosID
        self.eosID = eosID
    }
}

/// The model-backed `Policy`: the mHC transformer trained in full (every parameter) at test time.
///
/// - Sampling: KV-cached batched generation (`Generator.generate`) at the requested temperature (1 in the
///   loop), prompt = BOS + encode(prompt text), stopping at EOS or `maxNewTokens`. A prompt longer than the
///   room left by `maxNewTokens` keeps BOS and its last tokens.
/// - log π_base: a frozen copy of the starting weights, scored with `sequenceLogprobs`.
/// - Step: right-padded BOS+prompt+completion rows (`TokenBatch`) in micro-batches → `PolicyGradientLoss`
///   dLogits at completion-predicting positions → `model.backward` (accumulating) → global-norm clip →
///   AdamW (β 0.9/0.95, decoupled weight decay `weightDecay`, 0 by default).
/// - Checkpoints: one safetensors file (`Checkpoint.save`, atomic) with the current weights and the Adam
///   moments under `optimizer.m.` / `optimizer.v.`; the frozen base is the checkpoint the run started from.
public final class ModelPolicy: Policy {
    public let model: MHCModel
    public let base: MHCModel
    public let codec: TextCodec
    public let optimizer: AdamW
    /// Global gradient-norm clip (≤ 0 disables).
    public var clipNorm: Double
    /// Rows per forward/backward pass in `step` and when scoring (bounds activation memory).
    public var microBatch: Int
    /// Extra metadata written into every checkpoint (e.g. the tokenizer path and hash).
    public var metadata: [String: String]

    /// - Parameter model: the starting policy; it is trained in place, and a frozen copy becomes π_base.
    public init(model: MHCModel, codec: TextCodec, clipNorm: Double = 1.0, weightDecay: Float = 0,
                microBatch: Int = 8, metadata: [String: String] = [:]) {
        self.model = model
        let frozen = ParameterSet(sameLayoutAs: model.params)
        frozen.copy(from: model.params)
        base = MHCModel(config: model.config, params: frozen)
        self.codec = codec
        optimizer = AdamW(count: model.params.count,
                          segments: model.params.infos.map {
                              OptimizerSegment(offset: $0.offset, count: $0.count, weightDecay: $0.weightDecay)
                          },
                          beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: weightDecay)
        self.clipNorm = clipNorm
        self.microBatch = max(1, microBatch)
        self.metadata = metadata
    }

    public var checkpointExtension: String { "safetensors" }

    /// BOS + encoded prompt, keeping BOS and the last tokens when it would leave fewer than `room` positions.
    func promptTokens(_ text: String, room: Int) -> [Int32] {
        let body = codec.encode(text)
        let keep = max(0, model.config.maxSeqLen - room - 1)
        return [codec.bosID] + (body.count > keep ? Array(body.suffix(keep)) : body)
    }

    public func sample(prompts: [String], count: Int, options: SamplingOptions, seed: UInt64) async throws
        -> [[SampledCompletion]] {
        guard options.maxNewTokens < model.config.maxSeqLen else {
            throw DiscoverError("max-new-tokens \(options.maxNewTokens) leaves no room for a prompt in max_seq_len \(model.config.maxSeqLen)")
        }
        let encoded = prompts.map { promptTokens($0, room: options.maxNewTokens) }
        var rows: [[Int32]] = []
        for p in encoded { for _ in 0..<count { rows.append(p) } }
        var gen = Generation.SamplingOptions(temperature: Float(options.temperature), maxNewTokens: options.maxNewTokens,
                                             eosID: codec.eosID, seed: seed)
        gen.bannedIDs = [codec.bosID]
        // Generate in chunks so the KV cache stays small; row seeds depend on the chunk's first row.
        var out: [Completion] = []
        let chunk = max(microBatch, 16)
        var start = 0
        while start < rows.count {
            let end = min(rows.count, start + chunk)
            gen.seed = DiscoverRNG.mix(seed, UInt64(start))
            out += try Generator.generate(model: model, prompts: Array(rows[start..<end]), options: gen)
            start = end
        }
        var result: [[SampledCompletion]] = []
        for (p, prompt) in encoded.enumerated() {
            result.append((0..<count).map { k in
                let c = out[p * count + k]
                let cut = c.tokens.firstIndex(of: codec.eosID).map { Array(c.tokens[..<$0]) } ?? c.tokens
                return SampledCompletion(text: codec.decode(cut), promptTokens: prompt, tokens: c.tokens,
                                         samplerLogProbs: c.logprobs)
            })
        }
        return result
    }

    func logProbs(_ net: MHCModel, _ completions: [SampledCompletion]) throws -> [[Float]] {
        var result: [[Float]] = []
        var start = 0
        while start < completions.count {
            let part = completions[start..<min(completions.count, start + microBatch)]
            start += microBatch
            let scored = part.filter { !$0.tokens.isEmpty }
            var values = scored.isEmpty ? [] : try sequenceLogprobs(
                model: net, sequences: scored.map { $0.promptTokens + $0.tokens },
                promptLens: scored.map(\.promptTokens.count),
                lens: scored.map { $0.promptTokens.count + $0.tokens.count })
            values.reverse()
            for c in part { result.append(c.tokens.isEmpty ? [] : values.removeLast()) }
        }
        return result
    }

    public func baseLogProbs(_ completions: [SampledCompletion]) async throws -> [[Float]] {
        try logProbs(base, completions)
    }

    public func currentLogProbs(_ completions: [SampledCompletion]) async throws -> [[Float]] {
        try logProbs(model, completions)
    }

    /// The loss and the gradient (accumulated into `model.grads`, which are zeroed first) of the batch,
    /// without an optimizer step. Exposed for gradient checks.
    public func lossAndGradient(_ batch: [PolicyExample]) throws -> PolicyStepStats {
        model.grads.zero()
        let total = batch.reduce(0) { $0 + $1.completion.tokens.count }
        guard total > 0 else { return PolicyStepStats(loss: 0, meanRatio: 1, gradNorm: 0, tokens: 0) }
        let v = model.config.vocabSize
        var loss = 0.0, ratioSum = 0.0
        var start = 0
        while start < batch.count {
            let part = batch[start..<min(batch.count, start + microBatch)].filter { !$0.completion.tokens.isEmpty }
            start += microBatch
            if part.isEmpty { continue }
            let rows = try TokenBatch(part.map(\.completion), padID: 0)
            guard rows.seqLen <= model.config.maxSeqLen else {
                throw DiscoverError("prompt + completion of \(rows.seqLen) tokens exceed max_seq_len \(model.config.maxSeqLen)")
            }
            let logits = model.forward(tokens: rows.tokens, batch: rows.batch, seqLen: rows.seqLen)
            let dLogits = UnsafeMutablePointer<Float>.allocate(capacity: rows.batch * rows.seqLen * v)
            defer { dLogits.deallocate() }
            let r = rows.policyGradient(logits: logits.baseAddress!, vocab: v, advantages: part.map(\.advantages),
                                        samplerLogProbs: part.map(\.completion.samplerLogProbs), tokenCount: total,
                                        dLogits: dLogits)
            model.backward(dLogits: dLogits)
            loss += r.loss
            ratioSum += r.meanRatio * Double(rows.tokenCount)
        }
        let norm = GradientClipping.globalNorm(model.grads.data, count: model.grads.count)
        return PolicyStepStats(loss: loss, meanRatio: ratioSum / Double(total), gradNorm: norm, tokens: total)
    }

    public func step(_ batch: [PolicyExample], learningRate: Double) async throws -> PolicyStepStats {
        let stats = try lossAndGradient(batch)
        guard stats.tokens > 0 else { return stats }
        guard stats.gradNorm.isFinite, stats.loss.isFinite else {
            throw DiscoverError("policy step: non-finite loss (\(stats.loss)) or gradient norm (\(stats.gradNorm)); weights left unchanged")
        }
        GradientClipping.clip(model.grads.data, count: model.grads.count, maxNorm: clipNorm)
        optimizer.update(params: model.params.data, grads: model.grads.data, lr: Float(learningRate))
        return stats
    }

    public func save(to path: String) throws {
        var extra: [String: (shape: [Int], data: UnsafeBufferPointer<Float>)] = [:]
        for info in model.params.infos {
            extra["optimizer.m." + info.name] = (info.shape, UnsafeBufferPointer(start: optimizer.m.baseAddress! + info.offset, count: info.count))
            extra["optimizer.v." + info.name] = (info.shape, UnsafeBufferPointer(start: optimizer.v.baseAddress! + info.offset, count: info.count))
        }
        var meta = metadata
        meta["stage"] = "ttt"
        meta["optimizer_steps"] = String(optimizer.stepCount)
        try Checkpoint.save(model: model, to: path, metadata: meta, extra: extra)
    }

    public func load(from path: String) throws {
        let (loaded, meta, extra) = try Checkpoint.load(path: path)
        guard loaded.config == model.config else {
            throw DiscoverError("\(path): checkpoint holds a different model config than the policy's")
        }
        guard let steps = meta["optimizer_steps"].flatMap(Int.init) else {
            throw DiscoverError("\(path): metadata has no 'optimizer_steps' (not a TTT policy checkpoint)")
        }
        var moments: [(UnsafeMutableBufferPointer<Float>, ParameterInfo, [Float])] = []
        for info in model.params.infos {
            for (prefix, slab) in [("optimizer.m.", optimizer.m), ("optimizer.v.", optimizer.v)] {
                guard let values = extra[prefix + info.name], values.count == info.count else {
                    throw DiscoverError("\(path): tensor '\(prefix + info.name)' is missing or has the wrong size")
                }
                moments.append((slab, info, values))
            }
        }
        model.params.copy(from: loaded.params)
        for (slab, info, values) in moments {
            values.withUnsafeBufferPointer { (slab.baseAddress! + info.offset).update(from: $0.baseAddress!, count: info.count) }
        }
        optimizer.stepCount = steps
    }
}
