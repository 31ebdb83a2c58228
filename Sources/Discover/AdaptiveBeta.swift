import Foundation

/// The adaptive inverse temperature of the entropic objective.
///
/// For a group of K rewards r, `q(β) = softmax(β · (r − max r))` and
/// `KL(β) = KL(q ‖ uniform_K) = Σ_i q_i (log q_i + log K)`, which grows monotonically from 0 at β = 0 to
/// `log(K / m)` as β → ∞ (m = how many rewards tie for the maximum). β is found by bisection so that
/// `KL(β) = ln 2`: the upper bracket grows from 1 by doubling (capped at 1e6), then 60 bisection steps.
/// When the target cannot be reached (K/m ≤ 2, or a constant group) the cap is returned.
/// All sums run in Double; `r − max r ≤ 0`, so `exp` never overflows.
public enum AdaptiveBeta {
    public static let targetKL = log(2.0)
    public static let maxBeta = 1e6
    public static let iterations = 60

    /// KL(softmax(β (r − max r)) ‖ uniform).
    public static func kl(beta: Double, rewards: [Double]) -> Double {
        let k = Double(rewards.count)
        guard let top = rewards.max(), rewards.count > 1 else { return 0 }
        let logits = rewards.map { beta * ($0 - top) }
        let logZ = log(logits.reduce(0) { $0 + exp($1) })
        var total = 0.0
        for l in logits {
            let logQ = l - logZ
            total += exp(logQ) * (logQ + log(k))
        }
        return max(total, 0)
    }

    /// β with KL(β) = ln 2 (within the bisection's resolution), or `maxBeta` when unreachable.
    public static func solve(rewards: [Double], target: Double = targetKL) -> Double {
        var hi = 1.0
        while kl(beta: hi, rewards: rewards) < target {
            if hi >= maxBeta { return maxBeta }
            hi = min(hi * 2, maxBeta)
        }
        var lo = 0.0
        for _ in 0..<iterations {
            let mid = 0.5 * (lo + hi)
            if kl(beta: mid, rewards: rewards) < target { lo = mid } else { hi = mid }
        }
        return 0.5 * (lo + hi)
    }
}
