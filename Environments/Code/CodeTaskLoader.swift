// Reading code/python-v0 task files. A `.jsonl` file holds HumanEval-format records (one function task per
// line); any other file is one JSON document with "kind": "optimize". Errors name the file, line and field.
import Foundation
import JSONLines

public enum CodeTaskLoader {
    public static func load(path: String) throws -> CodeTaskSet {
        if path.hasSuffix(".jsonl") {
            return .functions(try JSONL.readLines(path: path).map(functionTask))
        }
        let record = try JSONL.readDocument(path: path)
        let kind = try record.string("kind")
        guard kind == "optimize" else {
            throw record.error("unknown kind '\(kind)'; expected 'optimize' (function tasks are .jsonl files)",
                               field: "kind")
        }
        return .optimize(try optimizeTask(record, directory: (path as NSString).deletingLastPathComponent))
    }

    static func functionTask(_ record: JSONRecord) throws -> FunctionTask {
        let entry = try record.string("entry_point")
        guard isIdentifier(entry) else { throw record.error("'\(entry)' is not a Python identifier", field: "entry_point") }
        var broken: [TaskReference] = []
        for (i, value) in (try record.optionalArray("broken_solutions") ?? []).enumerated() {
            let item = JSONRecord(value: value, file: record.file, line: record.line)
            let field = "broken_solutions[\(i)]"
            guard let completion = value["completion"]?.stringValue, let reward = value["reward"]?.doubleValue else {
                throw item.error("needs \"completion\" (string) and \"reward\" (number)", field: field)
            }
            broken.append(TaskReference(name: "broken-\(i + 1)", completion: completion, reward: exact(reward)))
        }
        return FunctionTask(taskID: try record.string("task_id"), prompt: try record.string("prompt"),
                            canonicalSolution: try record.string("canonical_solution"), test: try record.string("test"),
                            entryPoint: entry, brokenSolutions: broken)
    }

    static func optimizeTask(_ record: JSONRecord, directory: String) throws -> OptimizeTask {
        func module(_ field: String, _ name: String) throws -> TaskModule {
            guard !name.contains("/"), name.hasSuffix(".py"), name != "harness.py", !HarnessFiles.names.contains(name) else {
                throw record.error("'\(name)' must be a .py file name next to the task file, not a path or a harness file",
                                   field: field)
            }
            let path = (directory as NSString).appendingPathComponent(name)
            guard let data = FileManager.default.contents(atPath: path) else {
                throw record.error("cannot read \(path)", field: field)
            }
            return TaskModule(name: name, bytes: Array(data))
        }
        let params = record.field("params") ?? .object([:])
        guard case .object = params else { throw record.error("must be an object", field: "params") }
        var limits = CodeLimits()
        limits.wallSeconds = 20
        limits.cpuSeconds = 20
        limits.callTimeoutSeconds = 15
        if let value = record.field("limits") { limits = try parseLimits(value, base: limits, record: record, field: "limits") }
        var scoreLimits = CodeLimits()
        scoreLimits.wallSeconds = 30
        scoreLimits.cpuSeconds = 30
        if let value = record.field("score_limits") {
            scoreLimits = try parseLimits(value, base: scoreLimits, record: record, field: "score_limits")
        }

        var initial: [InitialCodeState] = []
        for (i, value) in (try record.optionalArray("initial_states") ?? []).enumerated() {
            guard case .object(let fields) = value else { throw record.error("must be an object", field: "initial_states[\(i)]") }
            let code = fields["code"]?.stringValue ?? ""
            initial.append(InitialCodeState(code: code, construction: fields["construction"] ?? .null))
        }
        if initial.isEmpty { initial = [InitialCodeState(code: "")] }

        var references: [TaskReference] = []
        for (i, value) in (try record.optionalArray("references") ?? []).enumerated() {
            let field = "references[\(i)]"
            guard let name = value["name"]?.stringValue, let completion = value["completion"]?.stringValue,
                  case .array(let bounds)? = value["reward"], bounds.count == 2,
                  let low = bounds[0].doubleValue, let high = bounds[1].doubleValue, low <= high else {
                throw record.error("needs \"name\", \"completion\" and \"reward\": [low, high]", field: field)
            }
            var state: String?
            if case .object(let fields)? = value["state"] {
                state = CodeState(taskID: nil, code: fields["code"]?.stringValue ?? "",
                                  construction: fields["construction"] ?? .null).encoded()
            }
            references.append(TaskReference(name: name, completion: completion, reward: low...high, state: state))
        }

        let maxBytes = try record.optionalInt("max_construction_bytes") ?? (1 << 20)
        guard maxBytes > 0 else { throw record.error("must be positive", field: "max_construction_bytes") }
        let entry = try record.optionalString("entry_point") ?? "run"
        guard isIdentifier(entry) else { throw record.error("'\(entry)' is not a Python identifier", field: "entry_point") }
        return OptimizeTask(
            taskID: try record.string("task_id"), problem: try record.string("problem"), entryPoint: entry,
            scorer: try module("scorer", try record.string("scorer")),
            driver: try record.optionalString("driver").map { try module("driver", $0) },
            support: try (try record.optionalArray("support") ?? []).enumerated().map { i, value in
                guard let name = value.stringValue else { throw record.error("must be a file name", field: "support[\(i)]") }
                return try module("support[\(i)]", name)
            },
            params: params, target: try record.optionalDouble("target"),
            showConstruction: try record.optionalBool("show_construction") ?? true,
            maxConstructionBytes: maxBytes, limits: limits, scoreLimits: scoreLimits,
            initialStates: initial, references: references)
    }

    /// Reads {"wall_seconds", "cpu_seconds", "memory_mb", "call_timeout_seconds"} over `base`.
    static func parseLimits(_ value: JSONValue, base: CodeLimits, record: JSONRecord, field: String) throws -> CodeLimits {
        guard case .object(let fields) = value else { throw record.error("must be an object", field: field) }
        var limits = base
        for (key, value) in fields {
            guard let number = value.doubleValue, number > 0, number.isFinite else {
                throw record.error("must be a positive number", field: "\(field).\(key)")
            }
            switch key {
            case "wall_seconds": limits.wallSeconds = number
            case "cpu_seconds": limits.cpuSeconds = Int(number.rounded(.up))
            case "memory_mb": limits.memoryBytes = Int(number * 1_048_576)
            case "call_timeout_seconds": limits.callTimeoutSeconds = number
            default:
                throw record.error("unknown limit; known: wall_seconds, cpu_seconds, memory_mb, call_timeout_seconds",
                                   field: "\(field).\(key)")
            }
        }
        return limits
    }

    static func isIdentifier(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || CharacterSet.letters.contains(first) else { return false }
        return name.unicodeScalars.allSatisfy { $0 == "_" || CharacterSet.alphanumerics.contains($0) }
    }

    static func exact(_ x: Double) -> ClosedRange<Double> {
        // Rewards are ratios passed/total computed the same way on both sides; 1e-9 absorbs the
        // last-digit rounding of the decimal text in the task file.
        (x - 1e-9)...(x + 1e-9)
    }
}

extension JSONRecord {
    /// An optional array field (missing or null -> nil).
    func optionalArray(_ field: String) throws -> [JSONValue]? {
        switch self.field(field) {
        case nil, .null?: return nil
        case .array(let items)?: return items
        case let other?: throw error("must be an array, not \(other.typeName)", field: field)
        }
    }
}
