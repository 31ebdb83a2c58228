/// Finds the candidate expression in a completion: the last `\boxed{…}`; else the text after the last
/// "answer is"/"answer:"; else the last line holding a digit and nothing but expression characters.
/// A claimed result is dropped: of `a op b = c` only the side holding an operator is kept (never trusted).
enum CountdownExtractor {
    static func extract(from completion: String) -> String? {
        let text = Array(completion.suffix(AnswerExtractor.maxScan))
        var candidate = AnswerExtractor.lastBoxed(text) ?? AnswerExtractor.answerIs(text)
        if candidate == nil {
            let allowed = Set("0123456789+-*/×÷·−()[]{}= x")
            for line in String(text).split(separator: "\n").reversed() {
                let l = String(line).trimmingSpaces()
                if l.contains(where: \.isNumber) && l.allSatisfy({ allowed.contains($0) }) { candidate = l; break }
            }
        }
        guard let c = candidate else { return nil }
        let sides = c.split(separator: "=", omittingEmptySubsequences: true).map { String($0).trimmingSpaces() }
        if sides.count > 1 {
            return sides.first(where: { $0.contains(where: { "+-*/×÷·−".contains($0) }) || $0.contains("\\") }) ?? sides[0]
        }
        return c
    }
}
