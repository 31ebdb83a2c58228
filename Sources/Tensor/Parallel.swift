import CBLAS
import Foundation

/// Thread control shared by every kernel in this target.
///
/// Two kinds of parallel work could fight over the cores: OpenBLAS's own worker threads and our loops on
/// `DispatchQueue.concurrentPerform`. OpenBLAS workers busy-wait (with `sched_yield`) for a while after
/// each call, so running our loops right after a multi-threaded sgemm oversubscribes the cores.
///
/// Default (`BLASThreading.split`): OpenBLAS is kept at ONE thread and the matmul wrappers split each
/// sgemm into row (or column) blocks on our own workers, so there is a single pool and nothing spins.
/// Alternative (`.openblas`): OpenBLAS runs with `threads` threads and our loops run between its calls.
/// Either way, attention runs one (b,h) per task with a single-threaded sgemm inside.
public enum Parallel {
    /// How sgemm work is spread over threads.
    public enum BLASThreading: String, Sendable, CaseIterable {
        /// OpenBLAS single-threaded; our wrappers split matrices over our workers (default).
        case split
        /// OpenBLAS's own threads inside each sgemm call.
        case openblas
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var configured = 1
    nonisolated(unsafe) private static var mode = BLASThreading.split

    /// Number of threads used by our loops (and by sgemm, through either mechanism). Default 1.
    public static var threads: Int {
        lock.lock(); defer { lock.unlock() }
        return configured
    }

    /// The current sgemm threading mode.
    public static var blasThreading: BLASThreading {
        lock.lock(); defer { lock.unlock() }
        return mode
    }

    /// Sets the thread count for our loops and sgemm, keeping the current sgemm threading mode.
    public static func setThreads(_ n: Int) { setThreads(n, blas: blasThreading) }

    /// Sets the thread count for our loops and sgemm, and how sgemm is threaded.
    public static func setThreads(_ n: Int, blas: BLASThreading) {
        let n = max(1, n)
        lock.lock(); configured = n; mode = blas; lock.unlock()
        openblas_set_num_threads(Int32(blas == .split ? 1 : n))
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

    /// The number of chunks `forRanges(count, grain:)` splits `count` items into at the current thread count.
    public static func chunkCount(_ count: Int, grain: Int = 1) -> Int {
        min(threads, max(1, count / max(1, grain)))
    }

    /// Runs `body(chunk, range)` over `count` items split into exactly `chunks` contiguous ranges (the same
    /// ranges `forRanges` uses for that many chunks), passing each range's index. For reductions: each chunk
    /// writes its own partial result, and the caller combines them in chunk order afterwards, so the sum does
    /// not depend on which worker finishes first (a shared accumulator under a lock would).
    public static func forChunks(_ count: Int, chunks: Int, _ body: (Int, Range<Int>) -> Void) {
        guard count > 0 else { return }
        let chunks = max(1, min(chunks, count))
        if chunks == 1 { body(0, 0..<count); return }
        withoutActuallyEscaping(body) { body in
            nonisolated(unsafe) let work = body
            DispatchQueue.concurrentPerform(iterations: chunks) { c in
                let lo = count * c / chunks, hi = count * (c + 1) / chunks
                if lo < hi { work(c, lo..<hi) }
            }
        }
    }

    /// Runs `body(i)` for every i in 0..<count on up to `threads` workers, with OpenBLAS single-threaded
    /// meanwhile so that sgemm calls inside `body` do not oversubscribe the cores.
    public static func forEachWithSerialBLAS(_ count: Int, _ body: (Int) -> Void) {
        let n = threads, native = blasThreading == .openblas
        if n == 1 || count == 1 {
            for i in 0..<count { body(i) }
            return
        }
        if native { openblas_set_num_threads(1) }
        defer { if native { openblas_set_num_threads(Int32(n)) } }
        withoutActuallyEscaping(body) { body in
            nonisolated(unsafe) let work = body
            DispatchQueue.concurrentPerform(iterations: min(n, count)) { w in
                var i = w
                while i < count { work(i); i += n }
            }
        }
    }

    /// Splits an output dimension of `count` for a split sgemm: nil when it should not be split (one
    /// thread, `.openblas` mode, or too small to be worth it).
    static func sgemmChunks(_ count: Int, minimum: Int = 32) -> Int? {
        let n = threads
        guard n > 1, blasThreading == .split, count >= 2 * minimum else { return nil }
        return min(n, count / minimum)
    }
}
