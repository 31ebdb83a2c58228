import Foundation
import Randomness

/// Picks one token from one row of logits, and reports the model's log-probability of it.
///
/// The returned log-probability is that of the model's own distribution (log-softmax of the raw logits at
/// temperature 1, without filtering), which is what `sequenceLogprobs` computes and what importance ratios
/// need when sampling at temperature 1 without filters. Banned ids (PAD always) are excluded from the
/// choice but not from that normaliser. Computation is in Double.
struct TokenSampler {
    let options: SamplingOptions
    let banned: [Bool]

    init(options: SamplingOptions, vocab: Int) {
        self.options = options
        var banned = [Bool](repeating: false, count: vocab)
        banned[Int(SamplingOptions.padID)] = true
        for id in options.bannedIDs where id >= 0 && Int(id) < vocab { banned[Int(id)] = true }
        self.banned = banned
    }

    /// logits: [V]. `scratch` holds at least V Doubles and V Ints.
    func pick(_ logits: UnsafePointer<Float>, vocab V: Int, rng: inout SplitMix64,
              probs: UnsafeMutablePointer<Double>, order: UnsafeMutablePointer<Int>) -> (id: Int32, logprob: Float) {
        // Model log-probability normaliser over the full vocabulary.
        var maxAll = -Float.infinity
        for v in 0..<V { maxAll = max(maxAll, logits[v]) }
        var sumAll = 0.0
        for v in 0..<V { sumAll += exp(Double(logits[v] - maxAll)) }
        let logZ = Double(maxAll) + log(sumAll)

        let chosen: Int
        if options.temperature == 0 {
            var best = -1
            var bestValue = -Float.infinity
            for v in 0..<V where !banned[v] && (best < 0 || logits[v] > bestValue) { best = v; bestValue = logits[v] }
            chosen = max(best, 0)
        } else {
            let invT = 1 / Double(options.temperature)
            var maxAllowed = -Double.infinity
            for v in 0..<V where !banned[v] { maxAllowed = max(maxAllowed, Double(logits[v])) }
            var count = 0
            for v in 0..<V where !banned[v] {
                probs[count] = exp((Double(logits[v]) - maxAllowed) * invT)
                order[count] = v
                count += 1
            }
            var kept = count
            if (options.topK > 0 && options.topK < count) || options.topP < 1 {
                // Sort candidates by probability (descending; ties by id for determinism).
                let pairs = (0..<count).map { (probs[$0], order[$0]) }
                    .sorted { $0.0 != $1.0 ? $0.0 > $1.0 : $0.1 < $1.1 }
                for (i, pair) in pairs.enumerated() { probs[i] = pair.0; order[i] = pair.1 }
                if options.topK > 0 { kept = min(kept, options.topK) }
                if options.topP < 1 {
                    var total = 0.0
                    for i in 0..<kept { total += probs[i] }
                    var running = 0.0
                    for i in 0..<kept {
                        running += probs[i]
                        if running >= Double(options.topP) * total { kept = i + 1; break }
                    }
                }
            }
            var total = 0.0
            for i in 0..<kept { total += probs[i] }
            let target = rng.nextUnit() * total
            var running = 0.0
            var pick = order[kept - 1]
            for i in 0..<kept {
                running += probs[i]
                if target < running { pick = order[i]; break }
            }
            chosen = pick
        }
        return (Int32(chosen), Float(Double(logits[chosen]) - logZ))
    }
}
