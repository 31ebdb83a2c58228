// Gymnasium-style environment ids: `[namespace/]name[-vN]`, e.g. `toy/target-string-v0`.

/// A parsed environment id.
public struct EnvironmentID: Sendable, Hashable, CustomStringConvertible {
    public var namespace: String?
    public var name: String
    /// nil when the id is unversioned (resolves to the latest registered version).
    public var version: Int?

    public init(namespace: String?, name: String, version: Int?) {
        self.namespace = namespace
        self.name = name
        self.version = version
    }

    /// Parses `[namespace/]name[-vN]`. Namespace and name use letters, digits, `_`, `-`, `.`; the version
    /// suffix is `-v` followed by digits.
    public init(parsing text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2 else {
            throw EnvironmentRegistryError.malformed(id: text, reason: "more than one '/'")
        }
        let ns = parts.count == 2 ? String(parts[0]) : nil
        var rest = String(parts[parts.count - 1])
        var version: Int? = nil
        if let range = rest.range(of: "-v", options: .backwards) {
            let digits = rest[range.upperBound...]
            if !digits.isEmpty, digits.allSatisfy(\.isASCIIDigit), let v = Int(digits) {
                version = v
                rest = String(rest[..<range.lowerBound])
            }
        }
        func valid(_ s: String) -> Bool {
            !s.isEmpty && s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "_-.".contains($0)) }
        }
        if let ns, !valid(ns) {
            throw EnvironmentRegistryError.malformed(id: text, reason: "namespace '\(ns)' must be letters, digits, '_', '-', '.'")
        }
        guard valid(rest) else {
            throw EnvironmentRegistryError.malformed(id: text, reason: "name '\(rest)' must be letters, digits, '_', '-', '.'")
        }
        self.init(namespace: ns, name: rest, version: version)
    }

    /// `namespace/name` without the version.
    public var unversioned: String { namespace.map { "\($0)/\(name)" } ?? name }

    public var description: String { version.map { "\(unversioned)-v\($0)" } ?? unversioned }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
