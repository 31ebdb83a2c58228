// Per-environment options: the task file's top-level fields, overridden by `--env-arg key=value`.
// Typed getters name where a bad value came from (the task file and field, or the --env-arg).
import Foundation
import JSONLines

/// A bad option value, naming its source.
public struct EnvironmentOptionError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension EnvironmentOptions {
    /// Parses `key=value` strings (from repeated `--env-arg`); a later key overrides an earlier one.
    public static func parseArgs(_ pairs: [String]) throws -> [String: String] {
        var args: [String: String] = [:]
        for pair in pairs {
            guard let eq = pair.firstIndex(of: "="), eq != pair.startIndex else {
                throw EnvironmentOptionError("--env-arg '\(pair)': expected key=value")
            }
            args[String(pair[..<eq])] = String(pair[pair.index(after: eq)...])
        }
        return args
    }
}

/// The merged options of one environment instance.
public struct EnvironmentConfig: Sendable {
    /// Task-file fields (JSON values).
    public let taskFields: [String: JSONValue]
    /// `--env-arg` values (strings, interpreted by the typed getters).
    public let args: [String: String]
    public let taskPath: String?

    /// Reads the task file (a JSON object document) when `options.taskPath` is set.
    public init(options: EnvironmentOptions) throws {
        taskPath = options.taskPath
        args = options.args
        if let path = options.taskPath {
            let record = try JSONL.readDocument(path: path)
            guard case .object(let fields) = record.value else {
                throw EnvironmentOptionError("\(path): a task file must be a JSON object, found \(record.value.typeName)")
            }
            taskFields = fields
        } else {
            taskFields = [:]
        }
    }

    /// All keys given (task file and args).
    public var keys: Set<String> { Set(taskFields.keys).union(args.keys) }

    /// Throws when a key is not in `allowed`, listing the allowed keys (catches typos in task files and flags).
    public func rejectUnknown(allowed: Set<String>, environment: String) throws {
        let unknown = keys.subtracting(allowed).sorted()
        guard unknown.isEmpty else {
            let sources = unknown.map { args[$0] != nil ? "--env-arg \($0)" : "\(taskPath ?? "task"): field '\($0)'" }
            throw EnvironmentOptionError("\(environment): unknown option(s) \(sources.joined(separator: ", ")); "
                                         + "known: \(allowed.sorted().joined(separator: ", "))")
        }
    }

    private func taskError(_ key: String, _ expected: String, _ found: JSONValue) -> EnvironmentOptionError {
        EnvironmentOptionError("\(taskPath ?? "task"): field '\(key)': expected \(expected), found \(found.typeName)")
    }

    private func argError(_ key: String, _ expected: String) -> EnvironmentOptionError {
        EnvironmentOptionError("--env-arg \(key)=\(args[key] ?? ""): expected \(expected)")
    }

    public func optionalString(_ key: String) throws -> String? {
        if let arg = args[key] { return arg }
        guard let value = taskFields[key], value != .null else { return nil }
        guard let s = value.stringValue else { throw taskError(key, "a string", value) }
        return s
    }

    public func string(_ key: String, default fallback: String) throws -> String { try optionalString(key) ?? fallback }

    public func optionalInt(_ key: String) throws -> Int? {
        if let arg = args[key] {
            guard let v = Int(arg.trimmingCharacters(in: .whitespaces)) else { throw argError(key, "an integer") }
            return v
        }
        guard let value = taskFields[key], value != .null else { return nil }
        guard let v = value.intValue else { throw taskError(key, "an integer", value) }
        return v
    }

    public func int(_ key: String, default fallback: Int) throws -> Int { try optionalInt(key) ?? fallback }

    public func optionalDouble(_ key: String) throws -> Double? {
        if let arg = args[key] {
            guard let v = Double(arg.trimmingCharacters(in: .whitespaces)), v.isFinite else {
                throw argError(key, "a finite number")
            }
            return v
        }
        guard let value = taskFields[key], value != .null else { return nil }
        guard let v = value.doubleValue, v.isFinite else { throw taskError(key, "a finite number", value) }
        return v
    }

    public func double(_ key: String, default fallback: Double) throws -> Double { try optionalDouble(key) ?? fallback }

    public func optionalBool(_ key: String) throws -> Bool? {
        if let arg = args[key] {
            switch arg.lowercased() {
            case "true", "1", "yes": return true
            case "false", "0", "no": return false
            default: throw argError(key, "true or false")
            }
        }
        guard let value = taskFields[key], value != .null else { return nil }
        guard let v = value.boolValue else { throw taskError(key, "a boolean", value) }
        return v
    }

    public func bool(_ key: String, default fallback: Bool) throws -> Bool { try optionalBool(key) ?? fallback }

    /// A list of strings: a JSON array in the task file; in an --env-arg either a JSON array
    /// (`["python3","env.py"]`) or whitespace-separated words.
    public func optionalStringArray(_ key: String) throws -> [String]? {
        if let arg = args[key] {
            let trimmed = arg.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("[") {
                let record = try JSONL.parse(trimmed, file: "--env-arg \(key)")
                guard case .array(let items) = record.value else { throw argError(key, "a JSON array of strings") }
                let strings = items.compactMap(\.stringValue)
                guard strings.count == items.count else { throw argError(key, "a JSON array of strings") }
                return strings
            }
            return trimmed.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        }
        guard let value = taskFields[key], value != .null else { return nil }
        if let s = value.stringValue { return s.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init) }
        guard case .array(let items) = value else { throw taskError(key, "an array of strings", value) }
        let strings = items.compactMap(\.stringValue)
        guard strings.count == items.count else { throw taskError(key, "an array of strings", value) }
        return strings
    }

    /// The merged options as one JSON object (args as strings), e.g. to forward to an external environment.
    public var mergedJSON: JSONValue {
        var merged = taskFields
        for (k, v) in args { merged[k] = .string(v) }
        return .object(merged)
    }

    /// A canonical text identifying the task (sorted keys), for cache keys.
    public var taskKey: String { JSONL.serialize(mergedJSON) }
}
