/// Tokens of a normalised answer (see `LatexNormalizer`).
enum MathToken: Equatable, Sendable {
    /// A decimal literal without sign: `12`, `1.5`, `.5`, `1.5e-3`; thousands separators already removed.
    case number(String)
    /// A single-letter variable (multi-letter runs that are not known words are split: `xy` = `x·y`).
    case letter(Character)
    /// `\name` or a known plain word (`sqrt`, `pi`, `sin`, …), without the backslash.
    case command(String)
    /// Operators and brackets: `+ - * / ^ _ ! % ( ) [ ] { } \{ \} , | = < > <= >= != :`
    case symbol(String)
}

struct MathLexError: Error, Sendable { var message: String }

enum MathLexer {
    /// Plain words read as commands; `or`/`and` separate list items.
    static let words: Set<String> = ["sqrt", "pi", "sin", "cos", "tan", "cot", "sec", "csc", "ln", "log", "exp",
                                     "arcsin", "arccos", "arctan", "infty", "inf", "infinity"]

    /// Thousands separators (`1,000,000`, or `1 000 000` with single spaces) are merged only outside brackets
    /// and only as `d{1,3}(,ddd)+`; inside `()`, `[]`, `{}` a comma always separates items, so `(1,234)` is a pair.
    static func tokenize(_ s: String) throws -> [MathToken] {
        let c = Array(s)
        var tokens: [MathToken] = []
        var depth = 0
        var i = 0
        func isDigit(_ k: Int) -> Bool { k < c.count && c[k].isASCII && c[k].isNumber }
        while i < c.count {
            let ch = c[i]
            if ch.isWhitespace { i += 1; continue }
            if isDigit(i) || (ch == "." && isDigit(i + 1)) {
                var j = i
                while isDigit(j) { j += 1 }
                var text = j > i ? String(c[i..<j]) : "0"
                // Thousands groups.
                if depth == 0 && text.count <= 3 && !(j < c.count && c[j] == ".") {
                    var k = j
                    var merged = text
                    let separator: Character = j < c.count && c[j] == " " ? " " : ","
                    while k < c.count && c[k] == separator && isDigit(k + 1) && isDigit(k + 2) && isDigit(k + 3)
                            && !isDigit(k + 4) {
                        merged += String(c[(k + 1)...(k + 3)])
                        k += 4
                    }
                    if k > j { text = merged; j = k }
                }
                if j < c.count && c[j] == "." && isDigit(j + 1) {
                    var k = j + 1
                    while isDigit(k) { k += 1 }
                    text += String(c[j..<k])
                    j = k
                } else if j < c.count && c[j] == "." && !(j + 1 < c.count && c[j + 1] == ".") {
                    j += 1                           // "5." reads as 5
                }
                // Scientific notation: 1.5e-3, 2E+10 (no spaces).
                if j < c.count && (c[j] == "e" || c[j] == "E") {
                    var k = j + 1
                    if k < c.count && (c[k] == "+" || c[k] == "-") { k += 1 }
                    if isDigit(k) {
                        while isDigit(k) { k += 1 }
                        text += "e" + String(c[(j + 1)..<k])
                        j = k
                    }
                }
                tokens.append(.number(text))
                i = j
                continue
            }
            if ch == "\\" {
                guard i + 1 < c.count else { throw MathLexError(message: "dangling backslash") }
                if c[i + 1] == "{" || c[i + 1] == "}" {
                    tokens.append(.symbol(c[i + 1] == "{" ? "\\{" : "\\}"))
                    depth += c[i + 1] == "{" ? 1 : -1
                    i += 2
                    continue
                }
                var j = i + 1
                while j < c.count && c[j].isASCII && c[j].isLetter { j += 1 }
                guard j > i + 1 else { throw MathLexError(message: "unknown escape \\\(c[i + 1])") }
                tokens.append(.command(String(c[(i + 1)..<j])))
                i = j
                continue
            }
            if ch.isASCII && ch.isLetter {
                var j = i
                while j < c.count && c[j].isASCII && c[j].isLetter { j += 1 }
                let word = String(c[i..<j])
                if words.contains(word.lowercased()) {
                    tokens.append(.command(word.lowercased()))
                } else if word.lowercased() == "or" || word.lowercased() == "and" {
                    tokens.append(.symbol(","))
                } else {
                    tokens.append(contentsOf: word.map { .letter($0) })
                }
                i = j
                continue
            }
            let two = i + 1 < c.count ? String(c[i...(i + 1)]) : ""
            if two == "**" {                          // Python's power operator
                tokens.append(.symbol("^"))
                i += 2
                continue
            }
            if ["<=", ">=", "!=", "=<", "=>"].contains(two) {
                tokens.append(.symbol(two == "=<" ? "<=" : two == "=>" ? ">=" : two))
                i += 2
                continue
            }
            switch ch {
            case "(", "[", "{": depth += 1
            case ")", "]", "}": depth -= 1
            default: break
            }
            if "+-*/^_!%()[]{},|=<>:;".contains(ch) {
                tokens.append(.symbol(ch == ";" ? "," : String(ch)))
                i += 1
                continue
            }
            throw MathLexError(message: "unexpected character '\(ch)'")
        }
        return tokens
    }
}
