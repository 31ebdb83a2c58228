import Foundation
import Testing

/// `discover envs list|check|eval` as a user runs them: output, JSON, exit codes, one-line errors.
@Suite(.serialized) struct EnvsCLITests {
    let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("examples/python-environment/sqrt2_env.py").path

    private func expectOneLineError(_ result: DiscoverBinary.Result, containing text: String) {
        #expect(result.status != 0)
        let lines = result.stderr.split(separator: "\n").filter { $0.hasPrefix("Error:") }
        #expect(lines.count == 1, "stderr: \(result.stderr)")
        #expect(lines.first?.contains(text) == true, "stderr: \(result.stderr)")
    }

    private func json(_ line: String) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }

    @Test func listShowsRegisteredIds() throws {
        let table = try DiscoverBinary.run(["envs", "list"])
        #expect(table.status == 0)
        #expect(table.stdout.contains("toy/target-string-v0"))
        let lines = try DiscoverBinary.run(["envs", "list", "--json"])
        let records = try lines.stdout.split(separator: "\n").map { try json(String($0)) }
        #expect(records.contains { $0["id"] as? String == "toy/target-string-v0" && $0["ready"] as? Bool == true })
        #expect(records.contains { $0["id"] as? String == "external/jsonl-v0" && $0["ready"] as? Bool == false })
    }

    @Test func evalPrintsTheEvaluationAsJSON() throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        let completion = try scratch.write("completion.txt", "disc0ver\n")
        let result = try DiscoverBinary.run(["envs", "eval", "toy/target-string", "--completion", completion])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let e = try json(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(e["reward"] as? Double == 0.875)
        #expect(e["status"] as? String == "ok")
        #expect(e["env"] as? String == "toy/target-string-v0")
        #expect((e["child"] as? [String: Any])?["construction"] as? String == "disc0ver")
    }

    @Test func evalReadsTaskFileArgsAndState() throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        let task = try scratch.write("task.json", #"{"target": "abcd"}"#)
        let state = try scratch.write("state.json", #"{"construction": "abzz", "value": 0.5}"#)
        let completion = try scratch.write("c.txt", "abcz")
        let fromTask = try DiscoverBinary.run(["envs", "eval", "toy/target-string", "--task", task, "--state", state,
                                               "--completion", completion])
        #expect(try json(fromTask.stdout)["reward"] as? Double == 0.75, "stderr: \(fromTask.stderr)")
        let overridden = try DiscoverBinary.run(["envs", "eval", "toy/target-string", "--task", task,
                                                 "--env-arg", "target=abcz", "--completion", completion])
        #expect(try json(overridden.stdout)["reward"] as? Double == 1)
    }

    @Test func badInputIsAOneLineErrorNamingIt() throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        let completion = try scratch.write("c.txt", "x")
        expectOneLineError(try DiscoverBinary.run(["envs", "eval", "toy/target-strng", "--completion", completion]),
                           containing: "Did you mean: toy/target-string-v0?")
        expectOneLineError(try DiscoverBinary.run(["envs", "eval", "toy/target-string", "--env-arg", "target",
                                                   "--completion", completion]), containing: "--env-arg 'target'")
        expectOneLineError(try DiscoverBinary.run(["envs", "eval", "toy/target-string", "--env-arg", "targt=x",
                                                   "--completion", completion]), containing: "unknown option(s) --env-arg targt")
        expectOneLineError(try DiscoverBinary.run(["envs", "eval", "toy/target-string", "--completion", scratch.file("missing.txt")]),
                           containing: "missing.txt")
        let badState = try scratch.write("state.json", #"{"value": 1}"#)
        expectOneLineError(try DiscoverBinary.run(["envs", "eval", "toy/target-string", "--state", badState,
                                                   "--completion", completion]), containing: "construction")
    }

    @Test func checkPassesForTheToyAndTheExternalExample() throws {
        let toy = try DiscoverBinary.run(["envs", "check", "toy/target-string"])
        #expect(toy.status == 0, "stdout: \(toy.stdout) stderr: \(toy.stderr)")
        #expect(toy.stdout.hasSuffix("passed\n"))
        let external = try DiscoverBinary.run(["envs", "check", "external/jsonl", "--env-arg", "command=python3 \(example)"])
        #expect(external.status == 0, "stdout: \(external.stdout) stderr: \(external.stderr)")
        #expect(external.stdout.contains("self-check example/sqrt2-fraction-v0"))
    }

    @Test func checkFailsWhenAReferenceIsWrong() throws {
        // With max_denominator 10, the example's "99/70" reference is out of bounds: reward 0, not 4.14.
        let result = try DiscoverBinary.run(["envs", "check", "external/jsonl", "--env-arg", "command=python3 \(example)",
                                             "--env-arg", "max_denominator=10"])
        #expect(result.stdout.contains("FAIL reference '99/70'"))
        expectOneLineError(result, containing: "self-check of example/sqrt2-fraction-v0 failed: reference '99/70'")
    }
}
