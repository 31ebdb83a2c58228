// code/python-v0: candidate Python programs run only inside the sandbox runner, judged by a trusted harness.
// Function tasks (HumanEval format) reward the fraction of counted checks passed; optimisation tasks reward
// the value a trusted scorer recomputes from the candidate's construction. See docs/env-code.md.
import EnvironmentKit
import JSONLines
import Sandbox

public struct CodeEnvironment: Environment {
    public static let id = "code/python-v0"

    public let spec: EnvironmentSpec
    public let problem: String
    let kind: Kind
    let settings: CodeSettings
    let harness: HarnessRunner

    enum Kind: Sendable {
        /// The selected function tasks, in file order, and their defaults.
        case functions([FunctionTask], limits: CodeLimits)
        case optimize(OptimizeTask)
    }

    /// Loads the task file named by `options.taskPath`; `runner` defaults to a fresh sandbox runner.
    public init(options: EnvironmentOptions, runner: SandboxRunner? = nil) throws {
        guard let path = options.taskPath else {
            throw CodeEnvironmentError("needs a task file, e.g. configs/tasks/code/functions.jsonl, "
                + "configs/tasks/code/circle-packing-26.json or configs/tasks/code/bin-packing-online.json")
        }
        settings = try CodeSettings(options.args)
        let files = try HarnessFiles.contents.get()
        if let python = settings.python { _ = try PythonInterpreter.ask(python) }  // a mistyped path fails here
        harness = HarnessRunner(runner: runner ?? SandboxRunner(), pythonName: settings.python, harness: files)
        switch try CodeTaskLoader.load(path: path) {
        case .functions(let all):
            var seen = Set<String>()
            for task in all where !seen.insert(task.taskID).inserted {
                throw CodeEnvironmentError("\(path): task_id '\(task.taskID)' appears twice")
            }
            guard settings.params.isEmpty else {
                throw CodeEnvironmentError("--env-arg param.NAME applies to optimisation tasks, not to \(path)")
            }
            var selected = all
            if let index = settings.index {
                guard index < all.count else {
                    throw CodeEnvironmentError("--env-arg index=\(index): \(path) has \(all.count) tasks (0...\(all.count - 1))")
                }
                selected = [all[index]]
            }
            if let wanted = settings.taskID {
                selected = selected.filter { $0.taskID == wanted }
                if selected.isEmpty {
                    throw CodeEnvironmentError("\(path) has no task_id '\(wanted)'; it has: "
                        + all.map(\.taskID).joined(separator: ", "))
                }
            }
            var limits = CodeLimits()
            limits.callTimeoutSeconds = 3
            kind = .functions(selected, limits: settings.apply(to: limits))
            if selected.count == 1 {
                let task = selected[0]
                spec = EnvironmentSpec(id: Self.id, summary: "Python function \(task.taskID) (HumanEval-format checks)")
                problem = CodePrompt.functionProblem(task)
            } else {
                spec = EnvironmentSpec(id: Self.id, summary: "Python functions: \(selected.count) HumanEval-format tasks")
                problem = CodePrompt.suiteProblem(count: selected.count)
            }
        case .optimize(var task):
            guard settings.taskID == nil, settings.index == nil else {
                throw CodeEnvironmentError("--env-arg task_id/index select a function task; \(path) is one optimisation task")
            }
            task.limits = settings.apply(to: task.limits)
            if case .object(var fields) = task.params, !settings.params.isEmpty {
                fields.merge(settings.params) { $1 }
                task.params = .object(fields)
            }
            kind = .optimize(task)
            spec = EnvironmentSpec(id: Self.id, summary: "Python optimisation: \(task.taskID)", target: task.target)
            problem = CodePrompt.optimizeProblem(task)
        }
    }

    public func initialStates() async throws -> [EnvState] {
        switch kind {
        case .functions(let tasks, _):
            return tasks.map { EnvState(construction: CodeState(taskID: $0.taskID, code: "").encoded()) }
        case .optimize(let task):
            return task.initialStates.map {
                EnvState(construction: CodeState(taskID: nil, code: $0.code, construction: $0.construction).encoded())
            }
        }
    }

    public func prompt(for state: EnvState) -> String {
        CodePrompt.prompt(environment: self, state: state)
    }

    public func evaluate(completion: String, from state: EnvState) async throws -> Evaluation {
        let current = CodeState.decode(state.construction)
        guard let extracted = CodeBlockExtractor.extract(completion) else {
            return Evaluation(reward: 0, status: .invalid, feedback: "The reply contains no code.")
        }
        switch kind {
        case .functions(let tasks, let limits):
            let task = try functionTask(current.taskID, in: tasks)
            return try await evaluateFunction(extracted, task: task, limits: limits)
        case .optimize(let task):
            return try await evaluateOptimize(extracted, task: task, current: current)
        }
    }

    /// The state's task; a state without a task id belongs to the first task.
    func functionTask(_ id: String?, in tasks: [FunctionTask]) throws -> FunctionTask {
        guard let id else { return tasks[0] }
        guard let task = tasks.first(where: { $0.taskID == id }) else {
            throw CodeEnvironmentError("the state names task_id '\(id)', which this environment does not hold")
        }
        return task
    }

    public func references() -> [ReferenceCase] {
        switch kind {
        case .functions(let tasks, _):
            return tasks.flatMap { task -> [ReferenceCase] in
                let state = EnvState(construction: CodeState(taskID: task.taskID, code: "").encoded())
                let canonical = ReferenceCase(
                    name: "\(task.taskID) canonical", state: state,
                    completion: "```python\n\(task.prompt)\(task.canonicalSolution)```\n", expectedReward: 1...1)
                return [canonical] + task.brokenSolutions.map {
                    ReferenceCase(name: "\(task.taskID) \($0.name)", state: state, completion: $0.completion,
                                  expectedReward: $0.reward)
                }
            }
        case .optimize(let task):
            return task.references.map {
                ReferenceCase(name: $0.name, state: $0.state.map { EnvState(construction: $0) },
                              completion: $0.completion, expectedReward: $0.reward)
            }
        }
    }

    public func shutdown() async {}
}

public enum CodeEnvironments {
    public static let factories: [String: EnvironmentFactory] = [
        CodeEnvironment.id: { options in try CodeEnvironment(options: options) },
    ]
}
