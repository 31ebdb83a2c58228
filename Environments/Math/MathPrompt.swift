import EnvironmentKit
import Foundation

/// Truncates feedback and echoed answers (`…` marks the cut).
func truncated(_ s: String, _ n: Int) -> String {
    s.count <= n ? s : String(s.prefix(n)) + "…"
}

/// The prompt layout of ../shared/spec/discover.md ("Prompt from a state") shared by the math environments:
///
///     <problem>
///
///     ## <solutionHeading>
///     <the state's construction, or "(none yet)">      (at most 300 characters)
///
///     ## Score
///     Value: <value or "not scored yet"> (higher is better). Target: 1.
///
///     ## Feedback
///     <feedback, at most 500 characters>               (omitted when empty)
///
///     ## Task
///     <instruction>
func statePrompt(problem: String, state: EnvState, solutionHeading: String, instruction: String) -> String {
    var p = problem.trimmingSpaces() + "\n\n## \(solutionHeading)\n"
    p += state.construction.isEmpty ? "(none yet)" : truncated(state.construction, 300)
    p += "\n\n## Score\nValue: \(state.value.map(formatValue) ?? "not scored yet") (higher is better). Target: 1."
    let feedback = state.feedback.trimmingSpaces()
    if !feedback.isEmpty { p += "\n\n## Feedback\n" + truncated(feedback, 500) }
    return p + "\n\n## Task\n" + instruction + "\n"
}

/// `1`, `0`, `0.8674`: whole numbers without decimals, others to 4 decimals.
func formatValue(_ v: Double) -> String {
    if v.isFinite && v == v.rounded() && abs(v) < 1e15 { return String(Int64(v)) }
    return String(format: "%.4f", v)
}
