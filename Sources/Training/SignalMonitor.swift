#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns SIGINT/SIGTERM into a flag the training loop checks between steps (self-pipe: the handler only
/// writes one byte, which is async-signal-safe). Handlers are one-shot (`SA_RESETHAND`): a second signal
/// gets the default action and ends the process at once; atomic checkpoint writes keep `latest` loadable.
public final class SignalMonitor: @unchecked Sendable {
    public static let shared = SignalMonitor()

    private var received: Int32?
    private let lock = NSLockLike()

    private init() {
        var fds: [Int32] = [-1, -1]
        if pipe(&fds) == 0 {
            for fd in fds {
                _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
                _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            }
            signalPipeRead = fds[0]
            signalPipeWrite = fds[1]
        }
    }

    /// Installs the handlers for SIGINT and SIGTERM (idempotent).
    public func install(signals: [Int32] = [SIGINT, SIGTERM]) {
        for sig in signals {
            var action = sigaction()
            #if canImport(Glibc)
            action.__sigaction_handler.sa_handler = signalPipeHandler
            #else
            action.__sigaction_u.__sa_handler = signalPipeHandler
            #endif
            action.sa_flags = Int32(truncatingIfNeeded: SA_RESETHAND)
            sigemptyset(&action.sa_mask)
            sigaction(sig, &action, nil)
        }
    }

    /// The first signal received since launch, or nil. Never blocks.
    public func pendingSignal() -> Int32? {
        lock.lock()
        defer { lock.unlock() }
        var byte: UInt8 = 0
        while signalPipeRead >= 0, read(signalPipeRead, &byte, 1) == 1 {
            if received == nil { received = Int32(byte) }
        }
        return received
    }

    /// Name for messages ("SIGTERM").
    public static func name(_ sig: Int32) -> String {
        switch sig {
        case SIGINT: return "SIGINT"
        case SIGTERM: return "SIGTERM"
        default: return "signal \(sig)"
        }
    }
}

/// Pipe ends shared with the C signal handler; set once before any handler is installed.
nonisolated(unsafe) private var signalPipeRead: Int32 = -1
nonisolated(unsafe) private var signalPipeWrite: Int32 = -1

private func signalPipeHandler(_ sig: Int32) {
    let saved = errno
    var byte = UInt8(truncatingIfNeeded: sig)
    _ = write(signalPipeWrite, &byte, 1)
    errno = saved
}

/// A pthread mutex (Foundation-free, so this file stays usable from any target).
final class NSLockLike: @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    init() { pthread_mutex_init(&mutex, nil) }
    deinit { pthread_mutex_destroy(&mutex) }
    func lock() { pthread_mutex_lock(&mutex) }
    func unlock() { pthread_mutex_unlock(&mutex) }
}
