import EnvironmentKit
import Foundation
import Testing
@testable import MathEnvironment

/// The shipped task files, found from this file's location (repo/Tests/MathEnvironmentTests/…).
let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()
let verifyTasks = repoRoot.appendingPathComponent("configs/tasks/math_verify.jsonl").path
let countdownTasks = repoRoot.appendingPathComponent("configs/tasks/countdown.jsonl").path

func taskCount(_ path: String) throws -> Int {
    try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").filter { !$0.allSatisfy(\.isWhitespace) }.count
}

/// The self-check: every reference case of every shipped task scores in its expected range, twice alike.
func selfCheck(_ env: any Environment) async throws {
    let start = try await env.initialStates()
    #expect(!start.isEmpty)
    for ref in env.references() {
        let a = try await env.evaluate(completion: ref.completion, from: ref.state ?? start[0])
        let b = try await env.evaluate(completion: ref.completion, from: ref.state ?? start[0])
        #expect(a == b, "\(env.spec.id) \(ref.name): not deterministic")
        let r = try #require(a.reward)
        #expect(ref.expectedReward.contains(r), "\(env.spec.id) '\(env.problem.prefix(40))' \(ref.name): reward \(r)")
    }
}

@Suite struct MathEnvironmentTests {
    @Test func factoriesRegisterBothIds() {
        #expect(Set(MathEnvironments.factories.keys) == ["math/verify-v0", "math/countdown-v0"])
    }

    @Test func everyShippedVerifyTaskPassesItsSelfCheck() async throws {
        let n = try taskCount(verifyTasks)
        #expect(n >= 20)
        for i in 0..<n {
            let factory = try #require(MathEnvironments.factories["math/verify-v0"])
            let env = try factory(EnvironmentOptions(taskPath: verifyTasks, args: ["index": String(i)]))
            try await selfCheck(env)
        }
    }

    @Test func everyShippedCountdownTaskPassesItsSelfCheck() async throws {
        let n = try taskCount(countdownTasks)
        #expect(n >= 10)
        for i in 0..<n {
            let factory = try #require(MathEnvironments.factories["math/countdown-v0"])
            let env = try factory(EnvironmentOptions(taskPath: countdownTasks, args: ["index": String(i)]))
            #expect(env.references().contains { $0.name == "reference solution" })
            try await selfCheck(env)
        }
    }

    @Test func taskIdSelectsARecordAndArgsOverrideFields() async throws {
        let env = try VerifyEnvironment(options: EnvironmentOptions(taskPath: verifyTasks, args: ["task_id": "square-diagonal"]))
        #expect(env.problem.contains("diagonal"))
        let ok = try await env.evaluate(completion: "\\boxed{\\sqrt{8}}", from: EnvState(construction: ""))
        #expect(ok.reward == 1)
        let overridden = try VerifyEnvironment(options: EnvironmentOptions(
            taskPath: verifyTasks, args: ["task_id": "square-diagonal", "answer": "3"]))
        #expect(try await overridden.evaluate(completion: "\\boxed{3}", from: EnvState(construction: "")).reward == 1)
    }

    @Test func aTaskCanBeGivenEntirelyByArguments() async throws {
        let env = try VerifyEnvironment(options: EnvironmentOptions(args: ["problem": "1+1?", "answer": "2"]))
        #expect(try await env.evaluate(completion: "\\boxed{2}", from: EnvState(construction: "")).reward == 1)
        let cd = try CountdownEnvironment(options: EnvironmentOptions(args: ["numbers": "2, 3", "target": "6"]))
        #expect(try await cd.evaluate(completion: "\\boxed{2*3}", from: EnvState(construction: "")).reward == 1)
    }

    @Test func badOptionsNameWhatIsWrong() throws {
        let missing = #expect(throws: MathEnvironmentError.self) {
            _ = try VerifyEnvironment(options: EnvironmentOptions(args: ["problem": "no answer given"]))
        }
        #expect(missing?.message.contains("answer") == true)
        let none = #expect(throws: MathEnvironmentError.self) { _ = try VerifyEnvironment(options: EnvironmentOptions()) }
        #expect(none?.message.contains("needs a task") == true)
        let range = #expect(throws: MathEnvironmentError.self) {
            _ = try VerifyEnvironment(options: EnvironmentOptions(taskPath: verifyTasks, args: ["index": "999"]))
        }
        #expect(range?.message.contains("index") == true)
        let unknown = #expect(throws: MathEnvironmentError.self) {
            _ = try VerifyEnvironment(options: EnvironmentOptions(taskPath: verifyTasks, args: ["task_id": "nope"]))
        }
        #expect(unknown?.message.contains("nope") == true)
        #expect(throws: (any Error).self) {
            _ = try VerifyEnvironment(options: EnvironmentOptions(taskPath: "/nonexistent/tasks.jsonl"))
        }
    }

    @Test func fieldErrorsNameFileLineAndField() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("math-env-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("t.jsonl").path
        try "{\"problem\": \"p\", \"answer\": \"1\"}\n{\"problem\": \"q\"}\n".write(toFile: path, atomically: true, encoding: .utf8)
        let e = #expect(throws: MathEnvironmentError.self) {
            _ = try VerifyEnvironment(options: EnvironmentOptions(taskPath: path, args: ["index": "1"]))
        }
        #expect(e?.message.contains("t.jsonl:2") == true)
        #expect(e?.message.contains("'answer'") == true)
        try "{\"problem\": \"p\", \"answer\": \"\\\\frac{1}{\"}\n".write(toFile: path, atomically: true, encoding: .utf8)
        let gold = #expect(throws: MathEnvironmentError.self) {
            _ = try VerifyEnvironment(options: EnvironmentOptions(taskPath: path))
        }
        #expect(gold?.message.contains("t.jsonl:1: field 'answer'") == true)
        try "{\"numbers\": [1, \"x\"], \"target\": 3}\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: (any Error).self) { _ = try CountdownEnvironment(options: EnvironmentOptions(taskPath: path)) }
    }

    @Test func wrongAnswerFeedbackDoesNotRevealTheGoldAnswer() async throws {
        let env = VerifyEnvironment(problem: "diagonal?", answer: "2\\sqrt{2}")
        let r = try await env.evaluate(completion: "\\boxed{3}", from: EnvState(construction: ""))
        #expect(r.reward == 0)
        #expect(r.status == .ok)
        #expect(!r.feedback.contains("sqrt"))
        #expect(r.child?.construction == "3")
    }

    @Test func missingAnswerIsInvalidWithNoChild() async throws {
        let env = VerifyEnvironment(problem: "p", answer: "1")
        let r = try await env.evaluate(completion: "I give up.", from: EnvState(construction: ""))
        #expect(r.status == .invalid)
        #expect(r.child == nil)
        #expect(r.reward == 0)
    }

    @Test func promptCarriesProblemPreviousAnswerAndFeedback() {
        let env = VerifyEnvironment(problem: "What is 6 times 7?", answer: "42")
        let first = env.prompt(for: EnvState(construction: ""))
        #expect(first.contains("What is 6 times 7?") && first.contains("\\boxed"))
        #expect(!first.contains("previous"))
        let next = env.prompt(for: EnvState(construction: "41", value: 0, feedback: "Incorrect: the final answer 41"))
        #expect(next.contains("41") && next.contains("Incorrect"))
        #expect(!next.contains("42"))
    }

    @Test func toleranceFromTheTaskFileIsApplied() async throws {
        let env = try VerifyEnvironment(options: EnvironmentOptions(taskPath: verifyTasks, args: ["task_id": "pi-squared"]))
        #expect(try await env.evaluate(completion: "\\boxed{9.8696}", from: EnvState(construction: "")).reward == 1)
        #expect(try await env.evaluate(completion: "\\boxed{9.9}", from: EnvState(construction: "")).reward == 0)
    }
}

@Suite struct SingleDocumentTaskTests {
    @Test func aJsonFileHoldsOnePrettyPrintedTask() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("math-env-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("task.json").path
        try "{\n  \"problem\": \"Half of one?\",\n  \"answer\": \"\\\\frac12\"\n}\n".write(toFile: path, atomically: true, encoding: .utf8)
        let env = try VerifyEnvironment(options: EnvironmentOptions(taskPath: path))
        #expect(env.problem == "Half of one?")
        #expect(try await env.evaluate(completion: "\\boxed{0.5}", from: EnvState(construction: "")).reward == 1)
    }
}
