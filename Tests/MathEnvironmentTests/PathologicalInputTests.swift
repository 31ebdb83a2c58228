import Testing
@testable import MathEnvironment

/// Hostile answers must come back within the cap (asserted: < 1 s each, in a debug build on a busy
/// machine; the verifier's own wall-clock budget is 0.25 s) with a definite verdict.
@Suite struct PathologicalInputTests {
    static let cases: [(gold: String, predicted: String, equivalent: Bool)] = [
        ("1", "9^{9^{9}}", false),
        ("9^{9^{9}}", "9^{9^{9}}", true),
        ("9^{9^{9}}", "9^{9^{9}}+1", false),
        ("9^{9^{9}}", "9^{9^{9^{9}}}", false),
        ("1", "(10^{10})!", false),
        ("1", "1000!", false),
        ("1000!", "999!", false),
        ("720", "3!!", true),
        ("1", "3!!!!", false),
        ("1", "10^{10^{10}}", false),
        ("1", "2^{2^{2^{2^{2^{2}}}}}", false),
        ("1", "\\binom{10^{9}}{5 \\cdot 10^{8}}", false),
        ("(x+1)^{1000000}", "(1+x)^{1000000}", false),
        ("1", "10^{-10^{10}}", false),
        ("0", "10^{-10^{10}}", false),
        ("1", "1e999999999", false),
        ("0", "1e-999999", false),
        ("1", "1.5e-9223372036854775808", false),
        ("10e9223372036854775807", "1", false),
        ("1", "1e99999999999999999999999", false),
        ("1", "(\\pi^{-64})^{144115188075855872}", false),
        ("1", "2^{-9223372036854775807}", false),
        ("1", "(-1)^{9223372036854775807}", false),
        ("1", "\\sqrt{\\sqrt{\\sqrt{\\sqrt{\\sqrt{\\sqrt{\\sqrt{\\sqrt{1}}}}}}}}", true),
        ("1", "\\pi^{1000000000}", false),
        ("1", String(repeating: "{", count: 400) + "1" + String(repeating: "}", count: 400), false),
        ("1", String(repeating: "(", count: 300) + "1" + String(repeating: ")", count: 300), false),
        ("1", String(repeating: "\\sqrt{", count: 150) + "1" + String(repeating: "}", count: 150), false),
        ("1", String(repeating: "-", count: 900) + "1", false),
        ("1", String(repeating: "1+", count: 450) + "1", false),
        ("1", String(repeating: "x", count: 5_000_000), false),
        ("1", String(repeating: "\\text{", count: 300) + String(repeating: "}", count: 300), false),
        ("1", "x^{x^{x^{x^{x^{x}}}}}", false),
        ("1", String(repeating: "2^", count: 400) + "2", false),
    ]

    @Test(arguments: 0..<cases.count)
    func hostileAnswerReturnsWithinOneSecond(_ i: Int) {
        let c = PathologicalInputTests.cases[i]
        let start = ContinuousClock.now
        let verdict = MathVerifier().compare(gold: c.gold, predicted: c.predicted)
        let elapsed = ContinuousClock.now - start
        #expect(elapsed < .seconds(1), "case \(i) took \(elapsed)")
        #expect(verdict.equivalent == c.equivalent, "case \(i): \(verdict.reason)")
    }

    @Test func overlongAnswersAreRejectedWithAReason() {
        let v = MathVerifier().compare(gold: "1", predicted: String(repeating: "1", count: 2000))
        #expect(!v.equivalent)
        #expect(v.reason.contains("longer"))
    }
}
