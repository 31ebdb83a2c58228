import Foundation

/// Rewrites a LaTeX / plain-text answer into the small language `MathLexer` reads.
///
/// In order: matrices become tuples (`rewriteMatrices`); unicode symbols become their LaTeX names (`−`→`-`, `π`→`\pi`, `√`→`\sqrt`, `°`→`^\circ`, …);
/// math delimiters and spacing commands vanish (`$`, `\(`, `\)`, `\[`, `\]`, `\left`, `\right`, `\,`, `\!`, `\quad`, …);
/// `\dfrac`/`\tfrac` become `\frac`; relation and operator commands become ASCII (`\le`→`<=`, `\cdot`→`*`);
/// degree marks are dropped (`30^\circ` = 30, no conversion to radians); `{,}` thousands separators vanish;
/// repeating decimals `0.\overline{3}` become exact fractions `(1/3)`; `\textbf`/`\mathbf`/`\boldsymbol` are
/// unwrapped, and so are stray `\boxed{}`; `\text{}`/`\mbox{}`/`\mathrm{}`/`\textrm{}` groups are
/// taken out: a group reading "or"/"and" becomes a list comma, any other group is a unit or label and is
/// dropped — unless nothing but text is left, in which case the answer is that text (`textAnswer`), or
/// the math it spells when it holds no letters (`\text{1/2}`);
/// trailing unit words (two or more letters after a space: `5 cm`, `12 dollars`, `3 square feet^2`)
/// are dropped when what precedes them contains a digit; finally a whole answer `2 1/2` is a mixed number.
struct NormalizedAnswer: Sendable, Equatable {
    /// The rewritten expression text (empty for a pure text answer).
    var expression: String
    /// The text of a pure text answer (e.g. `\text{Evelyn}`), lowercased and trimmed; nil otherwise.
    var textAnswer: String?
}

enum LatexNormalizer {
    static let unicode: [Character: String] = [
        "−": "-", "–": "-", "—": "-", "×": "*", "÷": "/", "·": "*", "⋅": "*", "π": "\\pi ", "∞": "\\infty ",
        "√": "\\sqrt ", "≤": "<=", "≥": ">=", "≠": "!=", "°": "^\\circ ", "∪": "\\cup ", "∈": "\\in ",
        "\u{00A0}": " ", "\u{2009}": "", "\u{202F}": "", "∅": "\\emptyset ", "ℝ": "\\mathbb{R}", "≈": "\\approx ",
        "½": "(1/2)", "⅓": "(1/3)", "⅔": "(2/3)", "¼": "(1/4)", "¾": "(3/4)", "²": "^2", "³": "^3", "±": "\\pm ",
    ]

    /// Commands replaced by text (the value keeps a trailing space where a letter could follow).
    static let commands: [String: String] = [
        "left": "", "right": "", "big": "", "Big": "", "bigl": "", "bigr": "", "Bigl": "", "Bigr": "",
        "bigg": "", "Bigg": "", "displaystyle": "", "textstyle": "", "quad": " ", "qquad": " ",
        "dfrac": "\\frac", "tfrac": "\\frac", "cfrac": "\\frac",
        "le": "<=", "leq": "<=", "leqslant": "<=", "ge": ">=", "geq": ">=", "geqslant": ">=",
        "lt": "<", "gt": ">", "ne": "!=", "neq": "!=",
        "times": "*", "cdot": "*", "ast": "*", "div": "/", "colon": ":",
        "infin": "\\infty ", "infinity": "\\infty ", "varnothing": "\\emptyset ",
        "lbrace": "\\{", "rbrace": "\\}", "langle": "(", "rangle": ")", "vert": "|", "lvert": "|", "rvert": "|",
        "land": ",", "lor": ",", "wedge": ",", "vee": ",",
    ]

    static let unwrapping: Set<String> = ["textbf", "mathbf", "boldsymbol", "bm", "mathit", "mathsf", "emph",
                                           "boxed", "fbox"]
    static let textual: Set<String> = ["text", "mbox", "mathrm", "textrm", "textit", "textnormal", "operatorname"]
    /// Words never treated as trailing units.
    static let keptWords: Set<String> = ["pi", "sqrt", "sin", "cos", "tan", "ln", "log", "exp", "inf", "infty",
                                         "or", "and", "frac"]

    static func normalize(_ input: String) -> NormalizedAnswer {
        var s = replaceUnicode(input)
        s = rewriteMatrices(s)
        s = rewriteCommands(s)
        // Degrees and LaTeX thousands separators.
        for d in ["{}^{\\circ}", "{}^\\circ", "^{\\circ}", "^\\circ", "\\circ"] { s = s.replacingAll(d, with: "") }
        s = s.replacingAll("{,}", with: "")
        s = expandRepeatingDecimals(s)
        s = s.replacingAll("\\%", with: "%")
        s = s.replacingAll("\\$", with: "").replacingAll("$", with: "")
        let (withoutText, texts) = extractText(s)
        let rest = withoutText.trimmingSpaces()
        if rest.isEmpty || rest.allSatisfy({ "{}()., ".contains($0) }) {
            let t = texts.joined(separator: " ").trimmingSpaces()
            // Text without letters is math after all: `\text{1/2}`, `\text{(1, 2)}`.
            if !t.isEmpty && !t.contains(where: { $0.isLetter }) {
                return NormalizedAnswer(expression: t, textAnswer: nil)
            }
            return NormalizedAnswer(expression: "", textAnswer: t.isEmpty ? nil : t.lowercased())
        }
        return NormalizedAnswer(expression: plainMixedNumber(stripTrailingUnits(rest)), textAnswer: nil)
    }

    /// `a.b\overline{c}` (digits; `\dot{c}` also) → `(p/q)`: x = a.bccc… = (abc − ab) / (10^|b| · (10^|c| − 1)).
    /// Left unchanged when the numbers leave 64 bits.
    static func expandRepeatingDecimals(_ s: String) -> String {
        guard s.contains("\\overline") || s.contains("\\dot") else { return s }
        let pattern = try! NSRegularExpression(pattern: #"(\d*)\.(\d*)\\(?:overline|dot)\{(\d+)\}"#)
        let out = NSMutableString(string: s)
        for m in pattern.matches(in: s, range: NSRange(s.startIndex..., in: s)).reversed() {
            guard let ra = Range(m.range(at: 1), in: s),
                  let rb = Range(m.range(at: 2), in: s), let rc = Range(m.range(at: 3), in: s) else { continue }
            let a = String(s[ra]), b = String(s[rb]), c = String(s[rc])
            guard let abc = Int(a + b + c), let ab = Int((a + b).isEmpty ? "0" : a + b),
                  let p10b = Rational(10).power(b.count), let p10c = Rational(10).power(c.count),
                  let den = p10b.multiplied(by: p10c.subtracting(.one) ?? .zero),
                  let value = Rational(abc - ab, den.num) else { continue }
            out.replaceCharacters(in: m.range, with: "(\(value.num)/\(value.den))")
        }
        return out as String
    }

    /// `\begin{pmatrix} a & b \\ c & d \end{pmatrix}` → `(a, b, c, d)` (`bmatrix` → `[…]`): a vector or
    /// matrix compares as the ordered tuple of its entries, row by row.
    static func rewriteMatrices(_ s: String) -> String {
        guard s.contains("\\begin{") else { return s }
        var t = s
        for (env, open, close) in [("pmatrix", "(", ")"), ("bmatrix", "[", "]"), ("matrix", "(", ")")] {
            t = t.replacingAll("\\begin{\(env)}", with: open).replacingAll("\\end{\(env)}", with: close)
        }
        return t.replacingAll("\\\\", with: ",").replacingAll("&", with: ",")
    }

    /// A whole answer `2 1/2` (integer, space, proper fraction) is the mixed number `(2+1/2)`.
    static func plainMixedNumber(_ s: String) -> String {
        let pattern = try! NSRegularExpression(pattern: #"^\s*(-?)\s*(\d+)\s+(\d+)\s*/\s*(\d+)\s*$"#)
        guard let m = pattern.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)),
              let rn = Range(m.range(at: 3), in: s), let rd = Range(m.range(at: 4), in: s),
              let n = Int(s[rn]), let d = Int(s[rd]), n < d,
              let rs = Range(m.range(at: 1), in: s), let rw = Range(m.range(at: 2), in: s) else { return s }
        return "\(s[rs])(\(s[rw])+\(n)/\(d))"
    }

    /// Unicode symbols to LaTeX; `√12` (a run of digits) becomes `\sqrt{12}`, not TeX's `\sqrt 12` = √1·2.
    static func replaceUnicode(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        let chars = Array(s)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c == "√", i + 1 < chars.count, chars[i + 1].isASCII, chars[i + 1].isNumber {
                var j = i + 1
                while j < chars.count && chars[j].isASCII && (chars[j].isNumber || chars[j] == ".") { j += 1 }
                out += "\\sqrt{" + String(chars[(i + 1)..<j]) + "}"
                i = j
                continue
            }
            if let r = unicode[c] { out += r } else { out.append(c) }
            i += 1
        }
        return out
    }

    /// One pass over `\name` commands: spacing/sizing/relations rewritten, `\left.`/`\right.` dropped,
    /// `\,` `\!` `\;` `\:` `\ ` removed, and `\textbf{x}`-style wrappers replaced by `{x}`.
    static func rewriteCommands(_ s: String) -> String {
        let chars = Array(s)
        var out = ""
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c == "~" { out.append(" "); i += 1; continue }
            guard c == "\\", i + 1 < chars.count else { out.append(c); i += 1; continue }
            let n = chars[i + 1]
            if ",!;: ()[]".contains(n) { i += 2; continue }      // spacing, and \( \) \[ \] math delimiters
            guard n.isLetter else { out.append(c); out.append(n); i += 2; continue }
            var j = i + 1
            while j < chars.count && chars[j].isLetter && chars[j].isASCII { j += 1 }
            let name = String(chars[(i + 1)..<j])
            if (name == "left" || name == "right"), j < chars.count, chars[j] == "." { i = j + 1; continue }
            if let r = commands[name] {
                out += r
            } else if unwrapping.contains(name) {
                out += ""                    // the following {group} stays as a plain group
            } else {
                out += "\\" + name
                if j < chars.count && chars[j].isLetter { out += " " }
            }
            i = j
        }
        return out
    }

    /// Removes `\text{…}`-style groups (brace-matched); returns the rest and the group contents.
    static func extractText(_ s: String) -> (String, [String]) {
        let chars = Array(s)
        var out = "", texts: [String] = []
        var i = 0
        while i < chars.count {
            if chars[i] == "\\" {
                var j = i + 1
                while j < chars.count && chars[j].isLetter { j += 1 }
                let name = String(chars[(i + 1)..<j])
                if textual.contains(name) {
                    var k = j
                    while k < chars.count && chars[k] == " " { k += 1 }
                    if k < chars.count && chars[k] == "{", let close = matchingBrace(chars, k) {
                        let content = String(chars[(k + 1)..<close])
                        let inner = extractText(content).0.trimmingSpaces()
                        let word = inner.lowercased()
                        if word == "or" || word == "and" || word == "," {
                            out += ","
                        } else if !inner.isEmpty {
                            texts.append(inner)
                            out += " "
                        }
                        i = close + 1
                        // A unit's power goes with it: `\text{cm}^2`, `\text{m}^{3}`.
                        if i + 1 < chars.count && chars[i] == "^" && chars[i + 1].isNumber { i += 2 }
                        else if i + 3 < chars.count && chars[i] == "^" && chars[i + 1] == "{" && chars[i + 2].isNumber
                                    && chars[i + 3] == "}" { i += 4 }
                        continue
                    }
                }
            }
            out.append(chars[i])
            i += 1
        }
        return (out, texts)
    }

    /// Index of the `}` matching the `{` at `open`, or nil when unbalanced.
    static func matchingBrace(_ chars: [Character], _ open: Int) -> Int? {
        var depth = 0, i = open
        while i < chars.count {
            if chars[i] == "\\" { i += 2; continue }
            if chars[i] == "{" { depth += 1 }
            if chars[i] == "}" { depth -= 1; if depth == 0 { return i } }
            i += 1
        }
        return nil
    }

    /// Drops trailing unit words: ` word` (2+ ASCII letters, optional `^2`/`^{2}`), repeatedly, when the
    /// remaining text contains a digit.
    static func stripTrailingUnits(_ s: String) -> String {
        var chars = Array(s)
        while true {
            var end = chars.count
            while end > 0 && chars[end - 1] == " " { end -= 1 }
            var j = end
            // optional ^2 or ^{2}
            if j >= 2 && chars[j - 1].isNumber && chars[j - 2] == "^" { j -= 2 }
            else if j >= 4 && chars[j - 1] == "}" && chars[j - 2].isNumber && chars[j - 3] == "{" && chars[j - 4] == "^" {
                j -= 4
            }
            var k = j
            while k > 0 && chars[k - 1].isASCII && chars[k - 1].isLetter { k -= 1 }
            let word = String(chars[k..<j]).lowercased()
            guard j - k >= 2, k > 0, chars[k - 1] == " ", !keptWords.contains(word) else { break }
            let rest = Array(chars[0..<k])
            guard rest.contains(where: { $0.isNumber }) else { break }
            chars = rest
        }
        return String(chars).trimmingSpaces()
    }
}

extension String {
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty, contains(target) else { return self }
        return components(separatedBy: target).joined(separator: replacement)
    }

    func trimmingSpaces() -> String {
        var sub = Substring(self)
        while let f = sub.first, f.isWhitespace { sub.removeFirst() }
        while let l = sub.last, l.isWhitespace { sub.removeLast() }
        return String(sub)
    }
}
