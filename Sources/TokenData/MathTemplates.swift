/// Arithmetic, algebra and fraction questions with worked answers ending in `\boxed{…}`.
enum MathTemplates {
    static func arithmetic(_ g: inout TemplateRandom) -> String {
        switch g.int(0...3) {
        case 0:
            let a = g.int(0...999), b = g.int(0...999)
            return qa("What is \(a) + \(b)?", "\(a) + \(b) = \(a + b).", a + b)
        case 1:
            let a = g.int(0...999), b = g.int(0...a)
            return qa("What is \(a) - \(b)?", "\(a) - \(b) = \(a - b).", a - b)
        case 2:
            let a = g.int(2...99), b = g.int(2...19)
            return qa("What is \(a) * \(b)?", "\(a) * \(b) = \(a * b).", a * b)
        default:
            let a = g.int(2...30), b = g.int(2...12), c = g.int(1...99)
            let product = a * b
            if g.chance(50) {
                return qa("Compute \(a) * \(b) + \(c).", "First \(a) * \(b) = \(product). Then \(product) + \(c) = \(product + c).", product + c)
            }
            let quotientCase = g.int(2...12)
            let dividend = quotientCase * b
            return qa("Compute \(dividend) / \(b) + \(c).",
                      "First \(dividend) / \(b) = \(quotientCase). Then \(quotientCase) + \(c) = \(quotientCase + c).", quotientCase + c)
        }
    }

    /// a·x ± b = c with an integer solution, solved step by step.
    static func algebra(_ g: inout TemplateRandom) -> String {
        let variable = g.pick(["x", "y", "n", "t"])
        let x = g.int(-20...20), a = g.int(2...12), b = g.int(1...50)
        if g.chance(50) {
            let c = a * x + b
            return qa("Solve for \(variable): \(a)\(variable) + \(b) = \(c).",
                      "Subtract \(b) from both sides: \(a)\(variable) = \(c - b). Divide both sides by \(a): \(variable) = \(x).", x)
        }
        let c = a * x - b
        return qa("Solve for \(variable): \(a)\(variable) - \(b) = \(c).",
                  "Add \(b) to both sides: \(a)\(variable) = \(c + b). Divide both sides by \(a): \(variable) = \(x).", x)
    }

    /// Reduce a fraction; the answer is LaTeX `\frac{p}{q}` (or an integer).
    static func fraction(_ g: inout TemplateRandom) -> String {
        let p = g.int(1...12), q = g.int(2...12), k = g.int(2...9)
        let d = gcd(p, q)
        let (rp, rq) = (p / d, q / d)
        let answer = rq == 1 ? "\(rp)" : "\\frac{\(rp)}{\(rq)}"
        return "Question: Simplify \(p * k)/\(q * k).\n"
            + "Answer: Divide the numerator and the denominator by their greatest common divisor \(k * d): "
            + "\(p * k)/\(q * k) = \(rp)/\(rq).\nThe answer is \\boxed{\(answer)}.\n"
    }

    private static func qa(_ question: String, _ work: String, _ answer: Int) -> String {
        "Question: \(question)\nAnswer: \(work)\nThe answer is \\boxed{\(answer)}.\n"
    }

    static func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? abs(a) : gcd(b, a % b) }
}
