/// An error reading JSON or JSONL, naming where it happened: file, line (1-based) and field when known.
public struct JSONLError: Error, CustomStringConvertible, Sendable {
    public let file: String
    public let line: Int?
    public let field: String?
    public let message: String

    public init(file: String, line: Int? = nil, field: String? = nil, message: String) {
        self.file = file
        self.line = line
        self.field = field
        self.message = message
    }

    /// "FILE:LINE: field 'F': MESSAGE", omitting the parts that are nil.
    public var description: String {
        var text = file
        if let line { text += ":\(line)" }
        text += ": "
        if let field { text += "field '\(field)': " }
        return text + message
    }
}
