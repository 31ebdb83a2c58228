import Model
import Tensor

/// The completion of one prompt.
public struct Completion: Sendable, Equatable {
    /// New token ids (the EOS id is included when the row stopped on it).
    public var tokens: [Int32]
    /// The model's log-probability of each new token given everything before it (see `TokenSampler`).
    public var logprobs: [Float]
    /// True when the row stopped because it sampled EOS, false when it hit `maxNewTokens`.
    public var stoppedAtEOS: Bool
}

/// KV-cached batched generation on right-padded prompts.
///
/// Every row continues after its own prompt length, writes tokens at its own current length, and stops at
/// EOS or `maxNewTokens`; rows that stopped keep being fed PAD internally but their output is frozen.
public enum Generator {
    public static func generate(model: MHCModel, prompts: [[Int32]], options: SamplingOptions) throws -> [Completion] {
        try options.validate()
        let c = model.config, V = c.vocabSize, B = prompts.count
        guard B > 0 else { return [] }
        for (i, p) in prompts.enumerated() {
            guard !p.isEmpty else { throw GenerationError.badInput("prompt \(i) is empty (start it with BOS)") }
            guard p.allSatisfy({ $0 >= 0 && Int($0) < V }) else {
                throw GenerationError.badInput("prompt \(i) holds an id outside 0..<\(V)")
            }
        }
        let lens = prompts.map(\.count)
        let Tp = lens.max()!
        let capacity = Tp + options.maxNewTokens
        guard capacity <= c.maxSeqLen else {
            throw GenerationError.badInput("longest prompt (\(Tp)) + max-new-tokens (\(options.maxNewTokens)) exceeds max_seq_len \(c.maxSeqLen)")
        }
        var padded = [Int32](repeating: SamplingOptions.padID, count: B * Tp)
        for b in 0..<B { for (t, id) in prompts[b].enumerated() { padded[b * Tp + t] = id } }

        let state = model.makeDecodeState(batch: B, capacity: capacity)
        var logits = model.prefill(state, tokens: padded, promptLens: lens, paddedLength: Tp)
        let sampler = TokenSampler(options: options, vocab: V)
        var rngs = (0..<B).map { SplitMix64(seed: options.seed &+ 0x2545_F491_4F6C_DD1D &* UInt64($0 + 1)) }
        var out = (0..<B).map { _ in Completion(tokens: [], logprobs: [], stoppedAtEOS: false) }
        var done = [Bool](repeating: false, count: B)
        // Per-row scratch so rows are sampled in parallel (each row has its own RNG stream).
        let probs = UnsafeMutablePointer<Double>.allocate(capacity: B * V)
        let order = UnsafeMutablePointer<Int>.allocate(capacity: B * V)
        let picked = UnsafeMutablePointer<(id: Int32, logprob: Float)>.allocate(capacity: B)
        defer { probs.deallocate(); order.deallocate(); picked.deallocate() }

        for step in 0..<options.maxNewTokens {
            var next = [Int32](repeating: SamplingOptions.padID, count: B)
            let active = (0..<B).filter { !done[$0] }
            let base = logits.baseAddress!
            rngs.withUnsafeMutableBufferPointer { rng in
                nonisolated(unsafe) let rng = rng
                Parallel.forRanges(active.count, grain: 4) { range in
                    for a in range {
                        let b = active[a]
                        picked[b] = sampler.pick(base + b * V, vocab: V, rng: &rng[b], probs: probs + b * V, order: order + b * V)
                    }
                }
            }
            for b in active {
                let (id, lp) = picked[b]
                out[b].tokens.append(id)
                out[b].logprobs.append(lp)
                next[b] = id
                if let eos = options.eosID, id == eos { done[b] = true; out[b].stoppedAtEOS = true }
            }
            if done.allSatisfy({ $0 }) || step == options.maxNewTokens - 1 { break }
            logits = model.decodeStep(state, tokens: next)
        }
        return out
    }
}
