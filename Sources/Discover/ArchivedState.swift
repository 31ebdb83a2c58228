import EnvironmentKit

/// One state in the archive: the environment's state plus the search bookkeeping PUCT needs.
public struct ArchivedState: Sendable, Codable, Hashable {
    /// Unique, increasing in insertion order; never reused.
    public let id: Int
    /// Every ancestor, nearest (the parent) first; empty for initial states. Kept in full so that visit
    /// counts and lineage blocking still reach the older ancestors after an intermediate one is evicted.
    public let ancestors: [Int]
    /// The state this one was produced from; nil for initial states (it may since have been evicted).
    public var parentID: Int? { ancestors.first }
    /// 0 for initial states, the number of ancestors otherwise.
    public var depth: Int { ancestors.count }
    public var state: EnvState
    /// Initial states are never evicted and are excluded from PUCT's `scale`.
    public let isInitial: Bool
    /// n(s): expansions of this state or of any of its descendants (failed rollouts included).
    public var visits: Int
    /// The best reward among valid children ever generated from this state (kept even when the child
    /// itself was a duplicate, lost the top-2 contest, or was later evicted).
    public var bestChildValue: Double?
    /// The loop step that produced this state (0 for initial states).
    public let step: Int

    public init(id: Int, ancestors: [Int], state: EnvState, isInitial: Bool, visits: Int = 0,
                bestChildValue: Double? = nil, step: Int = 0) {
        self.id = id
        self.ancestors = ancestors
        self.state = state
        self.isInitial = isInitial
        self.visits = visits
        self.bestChildValue = bestChildValue
        self.step = step
    }

    enum CodingKeys: String, CodingKey {
        case id, ancestors, isInitial = "initial", visits, bestChildValue = "best_child_value"
        case step, construction, value, feedback
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(Int.self, forKey: .id)
        ancestors = try c.decode([Int].self, forKey: .ancestors)
        isInitial = try c.decode(Bool.self, forKey: .isInitial)
        visits = try c.decode(Int.self, forKey: .visits)
        bestChildValue = try c.decodeIfPresent(Double.self, forKey: .bestChildValue)
        step = try c.decode(Int.self, forKey: .step)
        state = EnvState(construction: try c.decode(String.self, forKey: .construction),
                         value: try c.decodeIfPresent(Double.self, forKey: .value),
                         feedback: try c.decodeIfPresent(String.self, forKey: .feedback) ?? "")
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(ancestors, forKey: .ancestors)
        try c.encode(isInitial, forKey: .isInitial)
        try c.encode(visits, forKey: .visits)
        try c.encodeIfPresent(bestChildValue, forKey: .bestChildValue)
        try c.encode(step, forKey: .step)
        try c.encode(state.construction, forKey: .construction)
        try c.encodeIfPresent(state.value, forKey: .value)
        try c.encode(state.feedback, forKey: .feedback)
    }
}
