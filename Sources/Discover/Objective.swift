import Foundation

/// How a group's rewards become per-rollout advantages.
public enum Objective: Sendable, Hashable {
    /// Entropic with β chosen per group so that KL(q ‖ uniform) = ln 2 (the default).
    case entropicAdaptive
    /// Entropic with a fixed β.
    case entropic(beta: Double)
    /// `A_i = r_i − mean(r)`.
    case meanBaseline

    public init(name: String, beta: Double = 1.0) throws(DiscoverError) {
        switch name {
        case "entropic-adaptive": self = .entropicAdaptive
        case "entropic": self = .entropic(beta: beta)
        case "mean": self = .meanBaseline
        default: throw DiscoverError("unknown objective '\(name)' (expected entropic-adaptive, entropic or mean)")
        }
    }

    public var name: String {
        switch self {
        case .entropicAdaptive: "entropic-adaptive"
        case .entropic: "entropic"
        case .meanBaseline: "mean"
        }
    }

    /// Advantages for one group, or nil when the group is dropped (fewer than two rewards, or all equal:
    /// there is nothing to learn from). `beta` is the β used (nil for the mean baseline).
    public func advantages(_ rewards: [Double]) -> (advantages: [Double], beta: Double?)? {
        guard rewards.count >= 2, let lo = rewards.min(), let hi = rewards.max(), hi > lo else { return nil }
        switch self {
        case .entropicAdaptive:
            let beta = AdaptiveBeta.solve(rewards: rewards)
            return (Self.entropicAdvantages(rewards, beta: beta), beta)
        case .entropic(let beta):
            return (Self.entropicAdvantages(rewards, beta: beta), beta)
        case .meanBaseline:
            let mean = rewards.reduce(0, +) / Double(rewards.count)
            return (rewards.map { $0 - mean }, nil)
        }
    }

    /// `e_i = exp(β (r_i − max r))`, leave-one-out normaliser `Z_i = (Σ_j e_j − e_i) / (K − 1)`,
    /// `A_i = e_i / (Z_i + 1e-12) − 1`.
    public static func entropicAdvantages(_ rewards: [Double], beta: Double) -> [Double] {
        let top = rewards.max() ?? 0
        let e = rewards.map { exp(beta * ($0 - top)) }
        let total = e.reduce(0, +)
        let k = Double(rewards.count)
        return e.map { ei in
            let z = (total - ei) / (k - 1)
            return ei / (z + 1e-12) - 1
        }
    }
}
