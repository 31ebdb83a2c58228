import Testing
@testable import MathEnvironment

/// One row of the equivalence table: gold answer, predicted answer, the expected verdict.
struct EquivalenceCase: CustomTestStringConvertible, Sendable {
    let gold: String
    let predicted: String
    let equivalent: Bool
    let topic: String
    var testDescription: String { "[\(topic)] \(gold) vs \(predicted) → \(equivalent)" }
}

private func rows(_ topic: String, _ items: [(String, String, Bool)]) -> [EquivalenceCase] {
    items.map { EquivalenceCase(gold: $0.0, predicted: $0.1, equivalent: $0.2, topic: topic) }
}

let equivalenceTable: [EquivalenceCase] =
    rows("fractions", [
        ("\\frac{1}{2}", "1/2", true), ("\\frac12", "0.5", true), ("\\dfrac{1}{2}", "\\frac{1}{2}", true),
        ("\\tfrac{3}{4}", "0.75", true), ("\\frac{2}{4}", "\\frac12", true), ("\\frac{1}{2}", "\\frac{1}{3}", false),
        ("\\frac{3}{4}", "3/4", true), ("1/2", "2/4", true), ("\\frac{1}{2}", "2", false),
        ("-\\frac{1}{2}", "\\frac{-1}{2}", true), ("-\\frac12", "\\frac{1}{-2}", true), ("\\frac{1}{2}", "-\\frac{1}{2}", false),
        ("\\frac{10}{4}", "2.5", true), ("2\\frac{1}{2}", "\\frac{5}{2}", true), ("\\frac{7}{3}", "2\\frac{1}{3}", true),
        ("\\frac{x}{2}", "x/2", true), ("\\frac{a+b}{2}", "\\frac{b+a}{2}", true), ("\\frac{1}{2}", "\\frac{2}{1}", false),
        ("\\frac{3}{2}", "1\\frac12", true), ("\\frac{12}{5}", "\\frac125", false),
    ]) +
    rows("decimals", [
        ("0.5", "1/2", true), ("0.333", "1/3", false), ("1/3", "0.333", false), ("1/3", "0.3333333", false),
        ("0.25", ".25", true), ("2.50", "2.5", true), ("2", "2.0", true), ("2", "2.01", false),
        ("0.1", "1/10", true), ("1.5", "3/2", true), ("0.125", "\\frac18", true), ("\\frac{2}{3}", "0.67", false),
    ]) +
    rows("sqrt", [
        ("2\\sqrt{2}", "\\sqrt{8}", true), ("\\sqrt{8}", "2\\sqrt2", true), ("\\sqrt{12}", "2\\sqrt{3}", true),
        ("\\sqrt{2}", "1.414", false), ("\\sqrt{2}", "1.41421356237", false),
        ("\\frac{\\sqrt{2}}{2}", "\\frac{1}{\\sqrt{2}}", true), ("\\sqrt{4}", "2", true), ("\\sqrt{2}^2", "2", true),
        ("3\\sqrt{2}", "\\sqrt{18}", true), ("\\sqrt{18}", "\\sqrt{17}", false), ("1+\\sqrt{2}", "\\sqrt{2}+1", true),
        ("1+\\sqrt{2}", "2.41421356", false), ("\\sqrt[3]{8}", "2", true), ("\\sqrt[3]{2}", "2^{1/3}", true),
        ("\\sqrt{2}+\\sqrt{3}", "\\sqrt{3}+\\sqrt{2}", true), ("\\sqrt{5+2\\sqrt6}", "\\sqrt2+\\sqrt3", true),
        ("\\sqrt{\\frac{1}{4}}", "\\frac12", true), ("2\\sqrt{2}", "2\\sqrt{3}", false), ("√2", "\\sqrt{2}", true),
        ("\\frac{3\\sqrt{3}}{2}", "\\frac{\\sqrt{27}}{2}", true), ("\\sqrt{2}\\sqrt{3}", "\\sqrt{6}", true),
        ("2\\sqrt{3}", "√12", true), ("2\\sqrt{3}", "sqrt(12)", true), ("\\sqrt{12}", "\\sqrt 12", false),
        ("3\\sqrt{2}", "3√2", true), ("x^{2}", "x**2", true), ("2^{3}", "2**3", true), ("2^{3}", "2*3", false), ("\\sqrt{1+x}", "sqrt(x+1)", true),
    ]) +
    rows("pi", [
        ("\\pi", "π", true), ("2\\pi", "\\pi \\cdot 2", true), ("\\frac{\\pi}{2}", "\\frac12\\pi", true),
        ("\\pi", "3.14159", false), ("\\pi", "3.14", false), ("\\pi^2", "\\pi\\pi", true), ("\\frac{\\pi}{3}", "60", false),
        ("4\\pi", "4pi", true), ("\\pi r^2", "r^2\\pi", true), ("2\\pi", "\\pi", false),
        ("\\pi\\sqrt{2}", "\\sqrt{2}\\pi", true), ("\\pi + 1", "1+\\pi", true),
    ]) +
    rows("percent", [
        ("50\\%", "50", true), ("50\\%", "0.5", true), ("50%", "\\frac{1}{2}", true), ("25", "25\\%", true),
        ("50\\%", "5", false), ("12.5\\%", "12.5", true), ("50\\%", "50 percent", true), ("50\\%", "0.05", false),
    ]) +
    rows("units and text", [
        ("5", "5 \\text{ cm}", true), ("5", "5\\text{cm}", true), ("12", "12 dollars", true), ("\\$12", "12", true),
        ("12", "\\$12.00", true), ("5", "5 \\mbox{ meters}", true), ("5", "6 \\text{ cm}", false),
        ("\\text{Evelyn}", "Evelyn", true), ("\\text{(A)}", "A", true), ("\\text{(A)}", "B", false),
        ("\\text{yes}", "\\text{Yes}", true), ("10", "10 \\mathrm{kg}", true), ("3", "3 square feet", true),
        ("9", "9 \\text{cm}^2", true), ("\\text{no solution}", "No solution", true), ("\\text{Monday}", "Tuesday", false),
    ]) +
    rows("degrees", [
        ("30^\\circ", "30", true), ("30", "30°", true), ("30^{\\circ}", "30^\\circ", true), ("45^\\circ", "30^\\circ", false),
        ("90", "90^{\\circ}", true), ("120^\\circ", "120 degrees", true),
    ]) +
    rows("thousands vs tuples", [
        ("1000", "1,000", true), ("1,000", "1000", true), ("1000000", "1,000,000", true), ("1234567", "1,234,567", true),
        ("(1,2)", "(1, 2)", true), ("(1,2)", "12", false), ("1000", "1{,}000", true), ("1000", "1\\,000", true),
        ("(1,000)", "1000", false), ("1,000", "(1, 0)", false), ("12,345", "12345", true), ("1,000.5", "1000.5", true),
        ("1,000", "1", false),
    ]) +
    rows("unicode minus", [
        ("-5", "−5", true), ("−\\frac{1}{2}", "-0.5", true), ("5", "−5", false), ("-3", "–3", true), ("−2", "2", false),
    ]) +
    rows("scientific", [
        ("1.5\\times 10^{3}", "1500", true), ("1500", "1.5e3", true), ("0.0015", "1.5 \\cdot 10^{-3}", true),
        ("2E5", "200000", true), ("3\\times10^8", "3e8", true), ("1.5e3", "1.5e4", false),
        ("6.02 \\times 10^{23}", "6.02e23", true), ("1e-3", "0.001", true), ("1e30", "1000000000000000000000000000000", true),
        ("6.02 \\times 10^{23}", "6.03e23", false),
    ]) +
    rows("equations", [
        ("5", "x = 5", true), ("x = 5", "5", true), ("x=5", "y = 5", true), ("5", "x = 6", false),
        ("y = 2x + 1", "2x+1", true), ("y = 2x+1", "y = 1 + 2x", true), ("y=2x+1", "y = 2x - 1", false),
        ("x = 3", "3 = x", true), ("k = 4", "k=4", true), ("x + y = 5", "y + x = 5", true), ("x + y = 5", "x - y = 5", false),
    ]) +
    rows("sets and tuples", [
        ("\\{1, 2\\}", "\\{2, 1\\}", true), ("(1, 2)", "(2, 1)", false), ("\\{1,2,3\\}", "\\{3,2,1\\}", true),
        ("\\{1,2\\}", "\\{1,2,3\\}", false), ("\\{1,2\\}", "(1,2)", false), ("(1,2)", "\\{1,2\\}", false),
        ("1, 2", "2, 1", true), ("1, 2", "\\{1, 2\\}", true), ("(3, 4)", "(3,4)", true), ("(1, -2)", "(1, -2)", true),
        ("(\\frac12, 3)", "(0.5, 3)", true), ("(1,2,3)", "(1,3,2)", false), ("\\emptyset", "\\{\\}", true),
        ("\\{\\frac{1}{2}, 2\\}", "\\{2, 0.5\\}", true), ("(1,2)", "[1,2]", false), ("x=1, x=2", "\\{1, 2\\}", true),
        ("x=1 \\text{ or } x=2", "2, 1", true), ("(1, 2)", "1, 2", true), ("(1, 2)", "2, 1", false),
        ("\\left( 3, \\frac{\\pi}{2} \\right)", "(3, \\frac{\\pi}{2})", true), ("(2, 3)", "(2, 3, 4)", false),
    ]) +
    rows("intervals", [
        ("(3, \\infty)", "(3, \\infty)", true), ("[3, \\infty)", "(3, \\infty)", false), ("(1, 2]", "(1, 2]", true),
        ("(1, 2]", "[1, 2)", false), ("(1, 2]", "(1, 2)", false), ("[0, 1]", "[0,1]", true),
        ("(-\\infty, 0)", "(-\\infty, 0]", false), ("(-\\infty, 0) \\cup (1, \\infty)", "(1, \\infty) \\cup (-\\infty, 0)", true),
        ("(-\\infty, 0) \\cup (1, \\infty)", "(-\\infty, 0) \\cup [1, \\infty)", false), ("[\\frac12, 2)", "[0.5, 2)", true),
        ("\\mathbb{R}", "(-\\infty, \\infty)", true), ("(−∞, 5]", "(-\\infty, 5]", true), ("(3, \\infty)", "x > 3", false),
        ("\\left[ 2, 5 \\right)", "[2,5)", true), ("[2, 5)", "x \\in [2, 5)", true), ("(0, \\infty)", "(1, \\infty)", false),
    ]) +
    rows("inequalities", [
        ("x > 3", "(3, \\infty)", true), ("x \\ge 3", "[3, \\infty)", true), ("x \\geq 3", "(3, \\infty)", false),
        ("x < 3", "(-\\infty, 3)", true), ("1 < x \\le 2", "(1, 2]", true), ("1 < x < 2", "(1, 2)", true),
        ("x > 3", "x > 3", true), ("x>3", "3 < x", true), ("x > 3", "x \\geq 3", false), ("x \\le -1", "(-\\infty, -1]", true),
        ("x < -2 \\text{ or } x > 3", "(-\\infty, -2) \\cup (3, \\infty)", true), ("x>3", "[3, \\infty)", false),
        ("x > 3", "x < 3", false), ("-2 \\le x \\le 2", "[-2, 2]", true), ("x ≥ 3", "[3, ∞)", true), ("x > 3", "3", false),
    ]) +
    rows("expressions", [
        ("x^2 - 1", "(x-1)(x+1)", true), ("x^2", "x \\cdot x", true), ("x^2+1", "x^2-1", false), ("2x", "x", false),
        ("\\frac{1}{x}", "x^{-1}", true), ("2^{10}", "1024", true), ("5!", "120", true), ("\\binom{5}{2}", "10", true),
        ("2^{-1}", "0.5", true), ("4^{1/2}", "2", true), ("(-8)^{1/3}", "-2", true), ("\\log_2 8", "3", true),
        ("\\ln 1", "0", true), ("\\sin(\\pi/6)", "1/2", true), ("\\cos 0", "1", true), ("|-3|", "3", true),
        ("123456789012345678901234567890", "123456789012345678901234567891", false),
        ("123456789012345678901234567890", "123456789012345678901234567890", true), ("20!", "2432902008176640000", true),
        ("x", "y", false), ("3", "3.", true),
    ]) +
    rows("plus-minus and repeating decimals", [
        ("\\pm 2", "2, -2", true), ("\\pm 2", "\\{-2, 2\\}", true), ("\\pm 2", "2", false),
        ("1 \\pm \\sqrt{2}", "1-\\sqrt2, 1+\\sqrt2", true), ("x = \\pm 3", "x = 3, x = -3", true),
        ("\\frac{1}{3}", "0.\\overline{3}", true), ("0.1\\overline{6}", "\\frac16", true),
        ("\\frac{1}{3}", "0.\\overline{33}", true), ("\\frac{1}{3}", "0.\\overline{4}", false),
    ]) +
    rows("more forms", [
        ("\\{1, 2\\}", "\\{1, 1, 2\\}", true), ("1, 2", "1, 1, 2", false), ("f(x) = 2x", "2x", true),
        ("2x", "f(x) = 2x + 1", false), ("x \\neq 3", "(-\\infty, 3) \\cup (3, \\infty)", true),
        ("x \\ne 3", "(-\\infty, 3]", false), ("\\frac12", "½", true), ("x^2", "x²", true),
        ("5", "\\boxed{5}", true), ("\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}", "(1, 2)", true),
        ("\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}", "(2, 1)", false), ("\\frac{\\pi}{4}", "0.25\\pi", true),
        ("\\frac{\\pi}{4}", "45^\\circ", false), ("\\sqrt{x}", "x^{1/2}", true), ("2(x+1)", "2x+2", true),
        ("\\infty", "-\\infty", false), ("0", "-0", true), ("-\\frac{3}{4}", "- 3/4", true),
        ("a = 2, b = 3", "b = 3, a = 2", true), ("a = 2, b = 3", "a = 3, b = 2", false),
        ("x = 1, y = 2", "(1, 2)", true), ("(1, 2)", "x = 1, y = 2", true), ("x = 1, y = 2", "(2, 1)", false),
        ("a = 2, b = 3", "a = 2, c = 3", false), ("\\frac12", "\\text{1/2}", true), ("\\frac12", "\\text{1/3}", false),
        ("\\text{B}", "(B)", true), ("x^2 + y^2 = 1", "x^2 + y^2 - 1 = 0", true), ("x + y = 1", "2y = 2 - 2x", true),
        ("x + y = 1", "x - y = 1", false), ("x + y = 1", "x + y = 2", false), ("x^2 + y^2 = 1", "y^2 + x^2 = 1", true),
        ("\\frac12", "\\(\\frac{1}{2}\\)", true), ("5", "\\[5\\]", true), ("[1, 2]", "\\[[1, 2]\\]", true),
        ("2.5", "2 1/2", true), ("-2.5", "-2 1/2", true), ("1000000", "1 000 000", true), ("\\frac{1000}{1}", "1 000", true), ("1.2 \\times 10^{-5}", "1.2e-5", true), ("1.2 \\times 10^{-5}", "1.2e-6", false),
    ])

@Suite struct EquivalenceTableTests {
    @Test func tableHasAtLeast150RowsWithBothVerdicts() {
        #expect(equivalenceTable.count >= 150)
        #expect(equivalenceTable.filter(\.equivalent).count >= 50)
        #expect(equivalenceTable.filter { !$0.equivalent }.count >= 50)
    }

    @Test(arguments: equivalenceTable)
    func verdictMatchesTable(_ row: EquivalenceCase) {
        let verdict = MathVerifier().compare(gold: row.gold, predicted: row.predicted)
        #expect(verdict.equivalent == row.equivalent, "\(verdict.reason)")
    }

    @Test func toleranceOptionLetsTruncatedDecimalsMatch() {
        let loose = MathVerifier(options: .init(tolerance: 1e-3))
        #expect(loose.isEquivalent(gold: "1/3", predicted: "0.3333"))
        #expect(loose.isEquivalent(gold: "1/3", predicted: "0.333"))
        #expect(!loose.isEquivalent(gold: "1/3", predicted: "0.33"))
        #expect(loose.isEquivalent(gold: "\\sqrt{2}", predicted: "1.4142"))
        #expect(!MathVerifier().isEquivalent(gold: "\\sqrt{2}", predicted: "1.4142"))
    }
}
