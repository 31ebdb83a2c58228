// An environment implemented by another program speaking JSON lines (docs/environments.md). The harness
// spawns it (own process group), sends `describe` with the options, then one request per call. A call
// that times out or finds the program dead kills it; the next call starts a fresh one (and describes again).
// Calls are serialised on one queue: the program sees one request at a time.
import Foundation
import JSONLines
import Sandbox

/// An external environment misbehaved (infrastructure failure: never trained on).
public struct ExternalEnvironmentError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { "external environment: \(message)" }
}

public final class ExternalEnvironment: Environment {
    public let spec: EnvironmentSpec
    public let problem: String
    public let command: [String]
    private let connection: ExternalConnection
    private let providesPrompt: Bool
    private let referenceCases: [ReferenceCase]

    /// Starts `command` and asks it to describe itself.
    /// - Parameters:
    ///   - options: forwarded as `params.options` of every `describe`.
    ///   - timeout: seconds allowed per call (evaluate included).
    ///   - startupTimeout: seconds allowed for the first answer (`describe`) after each (re)start.
    ///   - directory: the program's working directory (nil: the harness's).
    public init(command: [String], options: JSONValue = .object([:]), timeout: Double = 30,
                startupTimeout: Double = 30, directory: String? = nil) throws {
        guard let executable = command.first else { throw ExternalEnvironmentError("empty command") }
        self.command = command
        connection = ExternalConnection(executable: executable, arguments: Array(command.dropFirst()),
                                        options: options, timeout: timeout, startupTimeout: max(timeout, startupTimeout),
                                        directory: directory)
        let described = try connection.describeNow()
        let where_ = "\(command.joined(separator: " ")) describe"
        let record = JSONRecord(value: described, file: where_, line: 1)
        let id = try record.string("id")
        let parsed = try EnvironmentID(parsing: id)
        guard parsed.version != nil else { throw ExternalEnvironmentError("\(where_): id '\(id)' needs a version (-vN)") }
        spec = EnvironmentSpec(id: id, summary: try record.optionalString("summary") ?? "",
                               higherIsBetter: try record.optionalBool("higher_is_better") ?? true,
                               deterministic: try record.optionalBool("deterministic") ?? true,
                               target: try record.optionalDouble("target"))
        problem = try record.string("problem")
        providesPrompt = try record.optionalBool("prompt") ?? false
        let refs = try connection.callNow("references", params: .object([:]))
        let refsRecord = JSONRecord(value: refs, file: "\(command.joined(separator: " ")) references", line: 1)
        referenceCases = try refsRecord.array("references").enumerated().map {
            try ExternalProtocol.decodeReference($1, at: "\(refsRecord.file)[\($0)]")
        }
    }

    /// How many times the program was restarted after a crash or timeout.
    public var restarts: Int { connection.restartCount }

    public func initialStates() async throws -> [EnvState] {
        let result = try await connection.call("initial_states", params: .object([:]))
        let record = JSONRecord(value: result, file: "initial_states", line: 1)
        return try record.array("states").enumerated().map { try ExternalProtocol.decodeState($1, at: "initial_states[\($0)]") }
    }

    /// The program's prompt when it declared `"prompt": true` (a blocking round trip), else the default
    /// layout; also the default layout if the call fails.
    public func prompt(for state: EnvState) -> String {
        if providesPrompt,
           let result = try? connection.callNow("prompt", params: .object(["state": ExternalProtocol.encode(state)])),
           let text = result["prompt"]?.stringValue {
            return text
        }
        return PromptLayout().render(problem: problem, state: state, spec: spec)
    }

    public func evaluate(completion: String, from state: EnvState) async throws -> Evaluation {
        let result = try await connection.call("evaluate", params: .object([
            "completion": .string(completion), "state": ExternalProtocol.encode(state)]))
        return try ExternalProtocol.decodeEvaluation(result, at: "evaluate")
    }

    public func references() -> [ReferenceCase] { referenceCases }

    public func shutdown() async { await connection.shutdown() }

    deinit { connection.shutdownNow() }
}

extension ExternalEnvironment {
    /// Options: `command` (array of strings, or a string split on spaces), `timeout` (seconds per call,
    /// default 30), `startup_timeout` (seconds for the first answer after a start, default 30), `directory`
    /// (working directory). Every option, these included, is forwarded to `describe`.
    public static let factory: EnvironmentFactory = { options in
        let config = try EnvironmentConfig(options: options)
        guard let command = try config.optionalStringArray("command"), !command.isEmpty else {
            throw EnvironmentOptionError("external/jsonl: option 'command' is required (e.g. --env-arg command='python3 env.py')")
        }
        let timeout = try config.double("timeout", default: 30)
        guard timeout > 0 else { throw EnvironmentOptionError("external/jsonl: option 'timeout' must be positive") }
        let startup = try config.double("startup_timeout", default: 30)
        return try ExternalEnvironment(command: command, options: config.mergedJSON, timeout: timeout,
                                       startupTimeout: startup, directory: try config.optionalString("directory"))
    }
}

/// The environments EnvironmentKit itself provides.
public enum ExternalEnvironments {
    public static let factories: [String: EnvironmentFactory] = ["external/jsonl-v0": ExternalEnvironment.factory]
}

/// One program and the requests in flight to it; all state is confined to `queue`.
final class ExternalConnection: @unchecked Sendable {
    private let queue = DispatchQueue(label: "discover.external-environment")
    private let executable: String
    private let arguments: [String]
    private let options: JSONValue
    private let timeout: Double
    private let startupTimeout: Double
    private let directory: String?
    private var process: InteractiveProcess?
    private var nextID: Int64 = 1
    private var restarts = 0
    private var started = false
    private var closed = false

    init(executable: String, arguments: [String], options: JSONValue, timeout: Double, startupTimeout: Double,
         directory: String?) {
        self.executable = executable
        self.arguments = arguments
        self.options = options
        self.timeout = timeout
        self.startupTimeout = startupTimeout
        self.directory = directory
    }

    var restartCount: Int { queue.sync { restarts } }

    /// Starts the program (if needed) and returns its `describe` result.
    func describeNow() throws -> JSONValue { try queue.sync { try ensureStarted() } }

    /// A blocking call (for synchronous protocol members).
    func callNow(_ method: String, params: JSONValue) throws -> JSONValue {
        try queue.sync { try request(method, params: params) }
    }

    /// A call that waits on the queue without blocking the caller's thread.
    func call(_ method: String, params: JSONValue) async throws -> JSONValue {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try self.request(method, params: params) }) }
        }
    }

    func shutdown() async {
        await withCheckedContinuation { continuation in
            queue.async { self.stopProcess(polite: true); self.closed = true; continuation.resume() }
        }
    }

    func shutdownNow() { queue.sync { stopProcess(polite: true); closed = true } }

    // MARK: on the queue

    @discardableResult
    private func ensureStarted() throws -> JSONValue {
        if process != nil, let p = process, p.isRunning, let d = lastDescribe { return d }
        stopProcess(polite: false)
        if started { restarts += 1 }
        started = true
        do {
            process = try InteractiveProcess(executable: executable, arguments: arguments, directory: directory)
        } catch {
            throw ExternalEnvironmentError("\(([executable] + arguments).joined(separator: " ")): \(error)")
        }
        let described = try exchange("describe", params: .object(["options": options]), timeout: startupTimeout)
        lastDescribe = described
        return described
    }

    private var lastDescribe: JSONValue?

    private func request(_ method: String, params: JSONValue) throws -> JSONValue {
        guard !closed else { throw ExternalEnvironmentError("\(method) after shutdown") }
        try ensureStarted()
        return try exchange(method, params: params)
    }

    /// One request/response; on a dead or silent program, kills it so the next call restarts it.
    private func exchange(_ method: String, params: JSONValue, timeout: Double? = nil) throws -> JSONValue {
        guard let process else { throw ExternalEnvironmentError("not running") }
        let id = nextID
        nextID += 1
        let line = JSONL.serialize(.object(["id": .int(id), "method": .string(method), "params": params]))
        let answer: String
        do {
            try process.send(line: line)
            answer = try process.receiveLine(timeout: timeout ?? self.timeout)
        } catch {
            stopProcess(polite: false)
            throw ExternalEnvironmentError("\(method): \(error)")
        }
        let record: JSONRecord
        do {
            record = try JSONL.parse(answer, file: "response to \(method)")
        } catch {
            stopProcess(polite: false)   // the stream is out of sync; start afresh
            throw ExternalEnvironmentError("\(method): malformed response line: \(error)")
        }
        guard record.field("id")?.intValue == Int(id) else {
            stopProcess(polite: false)
            throw ExternalEnvironmentError("\(method): response id \(record.field("id").map(JSONL.serialize) ?? "missing"), expected \(id)")
        }
        if let error = record.field("error"), error != .null {
            throw ExternalEnvironmentError("\(method): \(error.stringValue ?? JSONL.serialize(error))")
        }
        guard let result = record.field("result") else {
            throw ExternalEnvironmentError("\(method): response has neither 'result' nor 'error'")
        }
        return result
    }

    private func stopProcess(polite: Bool) {
        guard let process else { return }
        if polite {
            let id = nextID
            nextID += 1
            try? process.send(line: JSONL.serialize(.object(["id": .int(id), "method": .string("shutdown"),
                                                             "params": .object([:])])))
            process.terminate(grace: 1)
        } else {
            process.terminate(grace: 0)
        }
        self.process = nil
        lastDescribe = nil
    }
}
