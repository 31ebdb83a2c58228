import Randomness

/// How start states are chosen each step.
public enum StateSampler: Sendable, Hashable, Codable {
    /// PUCT with exploration constant c (default 1).
    case puct(c: Double)
    /// ε-greedy: with probability ε a uniformly random stored state, else the best stored state.
    case greedy(epsilon: Double)
    /// Always the initial states (cycled); also what best-of-N uses.
    case fixed

    public static let defaultPUCT = StateSampler.puct(c: 1.0)
    public static let defaultGreedy = StateSampler.greedy(epsilon: 0.1)

    /// Parses the CLI/suite spelling: `puct`, `greedy`, `fixed`.
    public init(name: String) throws(DiscoverError) {
        switch name {
        case "puct": self = .defaultPUCT
        case "greedy": self = .defaultGreedy
        case "fixed": self = .fixed
        default: throw DiscoverError("unknown sampler '\(name)' (expected puct, greedy or fixed)")
        }
    }

    public var name: String {
        switch self {
        case .puct: "puct"
        case .greedy: "greedy"
        case .fixed: "fixed"
        }
    }

    /// Start-state ids for `count` groups.
    public func select(_ archive: StateArchive, count: Int, rng: inout SplitMix64) -> [Int] {
        switch self {
        case .puct(let c):
            return PUCT.select(archive, count: count, c: c)
        case .greedy(let epsilon):
            let all = archive.ordered.map(\.id)
            guard let best = archive.best?.id else { return [] }
            return (0..<count).map { _ in
                rng.nextUnit() < epsilon ? all[Int(rng.next() % UInt64(all.count))] : best
            }
        case .fixed:
            let initial = archive.initialIDs
            guard !initial.isEmpty else { return [] }
            return (0..<count).map { initial[$0 % initial.count] }
        }
    }
}

/// An error in the discovery loop's configuration or inputs; the message names what is wrong.
public struct DiscoverError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ message: String) { description = message }
}
