/// One parsed JSON document (a JSONL line or a whole file) with where it came from, so that typed field
/// access can report the file, line and field of anything missing or of the wrong type.
public struct JSONRecord: Sendable {
    public let value: JSONValue
    public let file: String
    public let line: Int

    public init(value: JSONValue, file: String, line: Int) {
        self.value = value
        self.file = file
        self.line = line
    }

    /// The member `name` of the top-level object; nil when absent or when the record is not an object.
    public func field(_ name: String) -> JSONValue? { value[name] }

    /// An error located at this record (and `field`, when given).
    public func error(_ message: String, field: String? = nil) -> JSONLError {
        JSONLError(file: file, line: line, field: field, message: message)
    }

    public func string(_ field: String) throws -> String { try required(field, "a string") { $0.stringValue } }
    public func int(_ field: String) throws -> Int { try required(field, "an integer") { $0.intValue } }
    public func double(_ field: String) throws -> Double { try required(field, "a number") { $0.doubleValue } }
    public func bool(_ field: String) throws -> Bool { try required(field, "a boolean") { $0.boolValue } }

    public func array(_ field: String) throws -> [JSONValue] {
        try required(field, "an array") { if case .array(let a) = $0 { return a }; return nil }
    }

    public func object(_ field: String) throws -> [String: JSONValue] {
        try required(field, "an object") { if case .object(let o) = $0 { return o }; return nil }
    }

    /// Missing or `null` gives nil; any other non-string value is an error.
    public func optionalString(_ field: String) throws -> String? { try optional(field, "a string") { $0.stringValue } }
    public func optionalInt(_ field: String) throws -> Int? { try optional(field, "an integer") { $0.intValue } }
    public func optionalDouble(_ field: String) throws -> Double? { try optional(field, "a number") { $0.doubleValue } }
    public func optionalBool(_ field: String) throws -> Bool? { try optional(field, "a boolean") { $0.boolValue } }

    private func required<T>(_ name: String, _ expected: String, _ convert: (JSONValue) -> T?) throws -> T {
        guard case .object(let members) = value else {
            throw error("expected a JSON object with field '\(name)', found \(value.typeName)")
        }
        guard let member = members[name] else { throw error("missing required field", field: name) }
        guard let result = convert(member) else { throw mismatch(name, expected, member) }
        return result
    }

    private func optional<T>(_ name: String, _ expected: String, _ convert: (JSONValue) -> T?) throws -> T? {
        guard let member = field(name), member != .null else { return nil }
        guard let result = convert(member) else { throw mismatch(name, expected, member) }
        return result
    }

    private func mismatch(_ name: String, _ expected: String, _ found: JSONValue) -> JSONLError {
        var shown = JSONL.serialize(found)
        if shown.count > 40 { shown = String(shown.prefix(40)) + "..." }
        return error("expected \(expected), found \(found.typeName) \(shown)", field: name)
    }
}
