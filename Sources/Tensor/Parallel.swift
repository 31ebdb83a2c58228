import CBLAS
import Foundation

/// Thread control shared by every kernel in this target.
///
/// Two kinds of parallel work exist: OpenBLAS's own threads inside `cblas_sgemm`, and our loops, which
/// run on `DispatchQueue.concurrentPerform`. They never overlap: a kernel either calls sgemm from the
/// calling thread (OpenBLAS spreads it over `threads`) or runs its own chunks; when our chunks call
/// sgemm themselves (attention, one (b,h) per task) OpenBLAS is switched to one thread for the duration.
public enum Parallel {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var configured = 1

    /// Number of threads used by our loops and by OpenBLAS (default 1 until set).
    public static var threads: Int {
        lock.lock(); defer { lock.unlock() }
        return configured
    }

    /// Sets our loop width and OpenBLAS's thread count together.
    public static func setThreads(_ n: Int) {
        let n = max(1, n)
        lock.lock(); configured = n; lock.unlock()
        openblas_set_num_threads(Int32(n))
    }

    /// Runs `body(range)` over `count` items split into at most `threads` contiguous chunks of at least
    /// `grain` items. Chunks cover 0..<count exactly once; runs inline when one chunk suffices.
    public static func forRanges(_ count: Int, grain: Int = 1, _ body: (Range<Int>) -> Void) {
        guard count > 0 else { return }
        let chunks = min(threads, max(1, count / max(1, grain)))
        if chunks == 1 { body(0..<count); return }
        withoutActuallyEscaping(body) { body in
            nonisolated(unsafe) let work = body
            DispatchQueue.concurrentPerform(iterations: chunks) { c in
                let lo = count * c / chunks, hi = count * (c + 1) / chunks
                if lo < hi { work(lo..<hi) }
            }
        }
    }

    /// Runs `body(i)` for every i in 0..<count on up to `threads` workers, with OpenBLAS pinned to one
    /// thread meanwhile so that sgemm calls inside `body` do not oversubscribe the cores.
    public static func forEachWithSerialBLAS(_ count: Int, _ body: (Int) -> Void) {
        let n = threads
        if n == 1 || count == 1 {
            for i in 0..<count { body(i) }
            return
        }
        openblas_set_num_threads(1)
        defer { openblas_set_num_threads(Int32(n)) }
        withoutActuallyEscaping(body) { body in
            nonisolated(unsafe) let work = body
            DispatchQueue.concurrentPerform(iterations: min(n, count)) { w in
                var i = w
                while i < count { work(i); i += n }
            }
        }
    }
}
