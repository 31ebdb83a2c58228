// `discover envs list|check|eval`: the registry of reward environments from the command line.
import ArgumentParser
import BuiltinEnvironments
import EnvironmentKit
import Foundation
import JSONLines

struct EnvsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "envs",
        abstract: "List, self-check and run reward environments.",
        subcommands: [
            EnvsListCommand.self,
            EnvsCheckCommand.self,
            EnvsEvalCommand.self,
        ]
    )
}

/// `--task FILE` and repeated `--env-arg key=value`.
struct EnvironmentOptionsGroup: ParsableArguments {
    @Option(name: .customLong("task"), help: "Task file (a JSON object of environment options).")
    var taskPath: String?

    @Option(name: .customLong("env-arg"), help: "Environment option key=value (repeatable; overrides the task file).")
    var envArgs: [String] = []

    func validate() throws {
        _ = try parsedArgs()
        if let taskPath, !FileManager.default.fileExists(atPath: taskPath) {
            throw ValidationError("--task \(taskPath): no such file")
        }
    }

    func parsedArgs() throws -> [String: String] {
        do { return try EnvironmentOptions.parseArgs(envArgs) } catch { throw ValidationError("\(error)") }
    }

    func options() throws -> EnvironmentOptions { EnvironmentOptions(taskPath: taskPath, args: try parsedArgs()) }
}

struct EnvsListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List registered environment ids.")

    @Flag(help: "Print JSON lines instead of a table.") var json = false

    func run() throws {
        let registry = try BuiltinEnvironments.registry()
        for id in registry.ids {
            // Environments that need options (e.g. external/jsonl needs a command) describe themselves only
            // when built; their summary is the reason they could not be built without options.
            var summary: String
            var ready = true
            do {
                summary = try registry.make(id).spec.summary
            } catch {
                summary = "needs options: \(error)"
                ready = false
            }
            if json {
                print(JSONL.serialize(.object(["id": .string(id), "summary": .string(summary), "ready": .bool(ready)])))
            } else {
                print("\(id.padding(toLength: max(28, id.count + 2), withPad: " ", startingAt: 0))\(summary)")
            }
        }
    }
}

struct EnvsCheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Self-check an environment: references score as expected, repeated evaluation agrees.")

    @Argument(help: "Environment id, e.g. toy/target-string-v0 (unversioned: latest).") var id: String
    @OptionGroup var environment: EnvironmentOptionsGroup
    @Option(help: "Evaluations per reference (at least 2 checks repeatability).") var repeats = 2

    func validate() throws {
        guard repeats >= 1 else { throw ValidationError("--repeats must be at least 1") }
    }

    func run() async throws {
        let env: any Environment
        do { env = try BuiltinEnvironments.registry().make(id, options: environment.options()) }
        catch { throw CLIError("\(error)") }
        let report = await EnvironmentSelfCheck.run(env, repeats: repeats)
        await env.shutdown()
        print("self-check \(report.environmentID)")
        for item in report.items {
            print("  \(item.passed ? "ok  " : "FAIL") \(item.name): \(item.detail)")
        }
        print(report.passed ? "passed" : "FAILED")
        if !report.passed {
            let failed = report.items.filter { !$0.passed }.map(\.name)
            throw CLIError("self-check of \(report.environmentID) failed: \(failed.joined(separator: ", "))")
        }
    }
}

struct EnvsEvalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval", abstract: "Evaluate one completion and print the evaluation as JSON.")

    @Argument(help: "Environment id, e.g. toy/target-string-v0.") var id: String
    @OptionGroup var environment: EnvironmentOptionsGroup
    @Option(help: "File holding the completion, or - for stdin.") var completion: String
    @Option(help: "JSON file with the state to evaluate from ({\"construction\": ..., \"value\": ..., \"feedback\": ...}); default: the first initial state.")
    var state: String?

    func run() async throws {
        let text: String
        if completion == "-" {
            text = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
        } else {
            guard let data = FileManager.default.contents(atPath: completion) else {
                throw CLIError("--completion \(completion): cannot read the file")
            }
            text = String(decoding: data, as: UTF8.self)
        }
        let env: any Environment
        do { env = try BuiltinEnvironments.registry().make(id, options: environment.options()) }
        catch { throw CLIError("\(error)") }
        let from: EnvState
        do {
            if let state {
                let record = try JSONL.readDocument(path: state)
                let value = try record.optionalDouble("value")
                from = EnvState(construction: try record.string("construction"), value: value,
                                feedback: try record.optionalString("feedback") ?? "")
            } else {
                guard let first = try await env.initialStates().first else { throw CLIError("\(id): no initial state") }
                from = first
            }
        } catch let error as CLIError { await env.shutdown(); throw error }
        catch { await env.shutdown(); throw CLIError("\(error)") }
        let evaluation: Evaluation
        do { evaluation = try await env.evaluate(completion: text, from: from) }
        catch { await env.shutdown(); throw CLIError("evaluation failed (infrastructure): \(error)") }
        await env.shutdown()
        print(JSONL.serialize(evaluation.json(environmentID: env.spec.id)))
    }
}

extension Evaluation {
    /// The evaluation as a JSON object (the shape `discover envs eval` prints).
    func json(environmentID: String) -> JSONValue {
        func state(_ s: EnvState) -> JSONValue {
            .object(["construction": .string(s.construction), "value": s.value.map { .double($0) } ?? .null,
                     "feedback": .string(s.feedback)])
        }
        return .object([
            "env": .string(environmentID),
            "reward": reward.map { .double($0) } ?? .null,
            "status": .string(status.rawValue),
            "metrics": .object(metrics.mapValues { .double($0) }),
            "feedback": .string(feedback),
            "child": child.map(state) ?? .null,
        ])
    }
}
