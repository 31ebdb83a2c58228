// Row-parallel loops for the mHC kernels.
//
// The kernels take a `threads` argument (default 1). Row work is split into at most `threads`
// contiguous chunks of at least `grain` rows and run with DispatchQueue.concurrentPerform; the
// BLAS calls of the same kernel are made from the calling thread between those loops, so our
// threads and OpenBLAS's never run at the same time. Chunks are deterministic (row ranges
// depend only on rows and threads), and every row's arithmetic is independent of the split, so
// results do not depend on `threads` except for the order in which per-chunk partial sums of
// parameter gradients (dα, db) are added.

enum MHCRowChunks {
    /// Number of chunks `run` will use.
    @inline(__always)
    static func count(rows: Int, threads: Int, grain: Int) -> Int {
        max(1, min(max(threads, 1), rows / max(grain, 1)))
    }

    /// Calls `body(chunk, rowRange)` for chunk in 0..<count(rows:threads:grain:), the ranges covering
    /// 0..<rows exactly once. Runs inline when there is one chunk (no dispatch overhead for N = 1).
    static func run(rows: Int, threads: Int, grain: Int, _ body: (Int, Range<Int>) -> Void) {
        Parallel.forChunks(rows, chunks: count(rows: rows, threads: threads, grain: grain), body)
    }
}
