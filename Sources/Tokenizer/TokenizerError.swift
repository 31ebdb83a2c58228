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
