import CBLAS
import Dispatch

// Linear layers through cblas_sgemm in the three layouts a forward/backward pair needs.
// Legend: N rows (B*T), I input features, O output features. Weights are stored [O, I] (PyTorch layout).
// With `Parallel` in `.split` mode each call is cut into contiguous blocks of its output (rows of y, dx,
// dW; columns when there are too few rows) run as single-threaded sgemm calls on our workers. Every
// output element is computed by one sgemm over the full reduction, so the split changes results at most
// by the roundoff of OpenBLAS choosing another micro-kernel for a different block shape.

/// y = x Wᵀ.  y: [N,O], x: [N,I], w: [O,I]. `accumulate` adds into y instead of overwriting.
public func matmulForward(_ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>,
                          N: Int, I: Int, O: Int, accumulate: Bool = false) {
    let beta: Float = accumulate ? 1 : 0
    if let chunks = Parallel.sgemmChunks(N) {
        splitRun(N, chunks) { r in
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(r.count), Int32(O), Int32(I),
                        1, x + r.lowerBound * I, Int32(I), w, Int32(I), beta, y + r.lowerBound * O, Int32(O))
        }
    } else if let chunks = Parallel.sgemmChunks(O, minimum: 64) {
        splitRun(O, chunks) { r in
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(N), Int32(r.count), Int32(I),
                        1, x, Int32(I), w + r.lowerBound * I, Int32(I), beta, y + r.lowerBound, Int32(O))
        }
    } else {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(N), Int32(O), Int32(I),
                    1, x, Int32(I), w, Int32(I), beta, y, Int32(O))
    }
}

/// dx (+)= dy W.  dx: [N,I], dy: [N,O], w: [O,I].
public func matmulBackwardInput(_ dx: UnsafeMutablePointer<Float>, _ dy: UnsafePointer<Float>, _ w: UnsafePointer<Float>,
                                N: Int, I: Int, O: Int, accumulate: Bool) {
    let beta: Float = accumulate ? 1 : 0
    if let chunks = Parallel.sgemmChunks(N) {
        splitRun(N, chunks) { r in
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(r.count), Int32(I), Int32(O),
                        1, dy + r.lowerBound * O, Int32(O), w, Int32(I), beta, dx + r.lowerBound * I, Int32(I))
        }
    } else if let chunks = Parallel.sgemmChunks(I, minimum: 64) {
        splitRun(I, chunks) { r in
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(N), Int32(r.count), Int32(O),
                        1, dy, Int32(O), w + r.lowerBound, Int32(I), beta, dx + r.lowerBound, Int32(I))
        }
    } else {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(N), Int32(I), Int32(O),
                    1, dy, Int32(O), w, Int32(I), beta, dx, Int32(I))
    }
}

/// dW += dyᵀ x.  dw: [O,I], dy: [N,O], x: [N,I].
public func matmulBackwardWeight(_ dw: UnsafeMutablePointer<Float>, _ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>,
                                 N: Int, I: Int, O: Int) {
    if let chunks = Parallel.sgemmChunks(O) {
        splitRun(O, chunks) { r in
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(r.count), Int32(I), Int32(N),
                        1, dy + r.lowerBound, Int32(O), x, Int32(I), 1, dw + r.lowerBound * I, Int32(I))
        }
    } else if let chunks = Parallel.sgemmChunks(I, minimum: 64) {
        splitRun(I, chunks) { r in
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(O), Int32(r.count), Int32(N),
                        1, dy, Int32(O), x + r.lowerBound, Int32(I), 1, dw + r.lowerBound, Int32(I))
        }
    } else {
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(O), Int32(I), Int32(N),
                    1, dy, Int32(O), x, Int32(I), 1, dw, Int32(I))
    }
}

/// Runs `body` on `chunks` contiguous blocks of 0..<count, blocks a multiple of 16 long where possible.
@inline(__always)
private func splitRun(_ count: Int, _ chunks: Int, _ body: (Range<Int>) -> Void) {
    withoutActuallyEscaping(body) { body in
        nonisolated(unsafe) let work = body
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            let lo = (count * c / chunks) / 16 * 16, hi = c == chunks - 1 ? count : (count * (c + 1) / chunks) / 16 * 16
            if lo < hi { work(lo..<hi) }
        }
    }
}

/// Naive twin of `matmulForward` in Double: y[n,o] = Σ_i x[n,i] w[o,i].
public func matmulForwardNaive(_ x: [Double], _ w: [Double], N: Int, I: Int, O: Int) -> [Double] {
    var y = [Double](repeating: 0, count: N * O)
    for n in 0..<N { for o in 0..<O {
        var s = 0.0
        for i in 0..<I { s += x[n * I + i] * w[o * I + i] }
        y[n * O + o] = s
    } }
    return y
}
