// One sandboxed run of harness.py: the request goes in on stdin with a fresh random sentinel, and the
// only output trusted is the single stdout line that starts with that sentinel. The exit code is never
// read as success.
import EnvironmentKit
import Foundation
import JSONLines
import Sandbox

/// How a sandboxed harness run ended.
enum HarnessOutcome: Sendable {
    /// The harness's report (its "status" field says how the candidate did).
    case report([String: JSONValue])
    /// No trustworthy report: the run timed out, was killed, or could not start.
    case failure(EvaluationStatus, String)
}

struct HarnessRunner: Sendable {
    let runner: SandboxRunner
    /// `--env-arg python`, or nil for the default interpreter (see `PythonInterpreter.usable`).
    let pythonName: String?
    let harness: [String: [UInt8]]

    /// Runs the harness with `request` (mode-specific fields), the task's trusted modules and `limits`.
    func run(_ request: [String: JSONValue], modules: [TaskModule], limits: CodeLimits) async throws -> HarnessOutcome {
        let sentinel = Self.makeSentinel()
        var fields = request
        fields["sentinel"] = .string(sentinel)
        // Leave the harness time to kill the candidate and print its report before the sandbox's wall clock.
        let deadline = max(0.5, limits.wallSeconds - 1.5)
        fields["deadline_s"] = .double(deadline)
        fields["call_timeout_s"] = .double(min(limits.callTimeoutSeconds, deadline))
        var files = harness
        for module in modules { files[module.name] = module.bytes }

        var sandboxLimits = SandboxLimits()
        sandboxLimits.wallSeconds = limits.wallSeconds
        sandboxLimits.cpuSeconds = limits.cpuSeconds
        sandboxLimits.addressSpaceBytes = limits.memoryBytes
        sandboxLimits.maxOutputBytes = 4 << 20
        let environment = [
            "LANG": "C.UTF-8", "HOME": "/tmp", "PYTHONHASHSEED": "0",
            "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
        ]
        let python = try await PythonInterpreter.usable(pythonName, runner: runner)
        // The trusted side needs only the standard library: -S skips site-packages (and their .pth start-up
        // cost); the candidate's worker keeps them so candidates can import numpy and the like.
        let sandboxRequest = SandboxRequest(
            executable: python.executable, arguments: ["-I", "-S", "harness.py"],
            stdin: Array(JSONL.serialize(.object(fields)).utf8), files: files, limits: sandboxLimits,
            environment: environment, readOnlyPaths: python.readOnlyPaths)
        let result = try await runner.run(sandboxRequest)
        return Self.interpret(result, sentinel: sentinel, limits: limits)
    }

    /// Finds the report line; without exactly one, says why from how the sandbox run ended.
    static func interpret(_ result: SandboxResult, sentinel: String, limits: CodeLimits) -> HarnessOutcome {
        let prefix = sentinel + " "
        let lines = String(decoding: result.stdout, as: UTF8.self).split(separator: "\n").filter { $0.hasPrefix(prefix) }
        if lines.count == 1 {
            let body = String(lines[0].dropFirst(prefix.count))
            guard let record = try? JSONL.parse(body, file: "<harness report>"), case .object(let report) = record.value else {
                return .failure(.infraError, "the harness wrote an unreadable report")
            }
            return .report(report)
        }
        if lines.count > 1 {
            return .failure(.crash, "the harness output holds \(lines.count) reports; none is trusted")
        }
        let stderr = clip(String(decoding: result.stderr, as: UTF8.self), 600)
        switch result.outcome {
        case .timeout:
            return .failure(.timeout, "the run exceeded its wall-clock limit of \(format(limits.wallSeconds)) s")
        case .outputLimit:
            return .failure(.resourceLimit, "the run exceeded its output limit")
        case .launchFailure:
            return .failure(.infraError, "the sandbox could not start the harness: \(stderr)")
        case .signaled where result.signal == SIGXCPU:
            return .failure(.timeout, "the run exceeded its CPU limit of \(limits.cpuSeconds) s")
        case .signaled:
            let signal = result.signal.map { "signal \($0)" } ?? "a signal"
            return .failure(.crash, "the harness was killed by \(signal) before reporting\(stderr.isEmpty ? "" : ": \(stderr)")")
        case .exited:
            // The candidate cannot make the harness exit without a report (killing it is `signaled`), so this
            // is the harness failing to start or run: an infrastructure error, never trained on.
            let code = result.exitCode.map(String.init) ?? "?"
            return .failure(.infraError, "the harness exited (code \(code)) without a report\(stderr.isEmpty ? "" : ": \(stderr)")")
        }
    }

    /// 128 random bits as hex, from the system's cryptographic generator.
    static func makeSentinel() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<2).map { _ in
            let word = String(generator.next() as UInt64, radix: 16)
            return String(repeating: "0", count: 16 - word.count) + word
        }.joined()
    }
}

/// `text` cut to at most `limit` characters, keeping its head and tail.
func clip(_ text: String, _ limit: Int) -> String {
    guard text.count > limit else { return text }
    let half = limit / 2
    return String(text.prefix(half)) + "\n...[\(text.count - limit) chars cut]...\n" + String(text.suffix(half))
}

/// Integers without ".0"; other values in the shortest form that reads back exactly.
func format(_ x: Double) -> String {
    x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : "\(x)"
}
