import CBLAS

// Linear layers through cblas_sgemm in the three layouts a forward/backward pair needs.
// Legend: N rows (B*T), I input features, O output features. Weights are stored [O, I] (PyTorch layout).

/// y = x Wᵀ.  y: [N,O], x: [N,I], w: [O,I]. `accumulate` adds into y instead of overwriting.
@inline(__always)
public func matmulForward(_ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>,
                          N: Int, I: Int, O: Int, accumulate: Bool = false) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(N), Int32(O), Int32(I),
                1, x, Int32(I), w, Int32(I), accumulate ? 1 : 0, y, Int32(O))
}

/// dx (+)= dy W.  dx: [N,I], dy: [N,O], w: [O,I].
@inline(__always)
public func matmulBackwardInput(_ dx: UnsafeMutablePointer<Float>, _ dy: UnsafePointer<Float>, _ w: UnsafePointer<Float>,
                                N: Int, I: Int, O: Int, accumulate: Bool) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(N), Int32(I), Int32(O),
                1, dy, Int32(O), w, Int32(I), accumulate ? 1 : 0, dx, Int32(I))
}

/// dW += dyᵀ x.  dw: [O,I], dy: [N,O], x: [N,I].
@inline(__always)
public func matmulBackwardWeight(_ dw: UnsafeMutablePointer<Float>, _ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>,
                                 N: Int, I: Int, O: Int) {
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(O), Int32(I), Int32(N),
                1, dy, Int32(O), x, Int32(I), 1, dw, Int32(I))
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
