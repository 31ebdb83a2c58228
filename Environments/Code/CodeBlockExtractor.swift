// Finding the candidate program in a completion.
//
// Rules, in order (docs/env-code.md):
//  1. The last complete fenced block (``` or ~~~, at least three, indented at most three spaces, closed by
//     a fence of the same character at least as long) whose info string is empty or a Python name
//     (python, py, python3, py3); when no block has such a tag, the last complete block of any language.
//  2. No complete block: an opening fence that is never closed (the model ran out of tokens inside it);
//     the text after it is the candidate.
//  3. No fence at all: the whole completion, which the harness accepts only if it parses as Python
//     (checked inside the sandbox; otherwise the evaluation is `invalid`).

/// Where the candidate code came from.
public enum CodeOrigin: String, Sendable, Equatable {
    case fencedBlock = "fenced-block"
    case unterminatedFence = "unterminated-fence"
    case wholeText = "whole-text"
}

/// The candidate program taken from a completion.
public struct ExtractedCode: Sendable, Equatable {
    public var code: String
    public var origin: CodeOrigin

    public init(code: String, origin: CodeOrigin) {
        self.code = code
        self.origin = origin
    }
}

public enum CodeBlockExtractor {
    static let pythonTags: Set<String> = ["", "python", "py", "python3", "py3"]

    /// The candidate code of `completion`, or nil when the completion is blank.
    public static func extract(_ completion: String) -> ExtractedCode? {
        var blocks: [(tag: String, body: String)] = []
        var open: (fence: Character, length: Int, tag: String, lines: [Substring])?
        // "\r\n" is one Character in Swift, so split on both forms of line break.
        for line in completion.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            if var current = open {
                if isClosingFence(line, fence: current.fence, length: current.length) {
                    blocks.append((current.tag, current.lines.joined(separator: "\n")))
                    open = nil
                } else {
                    current.lines.append(line)
                    open = current
                }
            } else if let fence = openingFence(line) {
                open = (fence.fence, fence.length, fence.tag, [])
            }
        }
        if let block = blocks.last(where: { pythonTags.contains($0.tag) }) ?? blocks.last {
            return ExtractedCode(code: block.body, origin: .fencedBlock)
        }
        if let current = open {
            let body = current.lines.joined(separator: "\n")
            if !isBlank(body) { return ExtractedCode(code: body, origin: .unterminatedFence) }
        }
        if isBlank(completion) { return nil }
        return ExtractedCode(code: completion, origin: .wholeText)
    }

    /// `(fence character, fence length, lowercased first word of the info string)` for an opening fence.
    static func openingFence(_ line: Substring) -> (fence: Character, length: Int, tag: String)? {
        let indent = line.prefix(while: { $0 == " " }).count
        guard indent <= 3 else { return nil }
        let rest = line.dropFirst(indent)
        guard let fence = rest.first, fence == "`" || fence == "~" else { return nil }
        let length = rest.prefix(while: { $0 == fence }).count
        guard length >= 3 else { return nil }
        let info = rest.dropFirst(length)
        if fence == "`" && info.contains("`") { return nil }  // inline code such as ```x```
        let word = info.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "{" }).first ?? ""
        return (fence, length, word.lowercased())
    }

    static func isClosingFence(_ line: Substring, fence: Character, length: Int) -> Bool {
        let indent = line.prefix(while: { $0 == " " }).count
        guard indent <= 3 else { return false }
        let rest = line.dropFirst(indent)
        let run = rest.prefix(while: { $0 == fence }).count
        return run >= length && rest.dropFirst(run).allSatisfy({ $0 == " " || $0 == "\t" })
    }

    static func isBlank(_ text: some StringProtocol) -> Bool {
        text.allSatisfy { $0.isWhitespace }
    }
}
