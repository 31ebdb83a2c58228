import Foundation

/// A tokenizer failure naming the file (model or training input) it concerns.
public struct TokenizerError: Error, CustomStringConvertible, Sendable {
    public let file: String
    public let message: String

    public init(file: String, message: String) {
        self.file = file
        self.message = message
    }

    /// "FILE: MESSAGE"
    public var description: String { "\(file): \(message)" }
}

/// SentencePiece statuses read "Internal: ./src/file.cc(123) [condition] Message"; keep only the message.
enum SentencePieceMessage {
    static func clean(_ status: String, fallback: String) -> String {
        var text = status
        if let close = text.range(of: "] ", options: .backwards), text.contains("("), text[..<close.lowerBound].contains("[") {
            text = String(text[close.upperBound...])
        } else if text.hasSuffix("] ") || text.hasSuffix("]") {
            text = ""
        }
        text = text.trimmingCharacters(in: .whitespaces)
        return text.isEmpty ? fallback : text
    }
}
