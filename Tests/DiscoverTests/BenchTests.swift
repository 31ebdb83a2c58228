import Foundation
import Testing
import EnvironmentKit
import Model
@testable import Discover

let tinySuite = """
{ "name": "tiny", "seeds": [1, 2],
  "budget": { "steps": 12, "groups": 4, "group_size": 8, "max_new_tokens": 6 },
  "policy": { "kind": "table", "length": 6 },
  "envs": [ { "id": "test/match-target-v0", "args": { "target": "puzzle" }, "thresholds": [0.5, 0.8] } ],
  "methods": [ { "name": "ttt", "method": "ttt", "lr": 0.3, "kl_coef": 0.01 },
               { "name": "best-of-n", "method": "best-of-n" } ] }
"""

@Suite struct BenchTests {
    @Test func suiteParsesWithDefaultsAndOverrides() throws {
        let s = try BenchSuite.parse(tinySuite, file: "tiny.json")
        #expect(s.budget.samples == 384 && s.baselineName == "best-of-n")
        #expect(s.policy["length"] == .number(6) && s.policy["kind"]?.description == "table")
        let c = try s.config(for: s.methods[0], seed: 2)
        #expect(c.learningRate == 0.3 && c.klCoefficient == 0.01 && c.seed == 2 && c.sampling.maxNewTokens == 6)
        #expect(c.sampler == .defaultPUCT && c.objective == .entropicAdaptive)
        #expect(c.loraRank == 0 && c.lora == nil)
        let lora = try BenchSuite.parse(tinySuite.replacingOccurrences(of: "\"kl_coef\": 0.01", with: "\"lora_rank\": 4, \"lora_alpha\": 2"),
                                        file: "tiny.json")
        #expect(try lora.config(for: lora.methods[0], seed: 3).lora == LoRAConfig(rank: 4, alpha: 2, seed: 3))
        let b = try s.config(for: s.methods[1], seed: 1)
        #expect(b.method == .bestOfN && b.samplesPerStep == c.samplesPerStep && b.steps == c.steps)
    }

    @Test(arguments: [
        ("\"budget\": {", "\"budget\": { \"sample\": 3,", "budget.sample"),
        ("\"lr\": 0.3", "\"learning_rate\": 0.3", "methods[0].learning_rate"),
        ("\"seeds\": [1, 2]", "\"seeds\": []", "seeds"),
        ("\"group_size\": 8", "\"group_size\": 1", "budget.group_size"),
        ("\"method\": \"best-of-n\" }", "\"method\": \"best-of-n\", \"sampler\": \"mcts\" }", "methods[1]"),
        ("\"name\": \"best-of-n\"", "\"name\": \"ttt\"", "methods[1].name"),
        ("\"id\": \"test/match-target-v0\",", "", "envs[0].id"),
        ("\"steps\": 12", "\"steps\": \"12\"", "budget.steps"),
        ("\"kl_coef\": 0.01", "\"kl_coef\": 0.01, \"lora_rank\": -2", "methods[0]': lora-rank must be non-negative"),
        ("\"kl_coef\": 0.01", "\"kl_coef\": 0.01, \"lora_alpha\": 8", "methods[0]': lora-alpha needs a positive lora-rank"),
    ])
    func badSuitesNameTheField(find: String, replace: String, field: String) {
        let text = tinySuite.replacingOccurrences(of: find, with: replace)
        let error = #expect(throws: DiscoverError.self) { try BenchSuite.parse(text, file: "configs/bench/bad.json") }
        #expect(error?.description.hasPrefix("configs/bench/bad.json") == true)
        #expect(error?.description.contains(field) == true, "\(error?.description ?? "")")
    }

    @Test func invalidJSONIsReportedWithTheFile() {
        let error = #expect(throws: DiscoverError.self) { try BenchSuite.parse("{ \"name\": ", file: "x.json") }
        #expect(error?.description.hasPrefix("x.json: invalid JSON") == true)
    }

    @Test func spreadAndSamplesToReach() throws {
        let sp = try #require(Spread([1, 2, 3, 6]))
        #expect(sp.mean == 3 && sp.min == 1 && sp.max == 6 && abs(sp.std - (14.0 / 3).squareRoot()) < 1e-12)
        let r = BenchRecord(env: "e", method: "m", seed: 0, samples: 30, finalBest: 0.9, wallSeconds: 1,
                            curve: [.init(samples: 10, best: nil, seconds: 0.1), .init(samples: 20, best: 0.5, seconds: 0.2),
                                    .init(samples: 30, best: 0.9, seconds: 0.3)],
                            bestText: nil, statuses: [:])
        #expect(r.samplesToReach(0.5) == 20 && r.samplesToReach(0.6) == 30 && r.samplesToReach(0.95) == nil)
    }

    @Test func runnerWritesResultsReportsAndReusesFinishedRuns() async throws {
        let suite = try BenchSuite.parse(tinySuite, file: "tiny.json")
        let out = tempDir("bench")
        defer { try? FileManager.default.removeItem(atPath: out) }
        final class Counter: @unchecked Sendable { var policies = 0 }
        let counter = Counter()
        func runner() -> BenchRunner<CharacterTablePolicy> {
            BenchRunner(suite: suite, outputDirectory: out,
                        makeEnvironment: { entry in MatchTargetEnvironment(target: entry.args?["target"] ?? "") },
                        makePolicy: { ctx, _ in
                            counter.policies += 1
                            guard case .number(let n)? = ctx.policy["length"] else { throw DiscoverError("length") }
                            return CharacterTablePolicy(alphabet: lowercase, length: Int(n))
                        })
        }
        let results = try await runner().run()
        #expect(counter.policies == 4)
        #expect(results.records.count == 4 && results.records.allSatisfy { $0.samples == 384 && $0.curve.count == 12 })
        let rows = BenchReport.rows(results)
        let ttt = try #require(rows.first { $0.method == "ttt" }), bon = try #require(rows.first { $0.method == "best-of-n" })
        #expect(try #require(ttt.finalBestMean) > #require(bon.finalBestMean))
        #expect(ttt.winsVsBaseline == 2 && ttt.comparedSeeds == 2 && bon.winsVsBaseline == nil)

        let saved = try JSONDecoder().decode(BenchResults.self,
                                             from: Data(contentsOf: URL(fileURLWithPath: out + "/results.json")))
        #expect(saved.records == results.records)
        let md = try String(contentsOfFile: out + "/report.md", encoding: .utf8)
        #expect(md.contains("## test/match-target-v0") && md.contains("| ttt | 2 | 384 |") && md.contains("samples to ≥ 0.8"))
        let html = try String(contentsOfFile: out + "/report.html", encoding: .utf8)
        #expect(html.components(separatedBy: "<svg").count == 3 && html.contains("<polyline") && !html.contains("<script"))
        #expect(FileManager.default.fileExists(atPath: out + "/runs/test_match-target-v0/ttt/seed-1/metrics.jsonl"))

        // A second invocation reuses every finished run.
        let again = try await runner().run()
        #expect(counter.policies == 4)
        #expect(again.records == results.records)
    }

    @Test func svgTicksAreRoundAndCoverTheRange() {
        let unit = SVGPlot.ticks(0, 1)
        #expect(unit.count == 6 && unit.first == 0 && abs(unit.last! - 1) < 1e-12)
        for (i, t) in unit.enumerated() { #expect(abs(t - 0.2 * Double(i)) < 1e-12) }
        let t = SVGPlot.ticks(0, 640)
        #expect(t.first == 0 && t.last! <= 640 && t.count >= 4 && t.count <= 8)
    }

    @Test func shippedSuitesParse() throws {
        // The repository's suites must load (run from the package root, as `swift test` does).
        for name in ["toy", "quick"] {
            let suite = try BenchSuite.load(path: "configs/bench/\(name).json")
            #expect(suite.seeds.count == 5 && suite.baselineName != nil)
        }
    }
}

@Suite struct BenchReuseTests {
    @Test func finishedRunsWithOtherSettingsAreRefusedAndLongerBudgetsExtendRuns() async throws {
        let out = tempDir("bench-reuse")
        defer { try? FileManager.default.removeItem(atPath: out) }
        func run(_ text: String) async throws -> BenchResults {
            try await BenchRunner(suite: try BenchSuite.parse(text, file: "s.json"), outputDirectory: out,
                                  makeEnvironment: { _ in MatchTargetEnvironment(target: "puzzle") },
                                  makePolicy: { _, _ in CharacterTablePolicy(alphabet: lowercase, length: 6) }).run()
        }
        let short = tinySuite.replacingOccurrences(of: "\"steps\": 12", with: "\"steps\": 3")
            .replacingOccurrences(of: "\"seeds\": [1, 2]", with: "\"seeds\": [1]")
        let first = try await run(short)
        #expect(first.records.map(\.samples) == [96, 96])
        // Same settings, larger budget: the runs are resumed and extended; their early curve is kept.
        let longer = try await run(short.replacingOccurrences(of: "\"steps\": 3", with: "\"steps\": 5"))
        #expect(longer.records.map(\.samples) == [160, 160])
        #expect(Array(longer.records[0].curve.prefix(3)).map(\.best) == first.records[0].curve.map(\.best))
        // Different learning rate for a finished run: refused, naming the directory.
        let error = await #expect(throws: DiscoverError.self) {
            _ = try await run(short.replacingOccurrences(of: "\"steps\": 3", with: "\"steps\": 5")
                .replacingOccurrences(of: "\"lr\": 0.3", with: "\"lr\": 0.2"))
        }
        #expect(error?.description.contains("runs/test_match-target-v0/ttt/seed-1") == true)
    }
}

@Suite struct SVGPlotTests {
    @Test func stepsHoldEachValueUntilTheNextX() {
        let s = SVGPlot.steps([(0, 1), (2, 3), (5, 4)])
        #expect(s.map(\.0) == [0, 2, 2, 5, 5] && s.map(\.1) == [1, 1, 3, 3, 4])
    }

    @Test func renderedChartIsWellFormedAndEscapesText() {
        let svg = SVGPlot(title: "a<b & c", xLabel: "x", yLabel: "y",
                          series: [.init(name: "m\"1", color: "#000", points: [(1, 0.5), (2, 0.7)],
                                         band: [(1, 0.4, 0.6), (2, 0.6, 0.8)])],
                          reference: (label: "ref", value: 0.9)).render()
        #expect(svg.hasPrefix("<svg") && svg.hasSuffix("</svg>"))
        #expect(svg.contains("a&lt;b &amp; c") && svg.contains("m&quot;1") && !svg.contains("a<b"))
        #expect(svg.contains("<polygon") && svg.contains("<polyline") && svg.contains("stroke-dasharray"))
    }
}

@Suite struct BenchTaskFileTests {
    @Test func missingTaskFilesAreReportedBeforeAnyRun() async throws {
        let text = tinySuite.replacingOccurrences(of: "\"id\": \"test/match-target-v0\",",
                                                  with: "\"id\": \"test/match-target-v0\", \"task\": \"configs/tasks/nope.jsonl\",")
        let out = tempDir("bench-task")
        defer { try? FileManager.default.removeItem(atPath: out) }
        final class Counter: @unchecked Sendable { var environments = 0 }
        let counter = Counter()
        let runner = BenchRunner(suite: try BenchSuite.parse(text, file: "s.json"), outputDirectory: out,
                                 makeEnvironment: { _ in
                                     counter.environments += 1
                                     return MatchTargetEnvironment(target: "puzzle")
                                 },
                                 makePolicy: { _, _ in CharacterTablePolicy(alphabet: lowercase, length: 6) })
        let error = await #expect(throws: DiscoverError.self) { _ = try await runner.run() }
        #expect(error?.description.contains("envs[0].task") == true && error?.description.contains("nope.jsonl") == true)
        #expect(counter.environments == 0)
    }
}
