import Foundation

/// The final answer of a completion, for exact-match scoring of held-out prompts.
///
/// Rule: the content of the last `\boxed{…}` (braces matched, so `\boxed{\frac{1}{2}}` gives `\frac{1}{2}`);
/// when there is none, the first line of the text with surrounding whitespace trimmed. An unclosed last
/// `\boxed{` counts as no box. The gold answer is compared after trimming whitespace, character for character.
public enum AnswerExtraction {
    public static func finalAnswer(_ text: String) -> String {
        if let boxed = lastBoxed(text) { return boxed.trimmingWhitespace() }
        let firstLine = text.trimmingWhitespace().split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first
        return String(firstLine ?? "").trimmingWhitespace()
    }

    /// Exact match of the extracted answer against the gold answer (both trimmed).
    public static func matches(completion: String, answer: String) -> Bool {
        finalAnswer(completion) == answer.trimmingWhitespace()
    }

    /// Content of the last complete `\boxed{…}`, or nil.
    static func lastBoxed(_ text: String) -> String? {
        let chars = Array(text)
        let marker = Array("\\boxed{")
        var found: String?
        var i = 0
        while i + marker.count <= chars.count {
            if Array(chars[i..<(i + marker.count)]) == marker {
                var depth = 1, j = i + marker.count
                while j < chars.count {
                    if chars[j] == "{" { depth += 1 } else if chars[j] == "}" { depth -= 1; if depth == 0 { break } }
                    j += 1
                }
                if j < chars.count { found = String(chars[(i + marker.count)..<j]) }
                i += marker.count
            } else {
                i += 1
            }
        }
        return found
    }
}

extension StringProtocol {
    func trimmingWhitespace() -> String { trimmingCharacters(in: .whitespacesAndNewlines) }
}
