// A plain dictionary from versioned id to factory, with Gymnasium's resolution rules: an unversioned id
// means the latest version; an unknown id is an error listing what exists and the closest matches.

/// Why an id could not be registered or resolved.
public enum EnvironmentRegistryError: Error, CustomStringConvertible, Sendable, Equatable {
    case malformed(id: String, reason: String)
    case unversionedRegistration(id: String)
    case duplicate(id: String)
    case unknown(id: String, known: [String], closeMatches: [String])
    case unknownVersion(id: String, available: [String])

    public var description: String {
        switch self {
        case .malformed(let id, let reason):
            return "malformed environment id '\(id)': \(reason) (expected [namespace/]name[-vN])"
        case .unversionedRegistration(let id):
            return "environment id '\(id)' must carry a version to be registered (e.g. '\(id)-v0')"
        case .duplicate(let id):
            return "environment id '\(id)' is already registered"
        case .unknown(let id, let known, let close):
            let suggestion = close.isEmpty ? "" : " Did you mean: \(close.joined(separator: ", "))?"
            return "unknown environment '\(id)'.\(suggestion) Known environments: \(known.joined(separator: ", "))"
        case .unknownVersion(let id, let available):
            return "environment '\(id)' has no such version; available: \(available.joined(separator: ", "))"
        }
    }
}

/// Environment ids → factories.
public struct EnvironmentRegistry: Sendable {
    private var factories: [String: EnvironmentFactory] = [:]
    private var parsed: [String: EnvironmentID] = [:]

    public init() {}

    /// A registry holding `factories` (keys are full versioned ids); duplicates are impossible in a dictionary,
    /// malformed or unversioned ids throw.
    public init(factories: [String: EnvironmentFactory]) throws {
        try register(contentsOf: factories)
    }

    /// Registers `factory` under a versioned id. Throws on a malformed, unversioned or duplicate id.
    public mutating func register(_ id: String, factory: @escaping EnvironmentFactory) throws {
        let parsedID = try EnvironmentID(parsing: id)
        guard parsedID.version != nil else { throw EnvironmentRegistryError.unversionedRegistration(id: id) }
        let key = parsedID.description
        guard factories[key] == nil else { throw EnvironmentRegistryError.duplicate(id: key) }
        factories[key] = factory
        parsed[key] = parsedID
    }

    /// Registers every entry of `more` (sorted by id, so the first duplicate reported is deterministic).
    public mutating func register(contentsOf more: [String: EnvironmentFactory]) throws {
        for (id, factory) in more.sorted(by: { $0.key < $1.key }) { try register(id, factory: factory) }
    }

    /// All registered ids, sorted.
    public var ids: [String] { factories.keys.sorted() }

    /// The full versioned id `id` refers to: itself when versioned and registered, the latest version
    /// when unversioned.
    public func resolve(_ id: String) throws -> String {
        let wanted = try EnvironmentID(parsing: id)
        let sameName = parsed.values.filter { $0.unversioned == wanted.unversioned }
        if wanted.version != nil {
            if factories[wanted.description] != nil { return wanted.description }
            if !sameName.isEmpty {
                throw EnvironmentRegistryError.unknownVersion(
                    id: id, available: sameName.sorted { $0.version! < $1.version! }.map(\.description))
            }
        } else if let latest = sameName.max(by: { $0.version! < $1.version! }) {
            return latest.description
        }
        throw EnvironmentRegistryError.unknown(id: id, known: ids, closeMatches: closeMatches(for: id))
    }

    /// Builds the environment `id` refers to.
    public func make(_ id: String, options: EnvironmentOptions = EnvironmentOptions()) throws -> any Environment {
        let full = try resolve(id)
        return try factories[full]!(options)
    }

    /// Registered ids whose unversioned form (or bare name) is within a small edit distance of `id`, closest
    /// first (at most 5). The allowance is max(2, length / 3) edits.
    public func closeMatches(for id: String) -> [String] {
        let query = ((try? EnvironmentID(parsing: id))?.unversioned ?? id).lowercased()
        let queryName = query.split(separator: "/").last.map(String.init) ?? query
        var scored: [(distance: Int, id: String)] = []
        for (key, pid) in parsed {
            let full = pid.unversioned.lowercased()
            let distance = min(editDistance(query, full), editDistance(queryName, pid.name.lowercased()))
            let allowance = max(2, query.count / 3)
            let contains = full.contains(queryName) && queryName.count >= 3
            if distance <= allowance || contains { scored.append((contains ? min(distance, 1) : distance, key)) }
        }
        return scored.sorted { ($0.distance, $0.id) < ($1.distance, $1.id) }.prefix(5).map(\.id)
    }
}

/// Levenshtein distance over characters (insert, delete, substitute each cost 1).
func editDistance(_ a: String, _ b: String) -> Int {
    let x = Array(a), y = Array(b)
    if x.isEmpty { return y.count }
    if y.isEmpty { return x.count }
    var previous = Array(0...y.count)
    var current = [Int](repeating: 0, count: y.count + 1)
    for i in 1...x.count {
        current[0] = i
        for j in 1...y.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
        }
        swap(&previous, &current)
    }
    return previous[y.count]
}
