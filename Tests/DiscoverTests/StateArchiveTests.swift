import Foundation
import Testing
import EnvironmentKit
@testable import Discover
import Randomness

/// The hand-built tree used throughout:
///
///     0 (initial, R 0.0) ── 1 A (0.5) ── 3 C (0.9)
///                       └── 2 B (0.3)
///
/// expansions: 0 ×1, A ×2, C ×1, B ×1  →  n = [5, 3, 1, 1], T = 5.
func handBuiltArchive() -> StateArchive {
    var a = StateArchive(initialStates: [EnvState(construction: "root", value: 0.0)])
    #expect(a.insert(child: EnvState(construction: "A", value: 0.5), parentID: 0, step: 1) == .inserted(1))
    #expect(a.insert(child: EnvState(construction: "B", value: 0.3), parentID: 0, step: 1) == .inserted(2))
    #expect(a.insert(child: EnvState(construction: "C", value: 0.9), parentID: 1, step: 2) == .inserted(3))
    a.recordExpansion(of: 0)
    a.recordExpansion(of: 1)
    a.recordExpansion(of: 1)
    a.recordExpansion(of: 3)
    a.recordExpansion(of: 2)
    return a
}

@Suite struct StateArchiveTests {
    @Test func visitCountsPropagateToEveryAncestor() {
        let a = handBuiltArchive()
        #expect([0, 1, 2, 3].map { a[$0]!.visits } == [5, 3, 1, 1])
        #expect(a.expansions == 5)
    }

    @Test func puctScoresMatchHandComputation() {
        let a = handBuiltArchive()
        // Ranks by value: C 0, A 1, B 2, root 3; N = 4 → P ∝ 4,3,2,1 → P = .4,.3,.2,.1.
        // scale = 0.9 − 0.3 over non-initial states; sqrt(1 + T) = sqrt(6).
        // Q: root → best child 0.5; A → best child 0.9; B, C → own value.
        let s6 = sqrt(6.0)
        let expected: [Int: Double] = [
            0: 0.5 + 0.6 * 0.1 * s6 / (1 + 5),
            1: 0.9 + 0.6 * 0.3 * s6 / (1 + 3),
            2: 0.3 + 0.6 * 0.2 * s6 / (1 + 1),
            3: 0.9 + 0.6 * 0.4 * s6 / (1 + 1),
        ]
        let scores = PUCT.scores(a)
        #expect(scores.map(\.id) == [0, 1, 2, 3])
        for s in scores { #expect(abs(s.score - expected[s.id]!) < 1e-12) }
        #expect(abs(scores[0].prior + scores[1].prior + scores[2].prior + scores[3].prior - 1) < 1e-12)
    }

    @Test func explorationConstantScalesTheBonus() {
        let a = handBuiltArchive()
        let one = PUCT.scores(a, c: 1), two = PUCT.scores(a, c: 2)
        for (x, y) in zip(one, two) { #expect(abs(2 * x.exploration - y.exploration) < 1e-12 && x.q == y.q) }
    }

    @Test func scaleHasAFloorWhenNoSpread() {
        var a = StateArchive(initialStates: [EnvState(construction: "root", value: 0)])
        #expect(PUCT.scores(a).allSatisfy { $0.scale == PUCT.minimumScale })
        a.insert(child: EnvState(construction: "x", value: 0.4), parentID: 0, step: 1)
        #expect(PUCT.scores(a).allSatisfy { $0.scale == PUCT.minimumScale })
    }

    @Test func scaleUsesInitialStatesOnlyWhileThereAreNoOthers() {
        var a = StateArchive(initialStates: [EnvState(construction: "p", value: 0.2), EnvState(construction: "q", value: 0.7)])
        #expect(PUCT.scores(a).allSatisfy { abs($0.scale - 0.5) < 1e-15 })
        a.insert(child: EnvState(construction: "x", value: 0.3), parentID: 0, step: 1)
        a.insert(child: EnvState(construction: "y", value: 0.4), parentID: 1, step: 1)
        #expect(PUCT.scores(a).allSatisfy { abs($0.scale - 0.1) < 1e-12 })
    }

    @Test func evictedAncestorsDoNotCutTheLineage() {
        // root ── A ── C; evicting A (capacity) must leave C linked to root for visits and blocking.
        var a = StateArchive(initialStates: [EnvState(construction: "root", value: 0)], capacity: 3,
                             maxChildrenPerParent: 5)
        a.insert(child: EnvState(construction: "A", value: 0.1), parentID: 0, step: 1)
        a.insert(child: EnvState(construction: "C", value: 0.9), parentID: 1, step: 2)
        a.insert(child: EnvState(construction: "B", value: 0.5), parentID: 0, step: 2)
        #expect(a[1] == nil && a[2]!.ancestors == [1, 0] && a[2]!.depth == 2)
        a.recordExpansion(of: 2)
        #expect(a[0]!.visits == 1 && a[2]!.visits == 1 && a.expansions == 1)
        #expect(a.lineage(of: 0).contains(2) && a.lineage(of: 2).contains(0) && !a.lineage(of: 3).contains(2))
    }

    @Test func childrenOfAnEvictedParentAreStillAccepted() {
        var a = StateArchive(initialStates: [EnvState(construction: "root", value: 0)], capacity: 2)
        a.insert(child: EnvState(construction: "A", value: 0.1), parentID: 0, step: 1)
        let snapshot = a[1]!
        a.insert(child: EnvState(construction: "B", value: 0.5), parentID: 0, step: 1)   // evicts A
        #expect(a[1] == nil)
        #expect(a.insert(child: EnvState(construction: "A2", value: 0.8), parent: snapshot, step: 1) == .inserted(3))
        #expect(a[3]!.ancestors == [1, 0])
        a.recordExpansion(of: snapshot)
        #expect(a[0]!.visits == 1 && a.expansions == 1)
    }

    @Test func lineageIsAncestorsAndDescendants() {
        let a = handBuiltArchive()
        #expect(a.lineage(of: 1) == [0, 1, 3])
        #expect(a.lineage(of: 3) == [0, 1, 3])
        #expect(a.lineage(of: 2) == [0, 2])
        #expect(a.lineage(of: 0) == [0, 1, 2, 3])
    }

    @Test func selectionBlocksLineagesWithinAStep() {
        let a = handBuiltArchive()
        // C scores highest; picking it blocks {C, A, root}; B is the only free branch; then all are blocked
        // and blocking starts over, so C again.
        #expect(PUCT.select(a, count: 3) == [3, 2, 3])
        // Unblocked argmax alone would have taken C three times.
        #expect(PUCT.scores(a).max { $0.score < $1.score }!.id == 3)
    }

    @Test func selectionSpreadsOverDistinctInitialStates() {
        let a = StateArchive(initialStates: ["p", "q", "r"].map { EnvState(construction: $0, value: 0) })
        #expect(Set(PUCT.select(a, count: 3)) == [0, 1, 2])
    }

    @Test func bestChildValueIsKeptEvenWhenTheChildIsNotStored() {
        var a = handBuiltArchive()
        // Root already keeps two children (A 0.5, B 0.3): 0.4 evicts B, 0.2 is refused, a duplicate of C is
        // refused; the root's Q tracks the best value ever generated.
        #expect(a.insert(child: EnvState(construction: "D", value: 0.4), parentID: 0, step: 3) == .inserted(4))
        #expect(a[2] == nil)
        #expect(a.children(of: 0) == [1, 4])
        #expect(a.insert(child: EnvState(construction: "E", value: 0.2), parentID: 0, step: 3) == .parentFull)
        #expect(a.insert(child: EnvState(construction: "C", value: 0.95), parentID: 0, step: 3) == .duplicate(3))
        #expect(a[0]!.bestChildValue == 0.95)
        #expect(a.count == 4)
    }

    @Test func capacityEvictsTheWorstButKeepsInitialStates() {
        var a = StateArchive(initialStates: [EnvState(construction: "root", value: -5)], capacity: 3,
                             maxChildrenPerParent: 10)
        a.insert(child: EnvState(construction: "a", value: 0.2), parentID: 0, step: 1)
        a.insert(child: EnvState(construction: "b", value: 0.6), parentID: 0, step: 1)
        #expect(a.insert(child: EnvState(construction: "c", value: 0.4), parentID: 0, step: 1) == .inserted(3))
        #expect(a.count == 3 && a[1] == nil && a[0] != nil)
        #expect(a.insert(child: EnvState(construction: "d", value: 0.1), parentID: 0, step: 1) == .evicted)
        #expect(Set(a.states.keys) == [0, 2, 3])
    }

    @Test func unscoredInitialStatesTakeTheLowestKnownValue() {
        var a = StateArchive(initialStates: [EnvState(construction: "root", value: nil)])
        #expect(a.value(0) == 0)
        a.insert(child: EnvState(construction: "x", value: 0.7), parentID: 0, step: 1)
        a.insert(child: EnvState(construction: "y", value: 0.2), parentID: 0, step: 1)
        #expect(a.value(0) == 0.2)
    }

    @Test func jsonlRoundTripPreservesEverything() throws {
        let a = handBuiltArchive()
        let b = try StateArchive.parse(try a.jsonl(), file: "mem.jsonl")
        #expect(b.ordered == a.ordered)
        #expect(b.expansions == a.expansions && b.nextID == a.nextID && b.capacity == a.capacity)
        #expect(PUCT.scores(b) == PUCT.scores(a))
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("archive-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try a.save(to: dir + "/archive.jsonl")
        #expect(try StateArchive.load(path: dir + "/archive.jsonl").ordered == a.ordered)
    }

    @Test func malformedArchiveLinesNameFileLineAndField() throws {
        let good = try handBuiltArchive().jsonl().split(separator: "\n").map(String.init)
        let broken = [good[0], good[1], good[2].replacingOccurrences(of: "\"visits\"", with: "\"visitz\"")]
        let error = #expect(throws: DiscoverError.self) {
            try StateArchive.parse(broken.joined(separator: "\n"), file: "runs/a.jsonl")
        }
        #expect(error?.description.contains("runs/a.jsonl:3") == true)
        #expect(error?.description.contains("visits") == true)
        #expect(throws: DiscoverError.self) { try StateArchive.parse("", file: "empty.jsonl") }
        #expect(throws: DiscoverError.self) { try StateArchive.parse(good[0] + "\n" + good[1] + "\n" + good[1], file: "dup.jsonl") }
    }

    @Test func greedyAndFixedSamplers() {
        let a = handBuiltArchive()
        var rng = SplitMix64(seed: 1)
        #expect(StateSampler.greedy(epsilon: 0).select(a, count: 4, rng: &rng) == [3, 3, 3, 3])
        #expect(StateSampler.fixed.select(a, count: 3, rng: &rng) == [0, 0, 0])
        let mixed = StateSampler.greedy(epsilon: 1).select(a, count: 200, rng: &rng)
        #expect(Set(mixed) == [0, 1, 2, 3])
    }
}
