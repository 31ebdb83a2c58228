// Problem statements, prompts and feedback text of code/python-v0.
//
// Prompts follow EnvironmentKit's `PromptLayout` (problem; current solution; value and target; feedback;
// instruction); here the current solution is the state's program and, for optimisation tasks, its construction.
import EnvironmentKit
import JSONLines

enum CodePrompt {
    static let maxCodeChars = 6000
    static let maxConstructionChars = 1500
    static let maxFeedbackChars = 1500
    static let replyRule = "Reply with the complete program in a single ```python code block."

    static func functionProblem(_ task: FunctionTask) -> String {
        """
        Write the Python function `\(task.entryPoint)` specified below. It is run in a sandbox against hidden \
        tests; the reward is the fraction of test checks that pass. \(replyRule)

        ```python
        \(task.prompt.trimmingTrailingNewlines())
        ```
        """
    }

    static func suiteProblem(count: Int) -> String {
        "Write Python functions from their signatures and docstrings (\(count) tasks). Each is run in a sandbox "
            + "against hidden tests; the reward is the fraction of test checks that pass. " + replyRule
    }

    static func optimizeProblem(_ task: OptimizeTask) -> String {
        var text = task.problem.trimmingTrailingNewlines()
        if task.driver == nil {
            text += "\n\nYour program must define `\(task.entryPoint)(current)` returning the construction as plain "
                + "JSON data (lists, numbers, strings). `current` is the construction of the solution you are improving "
                + "(None when there is none yet); it is also the global `CURRENT`. A trusted scorer recomputes the value "
                + "from the construction alone; non-finite numbers, wrong shapes and infeasible constructions score 0."
        }
        if let target = task.target { text += " The best known value is \(format(target))." }
        return text + " " + replyRule
    }

    /// The spec's layout (EnvironmentKit's `PromptLayout`), with the state's program shown as a Python
    /// block and, for optimisation tasks, its construction as JSON.
    static func prompt(environment: CodeEnvironment, state: EnvState) -> String {
        let current = CodeState.decode(state.construction)
        let problem: String
        var showConstruction = true
        switch environment.kind {
        case .functions(let tasks, _):
            problem = functionProblem((try? environment.functionTask(current.taskID, in: tasks)) ?? tasks[0])
        case .optimize(let task):
            problem = environment.problem
            showConstruction = task.showConstruction
        }
        var solution: [String] = []
        if !current.code.allSatisfy(\.isWhitespace) {
            solution.append("```python\n\(clip(current.code.trimmingTrailingNewlines(), maxCodeChars))\n```")
        }
        if showConstruction, current.construction != .null {
            solution.append("Its construction (JSON):\n\(clip(JSONL.serialize(current.construction), maxConstructionChars))")
        }
        var layout = PromptLayout(maxSolutionCharacters: maxCodeChars + maxConstructionChars + 200,
                                  maxFeedbackCharacters: maxFeedbackChars,
                                  instruction: "Improve on the current solution. " + replyRule)
        layout.emptySolution = "There is no solution yet."
        let shown = EnvState(construction: solution.joined(separator: "\n"), value: state.value, feedback: state.feedback)
        return layout.render(problem: problem, state: shown, spec: environment.spec)
    }

    /// Score, or the error, then which checks failed (up to eight) and the candidate's stderr tail.
    static func testsFeedback(_ report: [String: JSONValue], status: EvaluationStatus, allOrNothing: Bool) -> String {
        var lines: [String] = []
        let passed = report["passed"]?.intValue ?? 0
        let total = report["total"]?.intValue ?? 0
        if total > 0 {
            lines.append("Passed \(passed) of \(total) checks" + (allOrNothing && passed < total ? " (all must pass)." : "."))
        }
        if status != .ok, let error = report["error"]?.stringValue {
            lines.append("\(label(status)): \(clip(error, 600))")
        }
        if let aborted = report["aborted"]?.stringValue {
            lines.append("The tests stopped early: \(aborted)")
        }
        if case .array(let checks)? = report["checks"] {
            let failures = checks.filter { $0["passed"]?.boolValue == false }
            for check in failures.prefix(8) {
                let line = check["line"]?.intValue.map { "line \($0): " } ?? ""
                let source = check["source"]?.stringValue ?? ""
                let error = check["error"]?.stringValue ?? "failed"
                lines.append("- FAILED \(line)\(clip(source, 200)) -> \(clip(error, 200))")
            }
            if failures.count > 8 { lines.append("- ... and \(failures.count - 8) more") }
        }
        appendStderr(report, status: status, to: &lines)
        return clip(lines.joined(separator: "\n"), maxFeedbackChars)
    }

    /// Why the candidate produced no construction.
    static func runFeedback(_ report: [String: JSONValue], status: EvaluationStatus) -> String {
        var lines = ["\(label(status)): \(clip(report["error"]?.stringValue ?? "no construction was returned", 800))"]
        appendStderr(report, status: status, to: &lines)
        return clip(lines.joined(separator: "\n"), maxFeedbackChars)
    }

    static func scoreFeedback(score: Double, metrics: [String: Double], target: Double?, stdout: String) -> String {
        var text = "Valid construction. Score: \(format(score))."
        if let target { text += " Best known: \(format(target))." }
        let shown = metrics.keys.filter { !["score", "calls", "construction_bytes"].contains($0) }.sorted()
        if !shown.isEmpty { text += "\nDetails: " + shown.map { "\($0) = \(format(metrics[$0]!))" }.joined(separator: ", ") }
        if !stdout.allSatisfy(\.isWhitespace) { text += "\nYour program printed:\n\(clip(stdout, 400))" }
        return clip(text, maxFeedbackChars)
    }

    static func appendStderr(_ report: [String: JSONValue], status: EvaluationStatus, to lines: inout [String]) {
        if status != .ok, let stderr = report["stderr"]?.stringValue, !stderr.allSatisfy(\.isWhitespace) {
            lines.append("stderr:\n\(clip(stderr, 500))")
        }
    }

    static func label(_ status: EvaluationStatus) -> String {
        switch status {
        case .ok: return "Note"
        case .invalid: return "Invalid"
        case .timeout: return "Timeout"
        case .crash: return "Crash"
        case .resourceLimit: return "Resource limit"
        case .infraError: return "Infrastructure error"
        }
    }
}

extension String {
    func trimmingTrailingNewlines() -> String {
        var s = Substring(self)
        while s.last?.isNewline == true { s = s.dropLast() }
        return String(s)
    }
}
