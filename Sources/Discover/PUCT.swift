/// PUCT state selection (../shared/spec/discover.md):
/// `score(s) = Q(s) + c · scale · P(s) · sqrt(1 + T) / (1 + n(s))`.
///
/// - `Q(s)`: the best value among children ever generated from s, else R(s).
/// - `P(s)`: rank prior; states sorted by R descending (ties: lower id first), best rank 0, `P ∝ N − rank`,
///   normalised to sum to 1 over the archive.
/// - `scale`: max R − min R over non-initial states (over all states while there are none), at least 1e-6.
/// - `n(s)`, `T`: the archive's visit and expansion counts.
public struct PUCTScore: Sendable, Hashable {
    public var id: Int
    public var q: Double
    public var prior: Double
    public var scale: Double
    public var visits: Int
    /// The exploration term `c · scale · P · sqrt(1 + T) / (1 + n)`.
    public var exploration: Double
    public var score: Double { q + exploration }
}

public enum PUCT {
    public static let minimumScale = 1e-6

    /// Scores of every stored state, in id order.
    public static func scores(_ archive: StateArchive, c: Double = 1.0) -> [PUCTScore] {
        let all = archive.ordered
        let n = all.count
        guard n > 0 else { return [] }
        let values = Dictionary(uniqueKeysWithValues: all.map { ($0.id, archive.value($0.id)) })
        let ranked = all.map(\.id).sorted { a, b in values[a]! != values[b]! ? values[a]! > values[b]! : a < b }
        var rank: [Int: Int] = [:]
        for (r, id) in ranked.enumerated() { rank[id] = r }
        let priorTotal = Double(n * (n + 1) / 2)
        let nonInitial = all.filter { !$0.isInitial }.map { values[$0.id]! }
        let grown = nonInitial.isEmpty ? all.map { values[$0.id]! } : nonInitial
        let scale = max((grown.max() ?? 0) - (grown.min() ?? 0), minimumScale)
        let sqrtT = (1 + Double(archive.expansions)).squareRoot()
        return all.map { s in
            let q = s.bestChildValue ?? values[s.id]!
            let prior = Double(n - rank[s.id]!) / priorTotal
            let explore = c * scale * prior * sqrtT / (1 + Double(s.visits))
            return PUCTScore(id: s.id, q: q, prior: prior, scale: scale, visits: s.visits, exploration: explore)
        }
    }

    /// Picks `count` start states for one step. After each pick its whole lineage (ancestors and
    /// descendants) is blocked for the rest of the step so that groups start from distinct branches; when
    /// every state is blocked the blocking starts over. Ties go to the higher value, then the lower id.
    public static func select(_ archive: StateArchive, count: Int, c: Double = 1.0) -> [Int] {
        let scored = scores(archive, c: c)
        guard !scored.isEmpty else { return [] }
        func before(_ a: PUCTScore, _ b: PUCTScore) -> Bool {
            if a.score != b.score { return a.score > b.score }
            let va = archive.value(a.id), vb = archive.value(b.id)
            return va != vb ? va > vb : a.id < b.id
        }
        var blocked = Set<Int>()
        var picks: [Int] = []
        while picks.count < count {
            var candidates = scored.filter { !blocked.contains($0.id) }
            if candidates.isEmpty {
                blocked.removeAll()
                candidates = scored
            }
            let pick = candidates.min(by: before)!
            picks.append(pick.id)
            blocked.formUnion(archive.lineage(of: pick.id))
        }
        return picks
    }
}
