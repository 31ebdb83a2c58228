import Foundation

/// Packs sampled completions into the `[B, T]` token layout a causal language model consumes, and maps its
/// `[B, T, V]` logits back to completion tokens. This is where the off-by-one lives: the logits at position
/// p predict the token at p + 1, so completion token k of a row whose completion starts at position s is
/// scored by the logits at position s + k − 1.
///
/// Row b holds `prompt ++ completion`, right-padded with `padID` to `seqLen`. Positions whose logits do not
/// predict a completion token get zero gradient.
public struct TokenBatch: Sendable, Hashable {
    public let batch: Int
    public let seqLen: Int
    /// [B * T] row-major token ids.
    public let tokens: [Int32]
    /// Per row: the position of the first completion token (= prompt length, ≥ 1).
    public let completionStart: [Int]
    /// Per row: the completion's completion tokens.
    public let targets: [[Int32]]

    /// - Parameter seqLen: the row length; nil uses the longest prompt + completion. A completion whose
    ///   prompt + completion exceed `seqLen`, or whose prompt is empty (nothing to condition the first
    ///   token on), is an error naming it.
    public init(_ completions: [SampledCompletion], seqLen: Int? = nil, padID: Int32 = 0) throws(DiscoverError) {
        let longest = completions.map { $0.promptTokens.count + $0.tokens.count }.max() ?? 1
        let t = seqLen ?? longest
        var tokens = [Int32](repeating: padID, count: completions.count * t)
        var starts: [Int] = []
        for (b, c) in completions.enumerated() {
            if c.promptTokens.isEmpty { throw DiscoverError("completion \(b): empty prompt (a prompt starts with at least BOS)") }
            if c.promptTokens.count + c.tokens.count > t {
                throw DiscoverError("completion \(b): prompt (\(c.promptTokens.count)) + completion (\(c.tokens.count)) tokens exceed the sequence length \(t)")
            }
            for (i, x) in (c.promptTokens + c.tokens).enumerated() { tokens[b * t + i] = x }
            starts.append(c.promptTokens.count)
        }
        batch = completions.count
        self.seqLen = t
        self.tokens = tokens
        completionStart = starts
        targets = completions.map(\.tokens)
    }

    /// Total completion tokens.
    public var tokenCount: Int { targets.reduce(0) { $0 + $1.count } }

    /// log-softmax(logits)[target] for every completion token: per row, one value per completion token.
    /// - Parameter logits: [B, T, V] row-major.
    public func logProbs(logits: UnsafePointer<Float>, vocab v: Int) -> [[Float]] {
        (0..<batch).map { b in
            (0..<targets[b].count).map { k in
                let row = logits + (b * seqLen + completionStart[b] + k - 1) * v
                var top = -Float.infinity
                for j in 0..<v where row[j] > top { top = row[j] }
                var z = 0.0
                for j in 0..<v { z += Double(expf(row[j] - top)) }
                return Float(Double(row[Int(targets[b][k])] - top) - log(z))
            }
        }
    }

    /// The policy-gradient loss over the batch from full `[B, T, V]` logits; `dLogits` ([B, T, V]) is
    /// overwritten: the loss head's gradient at completion-predicting positions, zero elsewhere.
    /// - Parameters:
    ///   - advantages / samplerLogProbs: per row, one value per completion token.
    ///   - tokenCount: the normaliser (the whole batch's completion tokens when processing micro-batches);
    ///     nil uses this batch's.
    public func policyGradient(logits: UnsafePointer<Float>, vocab v: Int, advantages: [[Float]],
                               samplerLogProbs: [[Float]], tokenCount: Int? = nil,
                               dLogits: UnsafeMutablePointer<Float>?) -> PolicyGradientLoss {
        precondition(advantages.count == batch && samplerLogProbs.count == batch)
        let norm = tokenCount ?? self.tokenCount
        dLogits?.update(repeating: 0, count: batch * seqLen * v)
        var total = PolicyGradientLoss(loss: 0, meanRatio: 0, meanLogProb: 0)
        var rows = 0
        for b in 0..<batch where !targets[b].isEmpty {
            let n = targets[b].count
            let offset = (b * seqLen + completionStart[b] - 1) * v   // logits predicting completion token 0
            let r = PolicyGradientLoss.compute(logits: logits + offset, rows: n, vocab: v, targets: targets[b],
                                               advantages: advantages[b], samplerLogProbs: samplerLogProbs[b],
                                               tokenCount: max(norm, 1), dLogits: dLogits.map { $0 + offset })
            total.loss += r.loss
            total.meanRatio += r.meanRatio * Double(n)
            total.meanLogProb += r.meanLogProb * Double(n)
            rows += n
        }
        if rows > 0 {
            total.meanRatio /= Double(rows)
            total.meanLogProb /= Double(rows)
        } else {
            total.meanRatio = 1
        }
        return total
    }
}
