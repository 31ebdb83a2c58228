// A result cache keyed by (environment id with version, task, candidate) — the candidate being the
// completion together with the state it was produced from. Only deterministic environments are cached,
// and never a timeout or an infrastructure error (those may not repeat).

/// What identifies one evaluation.
public struct EvaluationCacheKey: Sendable, Hashable {
    /// Full versioned environment id.
    public var environmentID: String
    /// Canonical task text (`EnvironmentConfig.taskKey`).
    public var task: String
    public var state: EnvState
    public var completion: String

    public init(environmentID: String, task: String, state: EnvState, completion: String) {
        self.environmentID = environmentID
        self.task = task
        self.state = state
        self.completion = completion
    }
}

/// A bounded in-memory cache; the oldest entry is evicted first when full.
public actor EvaluationCache {
    public let capacity: Int
    private var entries: [EvaluationCacheKey: Evaluation] = [:]
    private var order: [EvaluationCacheKey] = []
    private var orderStart = 0
    public private(set) var hits = 0
    public private(set) var misses = 0

    public init(capacity: Int = 100_000) { self.capacity = max(1, capacity) }

    public func lookup(_ key: EvaluationCacheKey) -> Evaluation? {
        if let found = entries[key] { hits += 1; return found }
        misses += 1
        return nil
    }

    public func store(_ evaluation: Evaluation, for key: EvaluationCacheKey) {
        guard Self.isCacheable(evaluation), entries[key] == nil else { return }
        if entries.count >= capacity {
            entries[order[orderStart]] = nil
            orderStart += 1
            if orderStart > capacity { order.removeFirst(orderStart); orderStart = 0 }
        }
        entries[key] = evaluation
        order.append(key)
    }

    public var count: Int { entries.count }

    /// Timeouts and infrastructure errors are not cached: evaluating again may succeed.
    public static func isCacheable(_ evaluation: Evaluation) -> Bool {
        evaluation.status != .timeout && evaluation.status != .infraError
    }
}

/// An environment whose evaluations go through an `EvaluationCache` (a pass-through when the wrapped
/// environment is nondeterministic).
public struct CachedEnvironment: Environment {
    public let base: any Environment
    public let cache: EvaluationCache
    /// Canonical task text for the key.
    public let task: String

    public init(_ base: any Environment, cache: EvaluationCache, task: String) {
        self.base = base
        self.cache = cache
        self.task = task
    }

    public var spec: EnvironmentSpec { base.spec }
    public var problem: String { base.problem }
    public func initialStates() async throws -> [EnvState] { try await base.initialStates() }
    public func prompt(for state: EnvState) -> String { base.prompt(for: state) }
    public func references() -> [ReferenceCase] { base.references() }
    public func shutdown() async { await base.shutdown() }

    public func evaluate(completion: String, from state: EnvState) async throws -> Evaluation {
        guard base.spec.deterministic else { return try await base.evaluate(completion: completion, from: state) }
        let key = EvaluationCacheKey(environmentID: base.spec.id, task: task, state: state, completion: completion)
        if let hit = await cache.lookup(key) { return hit }
        let evaluation = try await base.evaluate(completion: completion, from: state)
        await cache.store(evaluation, for: key)
        return evaluation
    }
}

extension EnvironmentRegistry {
    /// Builds `id` and wraps it in `cache`, keyed by the task's canonical options (task file + env-args).
    public func makeCached(_ id: String, options: EnvironmentOptions = EnvironmentOptions(),
                           cache: EvaluationCache) throws -> CachedEnvironment {
        let task = try EnvironmentConfig(options: options).taskKey
        return CachedEnvironment(try make(id, options: options), cache: cache, task: task)
    }
}
