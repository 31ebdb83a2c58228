import Foundation

/// Token-level policy-gradient loss head with importance ratios (../shared/spec/discover.md):
///
///     loss = −Σ_t ratio_t · A_t / tokenCount,   ratio_t = π_θ(a_t) / π_sampler(a_t) = exp(logp_t − logq_t)
///
/// and its gradient with respect to the logits of each position,
///
///     dLoss/dz_{t,j} = −(A_t · ratio_t / tokenCount) · (1[j = a_t] − softmax(z_t)_j).
///
/// At the first pass over fresh samples π_θ = π_sampler, so ratio = 1 and this is plain REINFORCE with
/// per-token advantages. `tokenCount` is the batch's total number of completion tokens, so a caller may
/// process the batch in chunks and accumulate losses and gradients.
public struct PolicyGradientLoss: Sendable {
    public var loss: Double
    /// Mean importance ratio over these rows (1 on the first pass; a drift check).
    public var meanRatio: Double
    /// Mean log π_θ(a_t) over these rows.
    public var meanLogProb: Double

    /// - Parameters:
    ///   - logits: [N, V] row-major, the logits that predict each completion token.
    ///   - targets: [N] the sampled token ids a_t.
    ///   - advantages: [N] per-token advantages A_t (KL shaping already applied).
    ///   - samplerLogProbs: [N] log π_sampler(a_t) recorded at sampling time.
    ///   - dLogits: [N, V] overwritten with dLoss/dlogits, or nil for the loss only.
    public static func compute(logits: UnsafePointer<Float>, rows n: Int, vocab v: Int, targets: [Int32],
                               advantages: [Float], samplerLogProbs: [Float], tokenCount: Int,
                               dLogits: UnsafeMutablePointer<Float>?) -> PolicyGradientLoss {
        precondition(targets.count == n && advantages.count == n && samplerLogProbs.count == n)
        precondition(tokenCount > 0 && v > 0)
        let inv = 1.0 / Double(tokenCount)
        var loss = 0.0, ratioSum = 0.0, logpSum = 0.0
        for t in 0..<n {
            let row = logits + t * v
            let a = Int(targets[t])
            precondition(a >= 0 && a < v, "target id \(a) outside vocabulary of \(v)")
            // z: [V]; log-softmax with the max subtracted.
            var top = -Float.infinity
            for j in 0..<v where row[j] > top { top = row[j] }
            var z = 0.0
            for j in 0..<v { z += Double(expf(row[j] - top)) }
            let logZ = Double(top) + log(z)
            let logp = Double(row[a]) - logZ
            let ratio = exp(logp - Double(samplerLogProbs[t]))
            let adv = Double(advantages[t])
            loss -= ratio * adv * inv
            ratioSum += ratio
            logpSum += logp
            if let d = dLogits {
                let out = d + t * v
                let coeff = Float(-adv * ratio * inv)
                let shift = Float(logZ)
                for j in 0..<v { out[j] = -coeff * expf(row[j] - shift) }
                out[a] += coeff
            }
        }
        return PolicyGradientLoss(loss: loss, meanRatio: n > 0 ? ratioSum / Double(n) : 1,
                                  meanLogProb: n > 0 ? logpSum / Double(n) : 0)
    }
}
