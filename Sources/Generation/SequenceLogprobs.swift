import Model
import Tensor
import Foundation

/// Per-token log-probabilities of given token ids under the model, computed on the ids themselves.
///
/// - Parameters:
///   - sequences: token ids of each sequence (prompt followed by completion); any lengths.
///   - promptLens: prompt length of each sequence; scoring starts at this position.
///   - lens: total length of each sequence to score (≤ its count); tokens promptLens[i] ..< lens[i] are scored.
/// - Returns: for each sequence, `lens[i] − promptLens[i]` log-probabilities, log p(ids[t] | ids[<t]).
///
/// Sequences are right-padded into one batch; by causality the padding never influences a scored position.
public func sequenceLogprobs(model: MHCModel, sequences: [[Int32]], promptLens: [Int], lens: [Int]) throws -> [[Float]] {
    let c = model.config, V = c.vocabSize, B = sequences.count
    guard B > 0 else { return [] }
    guard promptLens.count == B, lens.count == B else {
        throw GenerationError.badInput("sequenceLogprobs: promptLens and lens need one entry per sequence")
    }
    for i in 0..<B {
        guard promptLens[i] >= 1, promptLens[i] <= lens[i], lens[i] <= sequences[i].count else {
            throw GenerationError.badInput("sequenceLogprobs: sequence \(i) needs 1 ≤ promptLen ≤ len ≤ count")
        }
    }
    let T = lens.max()!
    guard T <= c.maxSeqLen else { throw GenerationError.badInput("sequence length \(T) exceeds max_seq_len \(c.maxSeqLen)") }
    var padded = [Int32](repeating: SamplingOptions.padID, count: B * T)
    for b in 0..<B { for t in 0..<lens[b] { padded[b * T + t] = sequences[b][t] } }
    let logits = model.forward(tokens: padded, batch: B, seqLen: T)
    var result: [[Float]] = []
    result.reserveCapacity(B)
    for b in 0..<B {
        var row: [Float] = []
        for t in promptLens[b]..<lens[b] {
            let l = logits.baseAddress! + (b * T + t - 1) * V
            var m = -Float.infinity
            for v in 0..<V { m = max(m, l[v]) }
            var s = 0.0
            for v in 0..<V { s += exp(Double(l[v] - m)) }
            row.append(Float(Double(l[Int(sequences[b][t])]) - (Double(m) + log(s))))
        }
        result.append(row)
    }
    return result
}
