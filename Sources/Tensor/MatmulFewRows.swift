import CBLAS

// Linear layer for a handful of rows (KV-cached decoding: one token per sequence).
//
// With few rows, sgemm's packing of the weight matrix costs as much as the multiply itself. OpenBLAS (0.3.17+,
// built with SMALL_MATRIX_OPT as Debian's is) switches to an unpacked small-matrix kernel when M·N·K ≤ 64³, so
// the output features are cut into chunks below that size, and the chunks are spread over our workers with
// OpenBLAS single-threaded meanwhile. Each output element is still one sgemm dot product over the full input,
// so results match `matmulForward` up to the kernels' own summation order.
// Measured here (1 thread, 16 rows, 256 → 4096): 0.51 ms as one call, 0.33 ms in chunks of 64 outputs.

/// y = x Wᵀ for small N.  y: [N,O], x: [N,I], w: [O,I]. `accumulate` adds into y.
public func matmulForwardFewRows(_ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>,
                                 N: Int, I: Int, O: Int, accumulate: Bool = false) {
    let smallLimit = 64 * 64 * 64
    guard N * I * 8 <= smallLimit else {
        matmulForward(y, x, w, N: N, I: I, O: O, accumulate: accumulate)
        return
    }
    let chunk = max(8, min(O, smallLimit / (N * I)) / 8 * 8)
    let chunks = (O + chunk - 1) / chunk
    Parallel.forEachWithSerialBLAS(chunks) { c in
        let o0 = c * chunk, width = min(chunk, O - o0)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(N), Int32(width), Int32(I),
                    1, x, Int32(I), w + o0 * I, Int32(I), accumulate ? 1 : 0, y + o0, Int32(O))
    }
}
