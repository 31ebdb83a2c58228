/// A bad task file or `--env-arg`, with the place it came from.
public struct MathEnvironmentError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
