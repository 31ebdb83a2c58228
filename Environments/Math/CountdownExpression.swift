/// A Countdown expression: integer literals, `+ - * /` (also `× ÷ · \times \cdot \div`, `\frac{a}{b}`),
/// parentheses (`( ) [ ] { }`, `\left`/`\right` ignored). No unary minus, no decimals, no concatenation; evaluated
/// exactly over the rationals (intermediate fractions are allowed: `(1+1/3)*6` = 8).
struct CountdownExpression: Sendable, Equatable {
    /// The literals in the order written.
    let literals: [Int]
    let value: Rational

    struct Invalid: Error, Equatable { var message: String }

    static let maxLength = 1000
    static let maxDepth = 64

    static func parse(_ text: String) throws -> CountdownExpression {
        guard text.count <= maxLength else { throw Invalid(message: "expression longer than \(maxLength) characters") }
        var s = expandFractions(LatexNormalizer.replaceUnicode(text))
        for (from, to) in [("\\times", "*"), ("\\cdot", "*"), ("\\div", "/"), ("\\left", ""), ("\\right", ""),
                           ("\\ast", "*"), ("\\,", ""), ("\\!", ""), ("\\ ", ""), ("$", "")] {
            s = s.replacingAll(from, with: to)
        }
        var p = Parser(chars: Array(s))
        let v = try p.expression()
        p.skipSpaces()
        guard p.i == p.chars.count else { throw Invalid(message: "unexpected '\(p.chars[p.i])' in the expression") }
        guard !p.literals.isEmpty else { throw Invalid(message: "the expression uses no numbers") }
        return CountdownExpression(literals: p.literals, value: v)
    }

    /// `\frac{a}{b}` (also `\dfrac`, `\tfrac`) → `((a)/(b))`, innermost last; unbalanced braces are left for
    /// the parser to reject.
    static func expandFractions(_ text: String) -> String {
        var chars = Array(text.replacingAll("\\dfrac", with: "\\frac").replacingAll("\\tfrac", with: "\\frac"))
        let frac = Array("\\frac")
        var i = 0
        while i + frac.count < chars.count {
            guard Array(chars[i..<(i + frac.count)]) == frac else { i += 1; continue }
            let a = i + frac.count
            guard chars[a] == "{", let ae = LatexNormalizer.matchingBrace(chars, a),
                  ae + 1 < chars.count, chars[ae + 1] == "{", let be = LatexNormalizer.matchingBrace(chars, ae + 1) else {
                i += 1
                continue
            }
            let num = chars[(a + 1)..<ae], den = chars[(ae + 2)..<be]
            chars.replaceSubrange(i...be, with: Array("((") + num + Array(")/(") + den + Array("))"))
        }
        return String(chars)
    }

    private struct Parser {
        let chars: [Character]
        var i = 0
        var depth = 0
        var literals: [Int] = []

        mutating func skipSpaces() { while i < chars.count && chars[i].isWhitespace { i += 1 } }

        mutating func peek() -> Character? {
            skipSpaces()
            return i < chars.count ? chars[i] : nil
        }

        mutating func expression() throws -> Rational {
            var v = try term()
            while let c = peek(), c == "+" || c == "-" {
                i += 1
                let r = try term()
                guard let n = c == "+" ? v.adding(r) : v.subtracting(r) else { throw Invalid(message: "arithmetic overflow") }
                v = n
            }
            return v
        }

        mutating func term() throws -> Rational {
            var v = try factor()
            while let c = peek(), c == "*" || c == "/" || c == "x" {
                i += 1
                let r = try factor()
                if c == "/" && r.isZero { throw Invalid(message: "division by zero") }
                guard let n = c == "/" ? v.divided(by: r) : v.multiplied(by: r) else {
                    throw Invalid(message: "arithmetic overflow")
                }
                v = n
            }
            return v
        }

        mutating func factor() throws -> Rational {
            depth += 1
            defer { depth -= 1 }
            guard depth <= CountdownExpression.maxDepth else { throw Invalid(message: "parentheses nested too deeply") }
            guard let c = peek() else { throw Invalid(message: "the expression ends early") }
            let closing: [Character: Character] = ["(": ")", "[": "]", "{": "}"]
            if let close = closing[c] {
                i += 1
                let v = try expression()
                guard peek() == close else { throw Invalid(message: "missing '\(close)'") }
                i += 1
                return v
            }
            if c == "-" || c == "+" { throw Invalid(message: "unary \(c) is not allowed: combine the given numbers") }
            guard c.isASCII && c.isNumber else { throw Invalid(message: "unexpected '\(c)' in the expression") }
            var j = i
            while j < chars.count && chars[j].isASCII && chars[j].isNumber { j += 1 }
            if j < chars.count && chars[j] == "." { throw Invalid(message: "decimals are not allowed") }
            guard j - i <= 12, let n = Int(String(chars[i..<j])) else { throw Invalid(message: "number too long") }
            i = j
            literals.append(n)
            return Rational(n)
        }
    }
}
