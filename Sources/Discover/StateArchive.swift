import EnvironmentKit

/// What happened to a child offered to the archive.
public enum ArchiveInsertOutcome: Sendable, Hashable {
    /// Stored under this id.
    case inserted(Int)
    /// A state with the same construction is already stored (under this id); nothing was added.
    case duplicate(Int)
    /// The parent already keeps `maxChildrenPerParent` children that are all at least as good.
    case parentFull
    /// Stored, then immediately evicted because the archive was over capacity and it was the worst.
    case evicted
}

/// The archive of candidate solutions the search continues from (../shared/spec/discover.md, PUCT).
///
/// Invariants: initial states are never evicted; at most `capacity` states (plus any excess of initial
/// states); at most `maxChildrenPerParent` stored children per parent (the best ones); no two stored
/// states share a construction.
public struct StateArchive: Sendable {
    public private(set) var states: [Int: ArchivedState] = [:]
    /// T: the total number of expansions (rollouts) so far.
    public private(set) var expansions: Int = 0
    public private(set) var nextID: Int = 0
    public let capacity: Int
    public let maxChildrenPerParent: Int
    private var idByConstruction: [String: Int] = [:]

    public init(initialStates: [EnvState], capacity: Int = 1000, maxChildrenPerParent: Int = 2) {
        precondition(capacity >= 1 && maxChildrenPerParent >= 1)
        self.capacity = capacity
        self.maxChildrenPerParent = maxChildrenPerParent
        for s in initialStates where idByConstruction[s.construction] == nil {
            add(ArchivedState(id: nextID, ancestors: [], state: s, isInitial: true))
        }
    }

    /// Rebuilds an archive from stored records (persistence); validates ids and de-duplication.
    public init(restoring records: [ArchivedState], expansions: Int, nextID: Int, capacity: Int,
                maxChildrenPerParent: Int) throws(ArchiveError) {
        self.capacity = capacity
        self.maxChildrenPerParent = maxChildrenPerParent
        self.expansions = expansions
        for r in records {
            if states[r.id] != nil { throw ArchiveError("duplicate state id \(r.id)") }
            if r.id >= nextID { throw ArchiveError("state id \(r.id) is not below next_id \(nextID)") }
            if idByConstruction[r.state.construction] != nil {
                throw ArchiveError("state \(r.id) duplicates the construction of state \(idByConstruction[r.state.construction]!)")
            }
            states[r.id] = r
            idByConstruction[r.state.construction] = r.id
        }
        self.nextID = nextID
    }

    public var count: Int { states.count }
    public subscript(id: Int) -> ArchivedState? { states[id] }
    /// All states, in id order.
    public var ordered: [ArchivedState] { states.values.sorted { $0.id < $1.id } }
    public var initialIDs: [Int] { states.values.filter(\.isInitial).map(\.id).sorted() }

    /// R(s): the state's value; an unscored (initial) state counts as the lowest known value, or 0.
    public func value(_ id: Int) -> Double {
        if let v = states[id]?.state.value { return v }
        return lowestKnownValue ?? 0
    }

    var lowestKnownValue: Double? { states.values.compactMap(\.state.value).min() }

    /// The stored state with the highest value (ties: the earliest).
    public var best: ArchivedState? {
        states.values.min { a, b in
            let va = value(a.id), vb = value(b.id)
            return va != vb ? va > vb : a.id < b.id
        }
    }

    /// Records one expansion of `id` (one rollout started from it, valid or not): n += 1 for the state and
    /// each of its ancestors still stored, and T += 1.
    public mutating func recordExpansion(of id: Int) {
        guard let s = states[id] else { preconditionFailure("unknown state \(id)") }
        recordExpansion(of: s)
    }

    /// As `recordExpansion(of: id)`, from a snapshot of the expanded state taken when it was selected (it may
    /// have been evicted since, within the same step).
    public mutating func recordExpansion(of snapshot: ArchivedState) {
        expansions += 1
        for id in [snapshot.id] + snapshot.ancestors {
            states[id]?.visits += 1
        }
    }

    /// Offers a valid child produced from stored state `parentID` (see `insert(child:parent:step:)`).
    @discardableResult
    public mutating func insert(child: EnvState, parentID: Int, step: Int) -> ArchiveInsertOutcome {
        guard let parent = states[parentID] else { preconditionFailure("unknown parent \(parentID)") }
        return insert(child: child, parent: parent, step: step)
    }

    /// Offers a valid child produced from `parent` (a snapshot taken at selection time: the parent may have
    /// been evicted since). The parent's best-child value is updated whatever the outcome (when it is still
    /// stored); the child is stored unless it is a duplicate, loses the per-parent top-k contest, or is the
    /// worst state when the archive overflows.
    @discardableResult
    public mutating func insert(child: EnvState, parent: ArchivedState, step: Int) -> ArchiveInsertOutcome {
        var child = child
        let reward = child.value ?? lowestKnownValue ?? 0
        child.value = reward
        if var stored = states[parent.id] {
            stored.bestChildValue = max(stored.bestChildValue ?? reward, reward)
            states[parent.id] = stored
        }
        if let existing = idByConstruction[child.construction] { return .duplicate(existing) }

        let siblings = children(of: parent.id)
        if siblings.count >= maxChildrenPerParent {
            // Evict the worst sibling if the newcomer beats it (ties keep the incumbent).
            let worst = siblings.min { lhs, rhs in worse(lhs, rhs) }!
            if reward <= states[worst]?.state.value ?? -.infinity { return .parentFull }
            remove(worst)
        }
        let id = nextID
        add(ArchivedState(id: id, ancestors: [parent.id] + parent.ancestors, state: child, isInitial: false,
                          step: step))
        while states.count > capacity {
            let victims = states.values.filter { !$0.isInitial }.map(\.id)
            guard let victim = victims.min(by: { worse($0, $1) }) else { break }
            remove(victim)
            if victim == id { return .evicted }
        }
        return .inserted(id)
    }

    /// Stored children of a state, in id order.
    public func children(of id: Int) -> [Int] {
        states.values.filter { $0.parentID == id }.map(\.id).sorted()
    }

    /// Stored ancestors, nearest first.
    public func ancestors(of id: Int) -> [Int] {
        (states[id]?.ancestors ?? []).filter { states[$0] != nil }
    }

    /// Stored descendants, in id order (states that list `id` among their ancestors).
    public func descendants(of id: Int) -> [Int] {
        states.values.filter { $0.ancestors.contains(id) }.map(\.id).sorted()
    }

    /// The state, its ancestors and its descendants (ids of evicted ancestors included: they block nothing).
    public func lineage(of id: Int) -> Set<Int> {
        Set([id] + (states[id]?.ancestors ?? []) + descendants(of: id))
    }

    /// Eviction order among non-initial states (which always carry a value): lower value first; among
    /// equals the newer one goes first (earlier finds are kept).
    private func worse(_ a: Int, _ b: Int) -> Bool {
        let va = states[a]?.state.value ?? -.infinity, vb = states[b]?.state.value ?? -.infinity
        return va != vb ? va < vb : a > b
    }

    private mutating func add(_ s: ArchivedState) {
        states[s.id] = s
        idByConstruction[s.state.construction] = s.id
        nextID = max(nextID, s.id + 1)
    }

    private mutating func remove(_ id: Int) {
        guard let s = states.removeValue(forKey: id) else { return }
        idByConstruction[s.state.construction] = nil
    }
}

/// A malformed archive (bad records on load).
public struct ArchiveError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ message: String) { description = message }
}
