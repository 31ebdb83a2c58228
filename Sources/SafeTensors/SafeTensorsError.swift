/// An error reading or writing a safetensors file. `description` is `FILE: MESSAGE`.
public struct SafeTensorsError: Error, CustomStringConvertible, Sendable, Equatable {
    public let file: String
    public let message: String

    public init(file: String, message: String) {
        self.file = file
        self.message = message
    }

    public var description: String { "\(file): \(message)" }
}
