// The teacher's context: the prompt with the demonstration in context (../shared/spec/training.md).

/// A template with `{prompt}` and `{demonstration}` placeholders.
public struct TeacherTemplate: Sendable, Equatable {
    public static let defaultText = """
    {prompt}

    This is an example for a response to the question:
    {demonstration}

    Now answer with a response of your own, including the thinking process.
    """

    public let text: String

    /// - Throws: `SDFTError.badTemplate` when `{prompt}` or `{demonstration}` is missing.
    public init(_ text: String = TeacherTemplate.defaultText, source: String = "teacher template") throws {
        for placeholder in ["{prompt}", "{demonstration}"] where !text.contains(placeholder) {
            throw SDFTError.badTemplate("\(source): missing placeholder \(placeholder)")
        }
        self.text = text
    }

    /// Fills the template. The demonstration is inserted verbatim; a `{prompt}` inside the prompt's own text is
    /// not expanded again (substitution is single-pass, left to right).
    public func render(prompt: String, demonstration: String) -> String {
        var out = ""
        var rest = Substring(text)
        // Single pass over the template, replacing whichever placeholder comes first.
        while !rest.isEmpty {
            let p = rest.range(of: "{prompt}")
            let d = rest.range(of: "{demonstration}")
            guard let next = [p, d].compactMap({ $0 }).min(by: { $0.lowerBound < $1.lowerBound }) else {
                out += rest
                break
            }
            out += rest[rest.startIndex..<next.lowerBound]
            out += next == p ? prompt : demonstration
            rest = rest[next.upperBound...]
        }
        return out
    }
}

/// Errors of the SDFT stage; each message names the file, line or flag involved.
public enum SDFTError: Error, CustomStringConvertible, Equatable {
    case badTemplate(String)
    case badData(String)
    case badOption(String)

    public var description: String {
        switch self {
        case .badTemplate(let m), .badData(let m), .badOption(let m): return m
        }
    }
}
