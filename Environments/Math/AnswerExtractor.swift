/// Finds the final answer in a completion.
///
/// In order:
/// 1. the content of the last non-empty `\boxed{…}` or `\fbox{…}` whose braces balance (`\boxed 5` with a space and
///    a single token also counts);
/// 2. the text after the last "answer is" / "answer:" (case-insensitive), up to the end of the line or a
///    sentence-ending full stop, with `$`, markdown `**`, a leading colon and trailing full stops removed;
/// 3. the last number in the text (`-1,234.5`, `3/4`, `2.5e3`).
/// Only the last `maxScan` characters are searched, so a huge completion costs O(maxScan).
public enum AnswerExtractor {
    public enum Method: String, Sendable { case boxed, answerIs = "answer-is", lastNumber = "last-number" }

    public static let maxScan = 100_000

    public static func extract(from completion: String) -> (answer: String, method: Method)? {
        let text = Array(completion.suffix(maxScan))
        if let b = lastBoxed(text) { return (b, .boxed) }
        if let a = answerIs(text) { return (a, .answerIs) }
        if let n = lastNumber(text) { return (n, .lastNumber) }
        return nil
    }

    /// One forward pass pairs every brace (escaped `\{` `\}` ignored); then the last `\boxed`/`\fbox`
    /// followed by a balanced group wins. Linear in the text length.
    static func lastBoxed(_ c: [Character]) -> String? {
        var match = [Int](repeating: -1, count: c.count)
        var stack: [Int] = []
        var i = 0
        while i < c.count {
            if c[i] == "\\" { i += 2; continue }
            if c[i] == "{" { stack.append(i) }
            else if c[i] == "}", let o = stack.popLast() { match[o] = i }
            i += 1
        }
        let names: [[Character]] = [Array("\\boxed"), Array("\\fbox")]
        var k = c.count - 1
        while k >= 0 {
            if c[k] == "\\" {
                for name in names where k + name.count <= c.count && Array(c[k..<(k + name.count)]) == name {
                    var j = k + name.count
                    if j < c.count && c[j] == "{" {
                        if match[j] > j {
                            let content = String(c[(j + 1)..<match[j]]).trimmingSpaces()
                            if !content.isEmpty { return content }      // an empty box is no answer
                        }
                    } else if j < c.count && c[j] == " " {
                        while j < c.count && c[j] == " " { j += 1 }
                        var e = j
                        while e < c.count && !c[e].isWhitespace && c[e] != "$" { e += 1 }
                        if e > j { return String(c[j..<e]) }
                    }
                }
            }
            k -= 1
        }
        return nil
    }

    static func answerIs(_ c: [Character]) -> String? {
        let lower = String(c).lowercased()
        var best: String.Index?
        var bestEnd: String.Index?
        for key in ["answer is", "answer:"] {
            if let r = lower.range(of: key, options: .backwards), best == nil || r.lowerBound > best! {
                best = r.lowerBound
                bestEnd = r.upperBound
            }
        }
        guard let start = bestEnd else { return nil }
        let original = String(c)
        let offset = lower.distance(from: lower.startIndex, to: start)
        var rest = Array(original.dropFirst(offset))
        // Up to the end of the line, or a full stop followed by a space / the end.
        var end = rest.count
        for (i, ch) in rest.enumerated() {
            if ch == "\n" { end = i; break }
            let endsSentence = i + 1 == rest.count || rest[i + 1] == " "
            if ch == "." && endsSentence {
                end = i
                break
            }
        }
        rest = Array(rest[0..<end])
        // `$`, markdown emphasis (`**42**`), a leading colon and trailing full stops are not part of the answer.
        var s = Substring(String(rest).replacingAll("$", with: ""))
        while let f = s.first, f.isWhitespace || f == "*" || f == ":" { s.removeFirst() }
        while let l = s.last, l.isWhitespace || l == "*" || l == "." { s.removeLast() }
        return s.isEmpty ? nil : String(s)
    }

    static func lastNumber(_ c: [Character]) -> String? {
        var k = c.count - 1
        func isDigit(_ i: Int) -> Bool { i >= 0 && i < c.count && c[i].isASCII && c[i].isNumber }
        while k >= 0 && !isDigit(k) { k -= 1 }
        guard k >= 0 else { return nil }
        var end = k + 1
        var start = k
        // Walk left over digits, '.', thousands commas (",ddd"), '/', and 'e' exponents.
        while start > 0 {
            let p = c[start - 1]
            if isDigit(start - 1) || (p == "." && isDigit(start - 2)) || (p == "/" && isDigit(start - 2)) {
                start -= 1
            } else if p == "," && isDigit(start - 2) && isDigit(start) && isDigit(start + 1) && isDigit(start + 2)
                        && !isDigit(start + 3) {
                start -= 1
            } else if (p == "e" || p == "E") && isDigit(start - 2) {
                start -= 1
            } else if (p == "-" || p == "+") && start >= 2 && (c[start - 2] == "e" || c[start - 2] == "E")
                        && isDigit(start - 3) {
                start -= 1
            } else { break }
        }
        let afterOperand = start > 1 && (isDigit(start - 2) || c[start - 2].isLetter)     // "3-5" is not -5
        if start > 0 && (c[start - 1] == "-" || c[start - 1] == "−") && !afterOperand {
            start -= 1
        }
        while end < c.count && c[end] == "%" { end += 1 }
        return String(c[start..<end])
    }
}
