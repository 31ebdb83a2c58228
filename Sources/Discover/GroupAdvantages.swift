/// Turns one step's groups of rollouts into the sequence-level advantages to train on.
///
/// Per group: rollouts with a nil reward (infrastructure errors) are left out; the objective scores the
/// remaining rewards, or drops the group (fewer than two, or all equal); rollouts with no completion
/// tokens are skipped (nothing to train).
public struct GroupAdvantages: Sendable {
    /// The rollouts to train on, in group order.
    public var completions: [SampledCompletion]
    /// One advantage per entry of `completions`.
    public var advantages: [Double]
    /// β per group (nil when dropped or when the objective has none).
    public var betas: [Double?]
    public var droppedGroups: Int

    /// - Parameters:
    ///   - groups: per group, its rollouts.
    ///   - rewards: per group, one reward per rollout (nil = never trained on).
    public init(groups: [[SampledCompletion]], rewards: [[Double?]], objective: Objective) {
        precondition(groups.count == rewards.count && zip(groups, rewards).allSatisfy { $0.count == $1.count })
        completions = []
        advantages = []
        betas = [Double?](repeating: nil, count: groups.count)
        droppedGroups = 0
        for (g, group) in groups.enumerated() {
            let members = group.indices.filter { rewards[g][$0] != nil }
            guard let result = objective.advantages(members.map { rewards[g][$0]! }) else {
                droppedGroups += 1
                continue
            }
            betas[g] = result.beta
            for (i, k) in members.enumerated() where !group[k].tokens.isEmpty {
                completions.append(group[k])
                advantages.append(result.advantages[i])
            }
        }
    }
}
