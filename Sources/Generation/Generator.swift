import Dispatch
import Model
import Tensor
import TokenData
import Randomness

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
///
/// Threading: one decode step of a few rows is too small to split op by op (dispatch overhead eats the gain),
/// so with `Parallel.threads > 1` and enough rows the batch is cut into contiguous row groups, each prefilled
/// (serially: the full forward pass owns the model's activation memory) and then decoded on its own worker
/// with single-threaded kernels. Rows are independent and each row's random stream depends only on
/// (seed, row index), so the grouping never changes what a row generates beyond Float summation order.
public enum Generator {
    /// Rows per worker below which a batch is not split.
    static let minRowsPerGroup = 4

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
        let longest = prompts.map(\.count).max()!
        guard longest + options.maxNewTokens <= c.maxSeqLen else {
            throw GenerationError.badInput("longest prompt (\(longest)) + max-new-tokens (\(options.maxNewTokens)) exceeds max_seq_len \(c.maxSeqLen)")
        }
        let threads = Parallel.threads
        let workers = max(1, min(threads, B / minRowsPerGroup))
        let groups = (0..<workers).map { w in (B * w / workers)..<(B * (w + 1) / workers) }
        let sampler = TokenSampler(options: options, vocab: V)
        let decoders = groups.map { rows in
            RowGroupDecoder(model: model, prompts: Array(prompts[rows]), firstRow: rows.lowerBound,
                            options: options, sampler: sampler)
        }
        if workers == 1 {
            decoders[0].run()
        } else {
            Parallel.setThreads(1)
            defer { Parallel.setThreads(threads) }
            nonisolated(unsafe) let work = decoders
            DispatchQueue.concurrentPerform(iterations: workers) { work[$0].run() }
        }
        return decoders.flatMap(\.out)
    }
}

/// Prefills (at init) and decodes (in `run`) one contiguous group of rows with its own KV cache.
final class RowGroupDecoder {
    private let model: MHCModel
    private let options: SamplingOptions
    private let sampler: TokenSampler
    private let state: DecodeState
    private var rngs: [SplitMix64]
    /// Logits [B, V] predicting each row's next token (owned by `state`).
    private var logits: UnsafeMutableBufferPointer<Float>
    private(set) var out: [Completion]

    init(model: MHCModel, prompts: [[Int32]], firstRow: Int, options: SamplingOptions, sampler: TokenSampler) {
        let B = prompts.count, lens = prompts.map(\.count), Tp = lens.max()!
        var padded = [Int32](repeating: SamplingOptions.padID, count: B * Tp)
        for b in 0..<B { for (t, id) in prompts[b].enumerated() { padded[b * Tp + t] = id } }
        self.model = model
        self.options = options
        self.sampler = sampler
        state = model.makeDecodeState(batch: B, capacity: Tp + options.maxNewTokens)
        logits = model.prefill(state, tokens: padded, promptLens: lens, paddedLength: Tp)
        rngs = (0..<B).map { SplitMix64(seed: options.seed &+ 0x2545_F491_4F6C_DD1D &* UInt64(firstRow + $0 + 1)) }
        out = (0..<B).map { _ in Completion(tokens: [], logprobs: [], stoppedAtEOS: false) }
    }

    /// Samples up to `maxNewTokens` per row; the prefill's logits predict the first token.
    func run() {
        let B = state.batch, V = model.config.vocabSize
        var done = [Bool](repeating: false, count: B)
        // Per-row scratch so rows are sampled in parallel (each row has its own RNG stream).
        let probs = UnsafeMutablePointer<Double>.allocate(capacity: B * V)
        let order = UnsafeMutablePointer<Int>.allocate(capacity: B * V)
        let picked = UnsafeMutablePointer<(id: Int32, logprob: Float)>.allocate(capacity: B)
        defer { probs.deallocate(); order.deallocate(); picked.deallocate() }
        let sampler = self.sampler
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
    }
}
