// Value types of the sandboxed process runner (../../docs/environments.md, "Sandbox").
import Foundation

/// Resource limits for one sandboxed run. Every limit applies to the candidate process; `processes` is
/// enforced per sandbox user (see `SandboxRunner`), `maxOutputBytes` per stream (stdout and stderr each).
public struct SandboxLimits: Sendable, Hashable {
    /// Wall-clock budget; on expiry the group gets SIGTERM, then SIGKILL after `graceSeconds`.
    public var wallSeconds: Double = 10
    /// RLIMIT_CPU soft limit (SIGXCPU); the hard limit is one second later (SIGKILL).
    public var cpuSeconds: Int = 10
    /// RLIMIT_AS.
    public var addressSpaceBytes: Int = 1 << 30
    /// RLIMIT_FSIZE (largest file the candidate may write).
    public var fileSizeBytes: Int = 16 << 20
    /// RLIMIT_NOFILE.
    public var openFiles: Int = 64
    /// RLIMIT_NPROC (processes and threads of the sandbox user).
    public var processes: Int = 64
    /// Bytes kept per stream; more output stops the run with outcome `outputLimit`.
    public var maxOutputBytes: Int = 1 << 20
    /// Time between SIGTERM and SIGKILL after a timeout.
    public var graceSeconds: Double = 0.2
    /// Size of the private `/tmp` (bubblewrap only).
    public var tmpBytes: Int = 64 << 20
    /// Size of the work directory (bubblewrap only: it is a tmpfs there, so a candidate cannot fill the
    /// host's disk by writing many files).
    public var workBytes: Int = 64 << 20

    public init() {}
}

/// One program to run in a fresh sandbox.
public struct SandboxRequest: Sendable, Hashable {
    /// Absolute path, or a bare name looked up in `SandboxRunner.minimalPath`.
    public var executable: String
    public var arguments: [String]
    /// Written to the program's stdin, then stdin is closed.
    public var stdin: [UInt8]
    /// Files written into the fresh work directory before the run (relative paths; no `..`).
    public var files: [String: [UInt8]]
    public var limits: SandboxLimits
    /// The ONLY environment variables the program sees, plus `PATH` (minimal) when not given here.
    public var environment: [String: String]
    /// Extra host paths made visible read-only (e.g. a Python install outside /usr).
    public var readOnlyPaths: [String]

    public init(executable: String, arguments: [String] = [], stdin: [UInt8] = [], files: [String: [UInt8]] = [:],
                limits: SandboxLimits = SandboxLimits(), environment: [String: String] = [:],
                readOnlyPaths: [String] = []) {
        self.executable = executable
        self.arguments = arguments
        self.stdin = stdin
        self.files = files
        self.limits = limits
        self.environment = environment
        self.readOnlyPaths = readOnlyPaths
    }
}

/// How a sandboxed run ended.
public enum SandboxOutcome: String, Sendable, Codable {
    /// The program exited by itself (`exitCode` says how).
    case exited
    /// The program died from a signal (`signal`), e.g. SIGXCPU at the CPU limit.
    case signaled
    /// The wall-clock budget ran out; the whole group was killed.
    case timeout
    /// A stream exceeded `maxOutputBytes`; the whole group was killed.
    case outputLimit = "output-limit"
    /// The program could not be started (missing executable, bad file name, spawn failure).
    case launchFailure = "launch-failure"
}

/// Which isolation the runner uses (probed once per process; see `SandboxRunner.detectIsolation()`).
public enum SandboxIsolation: String, Sendable, Codable, CaseIterable {
    /// bubblewrap: private pid/net/ipc/uts namespaces, read-only system dirs, only the work dir writable.
    case bubblewrap
    /// util-linux `unshare`: private pid/net/ipc/uts namespaces; the file system is the host's.
    case namespaces
    /// rlimits and a process group only: no network or file-system isolation.
    case rlimitsOnly = "rlimits-only"
}

/// What came back from a run.
public struct SandboxResult: Sendable {
    public var outcome: SandboxOutcome
    public var exitCode: Int32?
    public var signal: Int32?
    public var stdout: [UInt8]
    public var stderr: [UInt8]
    public var stdoutTruncated: Bool
    public var stderrTruncated: Bool
    public var wallSeconds: Double
    public var isolation: SandboxIsolation

    public init(outcome: SandboxOutcome, exitCode: Int32? = nil, signal: Int32? = nil, stdout: [UInt8] = [],
                stderr: [UInt8] = [], stdoutTruncated: Bool = false, stderrTruncated: Bool = false,
                wallSeconds: Double = 0, isolation: SandboxIsolation) {
        self.outcome = outcome
        self.exitCode = exitCode
        self.signal = signal
        self.stdout = stdout
        self.stderr = stderr
        self.stdoutTruncated = stdoutTruncated
        self.stderrTruncated = stderrTruncated
        self.wallSeconds = wallSeconds
        self.isolation = isolation
    }

    /// stdout decoded as UTF-8 (invalid bytes replaced).
    public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    /// stderr decoded as UTF-8 (invalid bytes replaced).
    public var stderrText: String { String(decoding: stderr, as: UTF8.self) }
    /// True when the program exited by itself with status 0.
    public var succeeded: Bool { outcome == .exited && exitCode == 0 }
}

/// Infrastructure failures of the runner itself (not of the candidate).
public struct SandboxError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { "sandbox: \(message)" }
}
