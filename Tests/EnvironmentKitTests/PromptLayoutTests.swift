import Testing
@testable import EnvironmentKit

struct PromptLayoutTests {
    @Test func middleTruncationKeepsHeadAndTail() {
        #expect(middleTruncate("abcdefghij", maxCharacters: 10) == "abcdefghij")
        #expect(middleTruncate("abcdefghij", maxCharacters: 4) == "ab\n[... 6 characters omitted ...]\nij")
        #expect(middleTruncate("abcdefghij", maxCharacters: 5) == "abc\n[... 5 characters omitted ...]\nij")
    }

    @Test func layoutHasTheSpecSectionsInOrder() {
        let spec = EnvironmentSpec(id: "t/x-v0", summary: "", higherIsBetter: true, target: 2.5)
        let state = EnvState(construction: "print(1)", value: 0.75, feedback: "2 tests failed")
        let prompt = PromptLayout().render(problem: "Write a program.", state: state, spec: spec)
        #expect(prompt == """
        Write a program.

        ## Current solution
        print(1)

        ## Score
        Value: 0.75 (higher is better). Target to beat: 2.5.

        ## Feedback
        2 tests failed

        ## Task
        Improve the current solution. Reply with the complete new solution only.

        """)
    }

    @Test func emptyStateAndLongSolutionAreHandled() {
        let spec = EnvironmentSpec(id: "t/x-v0", summary: "", higherIsBetter: false)
        var layout = PromptLayout()
        layout.maxSolutionCharacters = 10
        let empty = layout.render(problem: "P", state: EnvState(construction: ""), spec: spec)
        #expect(empty.contains("## Current solution\n(none yet)\n"))
        #expect(empty.contains("Value: not scored yet (lower is better)."))
        #expect(!empty.contains("## Feedback"))
        let long = layout.render(problem: "P", state: EnvState(construction: String(repeating: "x", count: 100) + "END"), spec: spec)
        #expect(long.contains("xxxxx\n[... 93 characters omitted ...]\nxxEND"))
    }

    @Test func defaultPromptOfAnEnvironmentUsesTheLayout() {
        let env = CountingEnvironment()
        let state = EnvState(construction: "abc", value: 3)
        #expect(env.prompt(for: state) == PromptLayout().render(problem: env.problem, state: state, spec: env.spec))
    }

    @Test func scoresFormatCompactly() {
        #expect(formatScore(3) == "3")
        #expect(formatScore(0.123456789) == "0.123457")
        #expect(formatScore(-2.5) == "-2.5")
    }
}
