// The sandboxed process runner: bounded parallelism over `ProcessSupervisor`, one fresh work directory
// and (when the harness is root) one private uid per run.
import Foundation
import Synchronization

/// Runs untrusted programs in fresh sandboxes, at most `maxParallel` at a time.
///
/// Isolation is probed once per process (`detectIsolation()`): bubblewrap when it works, else util-linux
/// `unshare` namespaces, else rlimits only. `DISCOVERY_SANDBOX_ISOLATION=bubblewrap|namespaces|rlimits-only`
/// forces a level (for testing fallbacks). What each level guarantees is in docs/environments.md.
public actor SandboxRunner {
    public nonisolated let isolation: SandboxIsolation
    public nonisolated let maxParallel: Int
    private var running = 0
    private var waiters: [CheckedContinuation<Void, Never>] = []
    private let tools: SandboxTools

    /// - Parameters:
    ///   - maxParallel: runs executing at once; further calls wait their turn.
    ///   - isolation: force a level instead of the probed one (tests of fallbacks).
    public init(maxParallel: Int = ProcessInfo.processInfo.activeProcessorCount, isolation: SandboxIsolation? = nil) {
        self.maxParallel = max(1, maxParallel)
        self.isolation = isolation ?? SandboxRunner.detectIsolation()
        self.tools = SandboxTools.system
    }

    /// The minimal PATH candidates see when the request gives none.
    public static let minimalPath = sandboxMinimalPath

    /// The strongest isolation that works on this machine (probed by running `true` once; cached).
    public static func detectIsolation() -> SandboxIsolation { probedIsolation }

    /// Runs `request` in a fresh sandbox. Throws only for infrastructure failures (no work directory)
    /// and `CancellationError` when the calling task is cancelled (the run is then killed at once);
    /// everything the candidate does, including failing to start, is a `SandboxResult`.
    public func run(_ request: SandboxRequest) async throws -> SandboxResult {
        await acquire()
        defer { release() }
        try Task.checkCancellation()
        let isolation = self.isolation, tools = self.tools
        let cancel = CancelFlag()
        let result = try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let thread = Thread {
                    continuation.resume(with: Result {
                        try runBlocking(request, isolation: isolation, tools: tools, cancel: cancel)
                    })
                }
                thread.stackSize = 1 << 20
                thread.start()
            }
        } onCancel: {
            cancel.set()
        }
        if cancel.isSet { throw CancellationError() }
        return result
    }

    private func acquire() async {
        if running < maxParallel { running += 1; return }
        await withCheckedContinuation { waiters.append($0) }
    }

    private func release() {
        if waiters.isEmpty { running -= 1 } else { waiters.removeFirst().resume() }
    }
}

/// Private uids handed to concurrent runs when the harness is root (61000 ..< 62000, round robin), so
/// that RLIMIT_NPROC of one run is not shared with another.
private let nextSandboxUID = Mutex<UInt32>(0)
private func allocateSandboxUID() -> UInt32 {
    nextSandboxUID.withLock { counter in
        defer { counter = (counter + 1) % 1000 }
        return 61000 + counter
    }
}

/// Runs one request synchronously on the calling thread.
func runBlocking(_ request: SandboxRequest, isolation: SandboxIsolation, tools: SandboxTools,
                 cancel: CancelFlag? = nil) throws -> SandboxResult {
    guard let executable = findExecutable(request.executable) else {
        return SandboxResult(outcome: .launchFailure,
                             stderr: Array("sandbox: executable '\(request.executable)' not found (PATH \(sandboxMinimalPath))".utf8),
                             isolation: isolation)
    }
    let dropTo: UInt32? = geteuid() == 0 ? allocateSandboxUID() : nil
    let work: WorkDirectory
    do {
        work = try WorkDirectory(files: request.files, owner: dropTo)
    } catch let error as SandboxError where error.message.hasPrefix("file name") {
        return SandboxResult(outcome: .launchFailure, stderr: Array(error.description.utf8), isolation: isolation)
    }
    defer { work.remove() }

    var readOnly = request.readOnlyPaths
    if let prefix = SandboxCommandLine.installPrefix(of: executable) { readOnly.append(prefix) }
    let commandLine = SandboxCommandLine(isolation: isolation, tools: tools, dropToUID: dropTo)
    let argv = try commandLine.argv(executable: executable, arguments: request.arguments, workDir: work.path,
                                    limits: request.limits, readOnlyPaths: readOnly,
                                    hasInputFiles: !request.files.isEmpty)
    var environment = request.environment
    if environment["PATH"] == nil { environment["PATH"] = sandboxMinimalPath }

    let exit = ProcessSupervisor.run(argv: argv, environment: environment, directory: work.path,
                                     stdin: request.stdin, limits: request.limits,
                                     namespaced: isolation != .rlimitsOnly, cancel: cancel)
    // Without a pid namespace, a process that left the group (setsid) survives the group kill; when the
    // run had a private uid, everything still running under that uid belongs to it.
    if isolation == .rlimitsOnly, let uid = dropTo { killProcesses(ofUID: uid) }
    var result = SandboxResult(outcome: .exited, exitCode: exit.exitCode, signal: exit.signal, stdout: exit.stdout,
                               stderr: exit.stderr, stdoutTruncated: exit.stdoutTruncated,
                               stderrTruncated: exit.stderrTruncated, wallSeconds: exit.wallSeconds,
                               isolation: isolation)
    if !exit.launched {
        result.outcome = .launchFailure
        result.stderr = Array((exit.launchError ?? "launch failed").utf8)
    } else if exit.timedOut {
        result.outcome = .timeout
    } else if exit.outputLimited {
        result.outcome = .outputLimit
    } else if let sig = exit.signal {
        result.outcome = .signaled
        result.signal = sig
    } else if isolation != .rlimitsOnly, let code = exit.exitCode, code > 128, code <= 128 + 64 {
        // bwrap and unshare report a child killed by signal N as exit status 128 + N.
        result.outcome = .signaled
        result.signal = code - 128
        result.exitCode = nil
    }
    return result
}

/// Probe: the first level (strongest first) under which `true` runs and exits 0.
private let probedIsolation: SandboxIsolation = {
    if let forced = ProcessInfo.processInfo.environment["DISCOVERY_SANDBOX_ISOLATION"],
       let level = SandboxIsolation(rawValue: forced) {
        return level
    }
    let tools = SandboxTools.system
    for level in [SandboxIsolation.bubblewrap, .namespaces] {
        var probe = SandboxRequest(executable: "true")
        probe.limits.wallSeconds = 5
        if let result = try? runBlocking(probe, isolation: level, tools: tools), result.succeeded { return level }
    }
    return .rlimitsOnly
}()

/// SIGKILLs every process whose real uid is `uid`, until none is left (at most ~1 s).
func killProcesses(ofUID uid: UInt32) {
    for _ in 0 ..< 100 {
        var found = false
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = pid_t(entry),
                  let status = FileManager.default.contents(atPath: "/proc/\(entry)/status") else { continue }
            let uidLine = String(decoding: status, as: UTF8.self).split(separator: "\n").first { $0.hasPrefix("Uid:") }
            let realUID = uidLine?.split(whereSeparator: { $0 == "\t" || $0 == " " }).dropFirst().first.flatMap { UInt32($0) }
            if realUID == uid {
                found = true
                _ = kill(pid, SIGKILL)
            }
        }
        if !found { return }
        usleep(10_000)
    }
}
