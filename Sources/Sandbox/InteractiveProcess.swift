// A long-lived child process spoken to line by line (external JSON-lines environments). It is trusted
// code, so it is not sandboxed, but it runs in its own session and process group so that `terminate()`
// removes it and anything it started. Not thread-safe: confine each instance to one serial queue.
import Foundation

/// Errors talking to an interactive process.
public enum InteractiveProcessError: Error, CustomStringConvertible, Sendable {
    case launch(String)
    case closed(stderr: String)
    case timeout(seconds: Double)

    public var description: String {
        switch self {
        case .launch(let why): return "could not start: \(why)"
        case .closed(let stderr):
            return "the process closed its pipes" + (stderr.isEmpty ? "" : "; its stderr ends with:\n\(stderr)")
        case .timeout(let seconds): return "no answer within \(formatSeconds(seconds)) s"
        }
    }
}

private func formatSeconds(_ s: Double) -> String { String(format: "%g", s) }

/// Ignores SIGPIPE once per process: a child that closes its stdin must give us EPIPE, not kill us.
let ignoreSIGPIPEOnce: Void = { _ = signal(SIGPIPE, SIG_IGN) }()

public final class InteractiveProcess: @unchecked Sendable {
    public let pid: pid_t
    private let stdinFD: Int32
    private let stdoutFD: Int32
    private var buffer: [UInt8] = []
    private var reaped = false
    private let stderrTail = TailBuffer(capacity: 16 << 10)

    /// Starts `executable` (absolute path, or a name looked up in PATH) with `arguments`.
    /// - Parameters:
    ///   - environment: the child's environment (nil: inherit the harness's).
    ///   - directory: working directory (nil: the harness's).
    public init(executable: String, arguments: [String], environment: [String: String]? = nil,
                directory: String? = nil) throws {
        _ = ignoreSIGPIPEOnce
        let env = environment ?? ProcessInfo.processInfo.environment
        let searchPath = env["PATH"] ?? ProcessInfo.processInfo.environment["PATH"] ?? sandboxMinimalPath
        guard let path = findExecutable(executable, path: searchPath) else {
            throw InteractiveProcessError.launch("'\(executable)' not found in PATH")
        }
        let spawned = try spawnWithPipes(argv: [path] + arguments, environment: env, directory: directory)
        pid = spawned.pid
        stdinFD = spawned.stdin
        stdoutFD = spawned.stdout
        let errFD = spawned.stderr
        // Drain stderr on its own thread (a chatty child must never block on a full stderr pipe).
        let thread = Thread { [stderrTail] in
            var chunk = [UInt8](repeating: 0, count: 4096)
            while true {
                let n = chunk.withUnsafeMutableBytes { read(errFD, $0.baseAddress, $0.count) }
                if n > 0 {
                    stderrTail.append(chunk[0 ..< n])
                } else if n == 0 || errno != EINTR {
                    break
                }
            }
            close(errFD)
        }
        thread.start()
    }

    deinit {
        terminate()
        close(stdinFD)
        close(stdoutFD)
    }

    /// The last 16 KiB the process wrote to stderr.
    public func stderrText() -> String { stderrTail.text() }

    /// Writes `line` and a newline (blocking; the pipe is drained by the child).
    public func send(line: String) throws {
        var bytes = Array(line.utf8)
        bytes.append(UInt8(ascii: "\n"))
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { write(stdinFD, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                throw InteractiveProcessError.closed(stderr: stderrText())
            }
            offset += n
        }
    }

    /// The next line from stdout (without the newline), waiting at most `timeout` seconds.
    public func receiveLine(timeout: Double) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffer[..<newline], as: UTF8.self)
                buffer.removeSubrange(...newline)
                return line
            }
            let remaining = deadline.timeIntervalSinceNow
            guard remaining > 0 else { throw InteractiveProcessError.timeout(seconds: timeout) }
            var fds = [pollfd(fd: stdoutFD, events: Int16(POLLIN), revents: 0)]
            let ready = poll(&fds, 1, Int32(min(remaining * 1000, 1_000_000).rounded(.up)))
            if ready < 0 { if errno == EINTR { continue }; throw InteractiveProcessError.closed(stderr: stderrText()) }
            if ready == 0 { continue }
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            let n = chunk.withUnsafeMutableBytes { read(stdoutFD, $0.baseAddress, $0.count) }
            if n > 0 { buffer.append(contentsOf: chunk[0 ..< n]) }
            else if n == 0 || (errno != EINTR && errno != EAGAIN) {
                // Give the stderr thread a moment to collect the last words of a crash.
                usleep(20_000)
                throw InteractiveProcessError.closed(stderr: stderrText())
            }
        }
    }

    /// True while the child has not exited.
    public var isRunning: Bool {
        if reaped { return false }
        var info = siginfo_t()
        return !(waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info._sifields._sigchld.si_pid == pid)
    }

    /// Waits up to `grace` seconds for the child to exit by itself, then SIGTERMs its group, waits
    /// `grace` again, SIGKILLs the group and reaps it. Idempotent.
    public func terminate(grace: Double = 0.5) {
        guard !reaped else { return }
        func exitedWithin(_ seconds: Double) -> Bool {
            let deadline = Date().addingTimeInterval(seconds)
            repeat {
                if !isRunning { return true }
                usleep(2_000)
            } while Date() < deadline
            return !isRunning
        }
        if !exitedWithin(grace) {
            _ = kill(-pid, SIGTERM)
            if !exitedWithin(grace) { _ = kill(-pid, SIGKILL) }
        }
        // The child is a zombie now (not yet reaped), so its group id cannot have been reused: clear out
        // anything else left in the group, then reap.
        _ = kill(-pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        reaped = true
    }
}

/// The last `capacity` bytes written to it (thread-safe).
private final class TailBuffer: @unchecked Sendable {
    private let lock = NSLock()
    private var bytes: [UInt8] = []
    private let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    func append(_ more: ArraySlice<UInt8>) {
        lock.lock(); defer { lock.unlock() }
        bytes.append(contentsOf: more)
        if bytes.count > capacity { bytes.removeFirst(bytes.count - capacity) }
    }

    func text() -> String {
        lock.lock(); defer { lock.unlock() }
        return String(decoding: bytes, as: UTF8.self)
    }
}
