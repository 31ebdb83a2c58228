import EnvironmentKit
import Testing
@testable import MathEnvironment

@Suite struct CountdownTests {
    let env = try! CountdownEnvironment(numbers: [3, 7, 8, 25], target: 193)

    func evaluate(_ completion: String, _ e: CountdownEnvironment? = nil) async throws -> Evaluation {
        try await (e ?? env).evaluate(completion: completion, from: EnvState(construction: ""))
    }

    @Test func exactHitScoresOneAndBecomesTheChildState() async throws {
        let r = try await evaluate("I think \\boxed{25 * 8 - 7}")
        #expect(r.reward == 1)
        #expect(r.status == .ok)
        #expect(r.child?.construction == "25 * 8 - 7")
        #expect(r.metrics["exact"] == 1)
    }

    @Test func nearMissGetsTheDocumentedClosenessReward() async throws {
        let r = try await evaluate("\\boxed{25 \\times 8}")
        // 200 vs 193: 0.9 · (1 − 7/193)
        #expect(abs((r.reward ?? -1) - 0.9 * (1 - 7.0 / 193.0)) < 1e-12)
        #expect(r.status == .ok)
        #expect(r.metrics["distance"] == 7)
        #expect(r.feedback == "25 \\times 8 = 200; the target is 193, off by 7.")
    }

    @Test func closerResultsEarnMoreAndNothingButAHitEarnsOne() {
        let t = 193
        let rs = [193.0, 192, 190, 150, 100, 0, 386, 1000].map { CountdownEnvironment.reward(value: $0, target: t) }
        #expect(rs[0] == 1)
        #expect(rs[1] < 0.9 && rs[1] > rs[2] && rs[2] > rs[3] && rs[3] > rs[4] && rs[4] > rs[5])
        #expect(rs[5] == 0 && rs[6] == 0 && rs[7] == 0)
        #expect(CountdownEnvironment.reward(value: 192.5, target: t) < 1)
    }

    @Test func exactRationalIntermediatesAreAllowed() async throws {
        let e = try CountdownEnvironment(numbers: [1, 5, 5, 5], target: 24)
        #expect(try await evaluate("\\boxed{5 * (5 - 1 / 5)}", e).reward == 1)
        let miss = try await evaluate("\\boxed{5 / 5 + 1 / 5}", e)
        #expect(miss.feedback.contains("= 6/5 (≈1.2)") && miss.feedback.contains("off by 114/5"))
        #expect(try await evaluate("\\boxed{(5 - 1 / 5) \\cdot 5}", e).reward == 1)
        #expect(try await evaluate("\\boxed{5 \\times (5 - \\frac{1}{5})}", e).reward == 1)
        #expect(try await evaluate("\\boxed{\\dfrac{5 \\times (25 - 1)}{5}}", e).status == .invalid)   // 25 not given
    }

    @Test func aNumberNotGivenIsInvalid() async throws {
        let r = try await evaluate("\\boxed{25 * 8 - 9}")
        #expect(r.status == .invalid)
        #expect(r.reward == 0)
        #expect(r.child == nil)
        #expect(r.feedback.contains("9 is not among the given numbers"))
    }

    @Test func aNumberUsedTwiceIsInvalidUnlessGivenTwice() async throws {
        let r = try await evaluate("\\boxed{25 * 8 - 7 - 7}")
        #expect(r.status == .invalid)
        #expect(r.feedback.contains("more often"))
        let twice = try CountdownEnvironment(numbers: [10, 10, 3, 7], target: 137)
        #expect(try await evaluate("\\boxed{(10 + 3) * 10 + 7}", twice).reward == 1)
        #expect(try await evaluate("\\boxed{(10 + 3) * 10 + 10}", twice).status == .invalid)
    }

    @Test func unaryMinusDivisionByZeroAndGarbageAreInvalid() async throws {
        for bad in ["\\boxed{-7 + 25 * 8}", "\\boxed{25 / (8 - 8)}", "\\boxed{25 ^ 3}", "\\boxed{2.5 * 8}",
                    "\\boxed{(25 * 8}", "\\boxed{}", "no expression at all"] {
            let r = try await evaluate(bad)
            #expect(r.status == .invalid, "\(bad)")
            #expect(r.reward == 0)
        }
    }

    @Test func aClaimedResultIsIgnored() async throws {
        let r = try await evaluate("\\boxed{25 * 8 = 193}")
        #expect(r.reward != 1)
        #expect(r.child?.construction == "25 * 8")
    }

    @Test func unboxedExpressionOnTheLastLineIsFound() async throws {
        let r = try await evaluate("Let me think.\n25 * 8 - 7 = 193")
        #expect(r.reward == 1)
    }

    @Test func deepNestingIsRejectedQuickly() async throws {
        let deep = String(repeating: "(", count: 500) + "25" + String(repeating: ")", count: 500)
        let start = ContinuousClock.now
        let r = try await evaluate("\\boxed{\(deep)}")
        #expect(ContinuousClock.now - start < .seconds(1))
        #expect(r.status == .invalid)
    }

    @Test func promptShowsNumbersTargetAndThePreviousAttempt() {
        let p0 = env.prompt(for: EnvState(construction: ""))
        #expect(p0.contains("3, 7, 8, 25") && p0.contains("193") && p0.contains("\\boxed"))
        let p1 = env.prompt(for: EnvState(construction: "25 * 8", value: 0.8673575129533678, feedback: "off by 7"))
        #expect(p1.contains("25 * 8") && p1.contains("off by 7") && p1.contains("Value: 0.8674 "))
    }

    @Test func badTasksAreRejected() {
        #expect(throws: MathEnvironmentError.self) { try CountdownEnvironment(numbers: [], target: 5) }
        #expect(throws: MathEnvironmentError.self) { try CountdownEnvironment(numbers: [-1, 2], target: 5) }
        #expect(throws: MathEnvironmentError.self) { try CountdownEnvironment(numbers: [1, 2], target: Int.min) }
        #expect(throws: MathEnvironmentError.self) {
            try CountdownEnvironment(options: EnvironmentOptions(args: ["numbers": "1,2", "target": "-9223372036854775808"]))
        }
    }
}
