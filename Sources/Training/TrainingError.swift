/// A training-stage failure with a message meant for the user (it names the file, flag or step at fault).
public struct TrainingError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
