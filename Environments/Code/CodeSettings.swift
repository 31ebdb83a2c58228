// `--env-arg key=value` options of code/python-v0 (docs/env-code.md lists them).
import JSONLines

struct CodeSettings: Sendable, Hashable {
    static let known = ["task_id", "index", "all_or_nothing", "python", "wall_seconds", "cpu_seconds", "memory_mb",
                        "call_timeout_seconds", "param.NAME"]

    /// Restrict a function-task file to this one task.
    var taskID: String?
    /// Restrict a function-task file to the record at this 0-based position.
    var index: Int?
    /// `param.NAME=VALUE`: replaces `params.NAME` of an optimisation task (VALUE read as JSON when it
    /// parses, else as a string), e.g. `param.seed=7` for other bin-packing instances.
    var params: [String: JSONValue] = [:]
    /// Function tasks: reward 1 only when every check passes, else 0.
    var allOrNothing = false
    /// Interpreter path or name; default `python3` from PATH.
    var python: String?
    var wallSeconds: Double?
    var cpuSeconds: Int?
    var memoryMB: Double?
    var callTimeoutSeconds: Double?

    init(_ args: [String: String]) throws {
        for (key, value) in args {
            func number() throws -> Double {
                guard let x = Double(value), x.isFinite, x > 0 else {
                    throw CodeEnvironmentError("--env-arg \(key)=\(value): expected a positive number")
                }
                return x
            }
            if key.hasPrefix("param."), key.count > 6 {
                params[String(key.dropFirst(6))] = (try? JSONL.parse(value).value) ?? .string(value)
                continue
            }
            switch key {
            case "task_id": taskID = value
            case "index":
                guard let i = Int(value), i >= 0 else {
                    throw CodeEnvironmentError("--env-arg index=\(value): expected a non-negative integer")
                }
                index = i
            case "all_or_nothing":
                guard let flag = ["true": true, "1": true, "yes": true, "false": false, "0": false, "no": false][value.lowercased()] else {
                    throw CodeEnvironmentError("--env-arg all_or_nothing=\(value): expected true or false")
                }
                allOrNothing = flag
            case "python": python = value
            case "wall_seconds": wallSeconds = try number()
            case "cpu_seconds": cpuSeconds = Int(try number().rounded(.up))
            case "memory_mb": memoryMB = try number()
            case "call_timeout_seconds": callTimeoutSeconds = try number()
            default:
                throw CodeEnvironmentError("unknown --env-arg '\(key)'; known: \(Self.known.joined(separator: ", "))")
            }
        }
    }

    /// `base` with the overrides given on the command line.
    func apply(to base: CodeLimits) -> CodeLimits {
        var limits = base
        if let wallSeconds { limits.wallSeconds = wallSeconds }
        if let cpuSeconds { limits.cpuSeconds = cpuSeconds }
        if let memoryMB { limits.memoryBytes = Int(memoryMB * 1_048_576) }
        if let callTimeoutSeconds { limits.callTimeoutSeconds = callTimeoutSeconds }
        return limits
    }
}
