import CodeEnvironment
import EnvironmentKit
import Foundation
import Testing

@Suite struct TaskLoadingTests {
    @Test func factoryIsRegisteredUnderItsId() throws {
        let factory = try #require(CodeEnvironments.factories["code/python-v0"])
        let env = try factory(EnvironmentOptions(taskPath: TaskFiles.path("functions.jsonl")))
        #expect(env.spec.id == "code/python-v0" && env.spec.higherIsBetter && env.spec.deterministic)
    }

    @Test func missingTaskFileIsAnErrorNamingTheShippedTasks() {
        #expect { try CodeEnvironment(options: EnvironmentOptions()) } throws: { error in
            "\(error)".contains("configs/tasks/code/circle-packing-26.json")
        }
    }

    @Test func unknownEnvArgListsTheKnownOnes() {
        #expect { try environment("functions.jsonl", ["timeout": "3"]) } throws: { error in
            "\(error)".contains("unknown --env-arg 'timeout'") && "\(error)".contains("call_timeout_seconds")
        }
    }

    @Test func explicitInterpreterThatDoesNotExistFailsAtConstruction() {
        #expect { try environment("functions.jsonl", ["python": "/nonexistent/python3"]) } throws: { error in
            "\(error)".contains("cannot find the Python interpreter '/nonexistent/python3'")
        }
    }

    @Test func unknownTaskIdListsTheTasksInTheFile() {
        #expect { try environment("functions.jsonl", ["task_id": "nope"]) } throws: { error in
            "\(error)".contains("no task_id 'nope'") && "\(error)".contains("discovery/roman-to-int")
        }
    }

    @Test func indexSelectsOneRecordAndParamsOnlyApplyToOptimisation() async throws {
        let env = try environment("functions.jsonl", ["index": "4"])
        #expect(try await env.initialStates().count == 1)
        #expect(env.problem.contains("roman_to_int"))
        #expect { try environment("functions.jsonl", ["index": "8"]) } throws: { "\($0)".contains("has 8 tasks") }
        #expect { try environment("functions.jsonl", ["param.seed": "1"]) } throws: { "\($0)".contains("param.NAME") }
        #expect { try environment("circle-packing-26.json", ["task_id": "x"]) } throws: { "\($0)".contains("task_id/index") }
    }

    @Test func suiteHasOneInitialStatePerTaskWithItsOwnPrompt() async throws {
        let env = try environment("functions.jsonl")
        let states = try await env.initialStates()
        #expect(states.count == 8)
        let prompt = env.prompt(for: states[4])
        #expect(prompt.contains("def roman_to_int(numeral: str) -> int:"))
        #expect(prompt.contains("There is no solution yet."))
        #expect(prompt.contains("single ```python code block"))
    }

    @Test func badTaskFileErrorNamesFileAndField() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("code-env-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("task.json").path
        try #"{"kind": "optimize", "task_id": "t", "problem": "p", "scorer": "missing.py"}"#
            .write(toFile: path, atomically: true, encoding: .utf8)
        #expect { try CodeEnvironment(options: EnvironmentOptions(taskPath: path)) } throws: { error in
            "\(error)".contains(path) && "\(error)".contains("field 'scorer'") && "\(error)".contains("missing.py")
        }
        let jsonl = directory.appendingPathComponent("tasks.jsonl").path
        try "{\"task_id\": \"a\", \"prompt\": \"\", \"canonical_solution\": \"\", \"test\": \"\"}\n"
            .write(toFile: jsonl, atomically: true, encoding: .utf8)
        #expect { try CodeEnvironment(options: EnvironmentOptions(taskPath: jsonl)) } throws: { error in
            "\(error)".contains("\(jsonl):1") && "\(error)".contains("field 'entry_point'")
        }
    }

    @Test func optimizePromptShowsValueTargetAndFeedback() async throws {
        let env = try environment("circle-packing-26.json")
        let state = EnvState(construction: try await env.initialStates()[0].construction, value: 2.5,
                             feedback: "Valid construction. Score: 2.5.")
        let prompt = env.prompt(for: state)
        #expect(prompt.hasPrefix("Pack 26 circles"))
        #expect(prompt.contains("Value: 2.5 (higher is better). Target to beat: 2.63598."))
        #expect(prompt.contains("The best known value is 2.635983."))
        #expect(prompt.contains("## Feedback\nValid construction. Score: 2.5."))
        #expect(prompt.contains("def run(current):"))
    }
}
