import EnvironmentKit
import JSONLines

/// One task picked from a task file (JSONL, or a single JSON object when the name ends in `.json`), with
/// `--env-arg` values layered on top.
///
/// Selection: `task_id=ID` picks the record whose `"id"` field equals ID; otherwise `index=N` picks the
/// N-th record (0-based, counting non-blank lines); the default is index 0. Any other `--env-arg key=value`
/// replaces the record's field `key` (as a string), so a task can also be given entirely by arguments.
struct MathTask {
    /// Field values: the record's, overridden by arguments.
    private let record: JSONRecord?
    private let args: [String: String]
    /// Where the task came from, for error messages: `FILE:LINE` or `--env-arg`.
    let origin: String
    /// The environment id, for error messages.
    let environment: String

    static let selectionKeys: Set<String> = ["index", "task_id"]

    init(options: EnvironmentOptions, environment: String) throws {
        args = options.args
        self.environment = environment
        guard let path = options.taskPath else {
            record = nil
            origin = "--env-arg"
            return
        }
        // `.json`: one task as a JSON document; anything else: JSONL, one task per non-blank line.
        let records = path.hasSuffix(".json") ? [try JSONL.readDocument(path: path)] : try JSONL.readLines(path: path)
        if let bad = records.first(where: { if case .object = $0.value { return false }; return true }) {
            throw bad.error("a task must be a JSON object, found \(bad.value.typeName)")
        }
        if let id = options.args["task_id"] {
            guard let r = records.first(where: { $0.field("id")?.stringValue == id || $0.field("id")?.intValue.map(String.init) == id }) else {
                throw MathEnvironmentError("\(path): no task with id '\(id)' (ids: \(records.compactMap { $0.field("id")?.stringValue }.prefix(20).joined(separator: ", ")))")
            }
            record = r
        } else {
            let raw = options.args["index"] ?? "0"
            guard let i = Int(raw), i >= 0 else {
                throw MathEnvironmentError("--env-arg index=\(raw): expected a non-negative integer")
            }
            guard i < records.count else {
                throw MathEnvironmentError("--env-arg index=\(i): \(path) holds only \(records.count) tasks for \(environment)")
            }
            record = records[i]
        }
        origin = "\(record!.file):\(record!.line)"
    }

    /// A field as text: an argument, else a string or number in the record; nil when absent.
    func text(_ field: String) throws -> String? {
        if let a = args[field] { return a }
        guard let r = record, let v = r.field(field) else { return nil }
        switch v {
        case .string(let s): return s
        case .int(let i): return String(i)
        case .double(let d): return String(d)
        case .null: return nil
        default: throw r.error("expected a string or a number, found \(v.typeName)", field: field)
        }
    }

    func requiredText(_ field: String) throws -> String {
        guard let t = try text(field) else { throw missing(field) }
        return t
    }

    /// A required field is absent: name the file and line, or say how to give a task at all.
    func missing(_ field: String) -> MathEnvironmentError {
        if record == nil {
            return MathEnvironmentError("\(environment) needs a task: --task FILE (JSONL, one task per line) "
                                        + "or --env-arg \(field)=… (missing '\(field)')")
        }
        return MathEnvironmentError("\(origin): missing field '\(field)' (give it in the task file or as --env-arg \(field)=…)")
    }

    func double(_ field: String) throws -> Double? {
        if let a = args[field] {
            guard let d = Double(a), d.isFinite else { throw MathEnvironmentError("--env-arg \(field)=\(a): expected a number") }
            return d
        }
        return try record?.optionalDouble(field)
    }

    func int(_ field: String) throws -> Int? {
        if let a = args[field] {
            guard let d = Int(a) else { throw MathEnvironmentError("--env-arg \(field)=\(a): expected an integer") }
            return d
        }
        return try record?.optionalInt(field)
    }

    /// An integer list: `--env-arg field=3,7,25` or a JSON array of integers.
    func intList(_ field: String) throws -> [Int]? {
        if let a = args[field] {
            let parts = a.split(separator: ",").map { String($0).trimmingSpaces() }
            let xs = parts.compactMap { Int($0) }
            guard xs.count == parts.count, !xs.isEmpty else {
                throw MathEnvironmentError("--env-arg \(field)=\(a): expected comma-separated integers")
            }
            return xs
        }
        guard let r = record, r.field(field) != nil else { return nil }
        return try r.array(field).map { v in
            guard let i = v.intValue else { throw r.error("expected integers, found \(v.typeName)", field: field) }
            return i
        }
    }
}
