// Spawns one wrapped command with posix_spawn (no fork() in a multi-threaded Swift process) in its own
// session and process group, feeds stdin, drains stdout/stderr concurrently into capped buffers, enforces
// the wall-clock budget (SIGTERM to the group, grace, SIGKILL) and reaps it. Blocking: run it on a
// dedicated thread, never on the cooperative pool.
import Foundation

/// Outcome of supervising one process, before isolation-specific decoding.
struct SupervisedExit {
    var launched: Bool
    var launchError: String?
    var exitCode: Int32?
    var signal: Int32?
    var timedOut: Bool
    var outputLimited: Bool
    var stdout: [UInt8]
    var stderr: [UInt8]
    var stdoutTruncated: Bool
    var stderrTruncated: Bool
    var wallSeconds: Double
}

/// A capped byte sink for one output stream.
private struct CappedStream {
    var fd: Int32
    var bytes: [UInt8] = []
    var truncated = false
    var open = true
    let cap: Int

    init(fd: Int32, cap: Int) { self.fd = fd; self.cap = cap }

    /// Reads what is available; returns false at EOF or error (the fd is then closed).
    mutating func drain(into scratch: UnsafeMutableRawBufferPointer) {
        while open {
            let n = read(fd, scratch.baseAddress, scratch.count)
            if n > 0 {
                let room = cap - bytes.count
                if room > 0 {
                    let take = min(room, n)
                    bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: scratch[0..<take]))
                }
                if n > room { truncated = true }
                if truncated { return }
            } else if n == 0 || (errno != EAGAIN && errno != EINTR && errno != EWOULDBLOCK) {
                close(fd); open = false
            } else if errno == EAGAIN || errno == EWOULDBLOCK {
                return
            }
        }
    }

    mutating func closeIfOpen() { if open { close(fd); open = false } }
}

enum ProcessSupervisor {
    /// Runs argv[0] with `argv`, exactly `environment`, in `directory`. Never throws: launch problems come
    /// back as `launched == false`.
    ///
    /// `namespaced`: argv[0] (bwrap / unshare) is the parent of a pid-namespace init. Killing argv[0]
    /// would return before the kernel has emptied the namespace, so the supervisor signals the init
    /// instead and waits for argv[0] to report it gone: when the init of a pid namespace has exited,
    /// every process in that namespace has exited too.
    ///
    /// `cancel`: when set (from any thread), the run stops as at a timeout, without the grace period.
    static func run(argv: [String], environment: [String: String], directory: String, stdin input: [UInt8],
                    limits: SandboxLimits, namespaced: Bool, cancel: CancelFlag? = nil) -> SupervisedExit {
        let start = monotonicSeconds()
        var result = SupervisedExit(launched: false, launchError: nil, exitCode: nil, signal: nil, timedOut: false,
                                    outputLimited: false, stdout: [], stderr: [], stdoutTruncated: false,
                                    stderrTruncated: false, wallSeconds: 0)
        let spawned: SpawnedProcess
        do {
            spawned = try spawnWithPipes(argv: argv, environment: environment, directory: directory)
        } catch {
            result.launchError = "\(error)"
            return result
        }
        let pid = spawned.pid
        result.launched = true

        var out = CappedStream(fd: spawned.stdout, cap: limits.maxOutputBytes)
        var err = CappedStream(fd: spawned.stderr, cap: limits.maxOutputBytes)
        setNonBlocking(out.fd); setNonBlocking(err.fd)
        var stdinFD: Int32 = spawned.stdin
        var stdinOffset = 0
        if input.isEmpty { close(stdinFD); stdinFD = -1 } else { setNonBlocking(stdinFD) }

        let deadline = start + limits.wallSeconds
        var killAt: Double? = nil          // when SIGKILL is due after SIGTERM
        var exited = false                 // the child is a zombie we have not reaped yet (or reaped)
        var status: Int32 = 0
        var exitNoticedAt: Double? = nil
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 16)
        defer { scratch.deallocate() }
        var idleSleepMicros: UInt32 = 100

        func killGroup(_ sig: Int32) { _ = kill(-pid, sig) }
        var escalateAt: Double? = nil      // namespaced: when to give up on the init and kill the group
        /// SIGTERM: to the candidate's session(s) inside the sandbox. SIGKILL: to the namespace init(s).
        func terminate(_ sig: Int32, now: Double) {
            guard namespaced else { killGroup(sig); return }
            let inits = childrenOf(pid)
            if inits.isEmpty { killGroup(sig); return }
            for initPID in inits {
                if sig == SIGKILL {
                    _ = kill(initPID, SIGKILL)
                } else {
                    for candidate in childrenOf(initPID) { _ = kill(-candidate, sig); _ = kill(candidate, sig) }
                    _ = kill(initPID, sig)
                }
            }
            if sig == SIGKILL, escalateAt == nil { escalateAt = now + 2 }
        }

        while true {
            let now = monotonicSeconds()
            // 1. Wall clock: SIGTERM once, SIGKILL after the grace period.
            if !exited && !result.timedOut && !result.outputLimited && cancel?.isSet == true {
                result.timedOut = true
                killAt = now
            }
            if !exited && !result.timedOut && !result.outputLimited && now >= deadline {
                result.timedOut = true
                terminate(SIGTERM, now: now)
                killAt = now + limits.graceSeconds
            }
            if let due = killAt, now >= due { terminate(SIGKILL, now: now); killAt = nil }
            if let due = escalateAt, now >= due, !exited { killGroup(SIGKILL); escalateAt = nil }

            // 2. Has the child exited? Peek without reaping, so its pid (= pgid) cannot be reused before
            //    we have killed whatever is left in its group.
            if !exited {
                var info = siginfo_t()
                if waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0, info._sifields._sigchld.si_pid == pid {
                    exited = true
                    exitNoticedAt = now
                    killGroup(SIGKILL)
                    waitpid(pid, &status, 0)
                }
            }

            // 3. Done when the child is reaped and both streams hit EOF; stragglers holding the pipes
            //    (only possible without a pid namespace) get 100 ms, then we stop listening.
            if exited && !out.open && !err.open { break }
            if exited, let t = exitNoticedAt, now - t > 0.1 { break }
            if out.truncated || err.truncated, !result.outputLimited {
                result.outputLimited = true
                terminate(SIGKILL, now: now)
            }

            // 4. Wait for I/O (or a short tick to notice exit / deadlines).
            var fds: [pollfd] = []
            if out.open && !out.truncated { fds.append(pollfd(fd: out.fd, events: Int16(POLLIN), revents: 0)) }
            if err.open && !err.truncated { fds.append(pollfd(fd: err.fd, events: Int16(POLLIN), revents: 0)) }
            if stdinFD >= 0 { fds.append(pollfd(fd: stdinFD, events: Int16(POLLOUT), revents: 0)) }
            if fds.isEmpty {
                // Nothing to read: the child closed its streams (or we stopped reading). Back off gently.
                usleep(idleSleepMicros)
                idleSleepMicros = min(idleSleepMicros * 2, 2_000)
                continue
            }
            let remaining = (killAt ?? ((result.timedOut || result.outputLimited) ? now + 0.05 : deadline)) - now
            let tickMillis = exited ? 5 : 20
            let timeout = Int32(max(0, min(Double(tickMillis), remaining * 1000).rounded(.up)))
            let ready = poll(&fds, nfds_t(fds.count), timeout)
            if ready < 0 && errno != EINTR { break }
            for p in fds where p.revents != 0 {
                if p.fd == out.fd { out.drain(into: scratch) }
                else if p.fd == err.fd { err.drain(into: scratch) }
                else if p.fd == stdinFD {
                    if (p.revents & Int16(POLLERR | POLLHUP)) != 0 { close(stdinFD); stdinFD = -1; continue }
                    let n = input.withUnsafeBytes { raw in
                        write(stdinFD, raw.baseAddress! + stdinOffset, raw.count - stdinOffset)
                    }
                    if n > 0 { stdinOffset += n }
                    if stdinOffset >= input.count || (n < 0 && errno != EAGAIN && errno != EINTR) {
                        close(stdinFD); stdinFD = -1
                    }
                }
            }
        }
        if stdinFD >= 0 { close(stdinFD) }
        out.closeIfOpen(); err.closeIfOpen()
        if !exited {            // defensive: never leave a zombie or a live group
            terminate(SIGKILL, now: monotonicSeconds())
            var waited = 0
            while waitpid(pid, &status, WNOHANG) == 0 {
                if waited == 2000 { killGroup(SIGKILL) }   // the init did not go within 2 s
                usleep(1000); waited += 1
            }
        }

        if (status & 0x7f) == 0 {
            result.exitCode = (status >> 8) & 0xff
        } else {
            result.signal = status & 0x7f
        }
        result.stdout = out.bytes; result.stderr = err.bytes
        result.stdoutTruncated = out.truncated; result.stderrTruncated = err.truncated
        result.wallSeconds = monotonicSeconds() - start
        return result
    }
}

/// A flag set from one thread and read by the supervisor loop.
final class CancelFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}

/// Direct children of `pid` (from /proc/PID/task/PID/children; empty when unavailable).
func childrenOf(_ pid: pid_t) -> [pid_t] {
    guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/task/\(pid)/children") else { return [] }
    return String(decoding: data, as: UTF8.self).split(separator: " ").compactMap { pid_t($0) }
}

