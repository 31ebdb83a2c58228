import Foundation
import Testing
@testable import Discover

/// The acceptance criterion, on the pipeline that does not need a model: through the benchmark
/// runner, 5 seeds, equal budgets, TTT-Discover's final best must beat best-of-N's on average and on at
/// least 4 of 5 seeds. Policy: `CharacterTablePolicy` (8 positions × 26 letters); environment: the
/// 8-letter hidden-string test environment. The markdown table is printed (docs/benchmarks.md).
/// (The table policy ignores its prompt, so the start-state sampler cannot matter here; a greedy-sampler
/// row would duplicate the PUCT one.)
@Suite struct BenchAcceptanceTests {
    static let suite = """
    { "name": "table-vs-best-of-n", "seeds": [0, 1, 2, 3, 4],
      "budget": { "steps": 25, "groups": 4, "group_size": 8, "max_new_tokens": 8 },
      "policy": { "kind": "table", "length": 8 },
      "envs": [ { "id": "test/match-target-v0", "args": { "target": "discover" }, "thresholds": [0.5, 0.75, 1.0] } ],
      "methods": [ { "name": "ttt", "method": "ttt", "lr": 0.3, "kl_coef": 0.01 },
                   { "name": "ttt-mean", "method": "ttt", "objective": "mean", "lr": 0.3, "kl_coef": 0.01 },
                   { "name": "best-of-n", "method": "best-of-n" } ] }
    """

    @Test func tttBeatsBestOfNOnAverageAndOnFourOfFiveSeeds() async throws {
        let out = tempDir("bench-acceptance")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let suite = try BenchSuite.parse(Self.suite, file: "acceptance.json")
        let results = try await BenchRunner(
            suite: suite, outputDirectory: out,
            makeEnvironment: { entry in MatchTargetEnvironment(target: entry.args?["target"] ?? "") },
            makePolicy: { _, _ in CharacterTablePolicy(alphabet: lowercase, length: 8) }).run()
        let rows = BenchReport.rows(results)
        let ttt = try #require(rows.first { $0.method == "ttt" })
        let bon = try #require(rows.first { $0.method == "best-of-n" })
        #expect(Set(results.records.map(\.samples)) == [800])
        #expect(try #require(ttt.finalBestMean) > #require(bon.finalBestMean))
        #expect(try #require(ttt.winsVsBaseline) >= 4 && ttt.comparedSeeds == 5)
        print(BenchReport.markdown(results))
    }
}
