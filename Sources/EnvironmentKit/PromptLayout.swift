// The default prompt for a state (../../docs/environments.md, "Prompts"): problem statement; the current
// solution (long text middle-truncated); its value and the target to beat; the feedback from the last
// evaluation (truncated); an instruction to improve.
import Foundation

/// Renders the spec's prompt layout. Environments customise the instruction or limits and call `render`.
public struct PromptLayout: Sendable, Hashable {
    /// Characters of the current solution kept (head and tail halves around an omission marker).
    public var maxSolutionCharacters: Int = 4000
    /// Characters of feedback kept (head and tail halves).
    public var maxFeedbackCharacters: Int = 1000
    /// The closing instruction.
    public var instruction: String = "Improve the current solution. Reply with the complete new solution only."
    /// Shown when the state has no solution yet (an empty construction).
    public var emptySolution: String = "(none yet)"

    public init() {}

    public init(maxSolutionCharacters: Int = 4000, maxFeedbackCharacters: Int = 1000,
                instruction: String = "Improve the current solution. Reply with the complete new solution only.") {
        self.maxSolutionCharacters = maxSolutionCharacters
        self.maxFeedbackCharacters = maxFeedbackCharacters
        self.instruction = instruction
    }

    /// The prompt for `state` of a problem described by `spec`.
    ///
    ///     <problem>
    ///
    ///     ## Current solution
    ///     <construction, middle-truncated>
    ///
    ///     ## Score
    ///     Value: <value or "not scored yet"> (higher is better). Target to beat: <target or "—">.
    ///
    ///     ## Feedback
    ///     <feedback, truncated>            (section omitted when empty)
    ///
    ///     ## Task
    ///     <instruction>
    public func render(problem: String, state: EnvState, spec: EnvironmentSpec) -> String {
        var out = problem.trimmingCharacters(in: .whitespacesAndNewlines)
        out += "\n\n## Current solution\n"
        out += state.construction.isEmpty ? emptySolution : middleTruncate(state.construction, maxCharacters: maxSolutionCharacters)
        out += "\n\n## Score\n"
        out += "Value: \(state.value.map(formatScore) ?? "not scored yet") "
        out += spec.higherIsBetter ? "(higher is better)." : "(lower is better)."
        if let target = spec.target { out += " Target to beat: \(formatScore(target))." }
        let feedback = state.feedback.trimmingCharacters(in: .whitespacesAndNewlines)
        if !feedback.isEmpty {
            out += "\n\n## Feedback\n" + middleTruncate(feedback, maxCharacters: maxFeedbackCharacters)
        }
        out += "\n\n## Task\n" + instruction + "\n"
        return out
    }
}

/// Keeps the first and last halves of `text` (in characters) when it is longer than `maxCharacters`,
/// joined by a line saying how many characters were left out. The marker is not counted in the budget.
public func middleTruncate(_ text: String, maxCharacters: Int) -> String {
    let count = text.count
    guard count > maxCharacters else { return text }
    let keep = max(0, maxCharacters)
    let head = keep - keep / 2, tail = keep / 2
    let start = text.prefix(head), end = text.suffix(tail)
    return "\(start)\n[... \(count - head - tail) characters omitted ...]\n\(end)"
}

/// Scores in prompts: up to 6 significant digits, no exponent for ordinary magnitudes.
public func formatScore(_ value: Double) -> String {
    guard value.isFinite else { return "\(value)" }
    if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
    return String(format: "%.6g", value)
}

extension Environment {
    /// The spec's prompt layout with default limits.
    public func prompt(for state: EnvState) -> String {
        PromptLayout().render(problem: problem, state: state, spec: spec)
    }

    /// Nothing to release by default.
    public func shutdown() async {}
}
