/// The per-token KL penalty to the frozen starting policy, folded into the advantages:
/// `A_t += λ · (mean_batch(Δ) − Δ_t)` with `Δ_t = log π_sampler(a_t) − log π_base(a_t)`.
///
/// The batch mean runs over every completion token of every trained rollout. The mean of Δ is also the
/// usual sample estimate of KL(π_sampler ‖ π_base) per token, reported as the step's `kl`.
public enum KLShaping {
    /// - Parameters:
    ///   - advantages: one sequence-level advantage per rollout.
    ///   - samplerLogProbs / baseLogProbs: per rollout, one log-probability per completion token.
    /// - Returns: per-token advantages (same ragged shape) and mean Δ.
    public static func shape(advantages: [Double], samplerLogProbs: [[Float]], baseLogProbs: [[Float]],
                             coefficient lambda: Double) -> (perToken: [[Float]], meanDelta: Double) {
        precondition(advantages.count == samplerLogProbs.count && advantages.count == baseLogProbs.count)
        var sum = 0.0
        var count = 0
        for (s, b) in zip(samplerLogProbs, baseLogProbs) {
            precondition(s.count == b.count, "sampler and base log-probs differ in length")
            for t in 0..<s.count { sum += Double(s[t]) - Double(b[t]) }
            count += s.count
        }
        let mean = count > 0 ? sum / Double(count) : 0
        var out: [[Float]] = []
        out.reserveCapacity(advantages.count)
        for i in 0..<advantages.count {
            let s = samplerLogProbs[i], b = baseLogProbs[i]
            out.append((0..<s.count).map { t in
                Float(advantages[i] + lambda * (mean - (Double(s[t]) - Double(b[t]))))
            })
        }
        return (out, mean)
    }
}
