import Foundation

// Sinkhorn–Knopp projection of one n×n logit matrix (the H_res map), used by the model's mHC glue.
// M⁰ = exp(Z − max Z); repeat `iterations` times: divide each column by its sum, then each row by its sum.

/// out: [n, n] ← SinkhornKnopp(z: [n, n]).
func sinkhornKnopp(_ z: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, n: Int, iterations: Int) {
    let nn = n * n
    var zmax = -Float.infinity
    for k in 0..<nn { zmax = max(zmax, z[k]) }
    for k in 0..<nn { out[k] = expf(z[k] - zmax) }
    for _ in 0..<iterations { sinkhornColumns(out, out, n); sinkhornRows(out, out, n) }
}

/// dZ: [n, n] ← ∂L/∂z given dOut = ∂L/∂out, differentiating through every iteration (iterates recomputed).
/// dZ may alias dOut. The max shift has no gradient: the output is invariant to scaling M⁰.
func sinkhornKnoppBackward(_ z: UnsafePointer<Float>, dOut: UnsafePointer<Float>, dZ: UnsafeMutablePointer<Float>,
                           n: Int, iterations: Int) {
    let nn = n * n
    withUnsafeTemporaryAllocation(of: Float.self, capacity: (2 * iterations + 2) * nn) { buf in
        let it = buf.baseAddress!, g = it + (2 * iterations + 1) * nn
        var zmax = -Float.infinity
        for k in 0..<nn { zmax = max(zmax, z[k]) }
        for k in 0..<nn { it[k] = expf(z[k] - zmax) }
        for t in 0..<iterations {
            sinkhornColumns(it + (2 * t) * nn, it + (2 * t + 1) * nn, n)
            sinkhornRows(it + (2 * t + 1) * nn, it + (2 * t + 2) * nn, n)
        }
        for k in 0..<nn { g[k] = dOut[k] }
        for t in stride(from: iterations - 1, through: 0, by: -1) {
            // rows: A = M / rowsum(M); dM = (dA − Σ_j dA·A) / rowsum
            let mr = it + (2 * t + 1) * nn, ar = it + (2 * t + 2) * nn
            for i in 0..<n {
                var s: Float = 0, dot: Float = 0
                for j in 0..<n { s += mr[i * n + j]; dot += g[i * n + j] * ar[i * n + j] }
                for j in 0..<n { g[i * n + j] = (g[i * n + j] - dot) / s }
            }
            let mc = it + (2 * t) * nn, ac = mr
            for j in 0..<n {
                var s: Float = 0, dot: Float = 0
                for i in 0..<n { s += mc[i * n + j]; dot += g[i * n + j] * ac[i * n + j] }
                for i in 0..<n { g[i * n + j] = (g[i * n + j] - dot) / s }
            }
        }
        for k in 0..<nn { dZ[k] = g[k] * it[k] }
    }
}

@inline(__always)
private func sinkhornColumns(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ n: Int) {
    for j in 0..<n {
        var s: Float = 0
        for i in 0..<n { s += src[i * n + j] }
        for i in 0..<n { dst[i * n + j] = src[i * n + j] / s }
    }
}

@inline(__always)
private func sinkhornRows(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ n: Int) {
    for i in 0..<n {
        var s: Float = 0
        for j in 0..<n { s += src[i * n + j] }
        for j in 0..<n { dst[i * n + j] = src[i * n + j] / s }
    }
}
