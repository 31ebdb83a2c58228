import Testing
import EnvironmentKit
@testable import MathEnvironment

/// Seeded random token soup: the verifier, the extractor and the countdown parser must neither trap
/// (overflow, out-of-range index, unbounded recursion) nor take long on any of it.
@Suite struct FuzzTests {
    struct SplitMix64 {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    }

    static let pieces = [
        "0", "1", "2", "3", "9", "10", "-", "+", "*", "/", "^", "(", ")", "{", "}", "[", "]", "\\{", "\\}", ",", "=",
        "<", ">", "\\le", "\\ne", "x", "y", "e", "\\pi", "\\sqrt", "\\sqrt[3]", "\\frac", "\\dfrac", "\\binom", "\\infty",
        "!", "%", "\\%", ".", "9223372036854775807", "9223372036854775808", "1e308", "1e-400", "2e9223372036854775807",
        "\\cup", "\\pm", "\\text{cm}", "\\text{ or }", "0.\\overline{3}", "|", "_", "\\log", "\\log_", "\\sin", "\\ln",
        "°", "−", " ", "\\boxed{", "0.5", "1,000", "\\left(", "\\right)", "\\mathbb{R}", "\\in", "^{", "\\circ", "$",
        "\\begin{pmatrix}", "\\end{pmatrix}", "\\\\", "&", "½", "²", "\\", "\\text{", "\\mathrm{", "meters", "\\,",
        "4096", "170", "171", "-64", "144115188075855872", "4611686018427387904",
    ]

    static func soup(_ rng: inout SplitMix64) -> String {
        (0..<(1 + rng.below(24))).map { _ in pieces[rng.below(pieces.count)] }.joined()
    }

    @Test func verifierSurvivesRandomTokenSoup() {
        var rng = SplitMix64(state: 0x5EED_0001)
        let golds = equivalenceTable.map(\.gold)
        var slowest: Duration = .zero
        for _ in 0..<1000 {
            let p = Self.soup(&rng)
            let g = rng.below(3) == 0 ? Self.soup(&rng) : golds[rng.below(golds.count)]
            let start = ContinuousClock.now
            _ = MathVerifier().compare(gold: g, predicted: p)
            _ = MathVerifier(options: .init(tolerance: 1e-3)).compare(gold: p, predicted: g)
            slowest = max(slowest, ContinuousClock.now - start)
        }
        #expect(slowest < .seconds(1))
    }

    @Test func extractorAndCountdownSurviveRandomTokenSoup() async throws {
        var rng = SplitMix64(state: 0x5EED_0002)
        let env = try CountdownEnvironment(numbers: [1, 2, 3, 9, 10], target: 24)
        for _ in 0..<800 {
            let text = "Reasoning " + Self.soup(&rng) + " answer is " + Self.soup(&rng) + "\n" + Self.soup(&rng)
            _ = AnswerExtractor.extract(from: text)
            let r = try await env.evaluate(completion: text, from: EnvState(construction: ""))
            #expect(r.reward.map { $0 >= 0 && $0 <= 1 } == true)
        }
    }
}
