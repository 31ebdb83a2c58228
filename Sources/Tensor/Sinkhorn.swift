// Sinkhorn-Knopp projection of n×n logit matrices, forward and backward (the H_res map of mHC).
//
//   M⁰ = exp(Z − max Z)
//   repeat `iterations` times:  divide each column by its sum, then each row by its sum.
//
// The result's rows sum to 1 up to Float rounding (the row normalisation is the last step);
// its columns approach 1 as `iterations` grows. Sums are plain left-to-right Float sums and the
// normalisation is a true division (not a multiply by the reciprocal), so results are
// reproducible and easy to mirror in another framework.
//
// The kernels work on 8 matrices at once: element k of 8 matrices lives in one SIMD8<Float>
// ("lanes"), so one vector division normalises 8 tokens. Every lane is computed with exactly the
// scalar operation sequence, so a matrix gives the same bits alone (N = 1) or inside a batch.
//
// Iterate layout (backward): [2·iterations + 1][n·n] lanes
//   iterate 0       = M⁰
//   iterate 2k + 1  = after the (k+1)-th column normalisation
//   iterate 2k + 2  = after the (k+1)-th row normalisation   (the last one is the output)
// For n = 4 and 20 iterations that is 41·16·8 floats = 21 KB per block of 8 tokens: the backward
// pass recomputes it per block (L1-resident) instead of storing it for every token.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Eight matrices side by side: element k of lane l belongs to matrix l.
typealias SinkhornLanes = SIMD8<Float>

/// Sinkhorn-Knopp forward of one matrix.
/// - z:   [n, n] logits, row-major (z[i·n + j]).
/// - out: [n, n] result; may be the same pointer as `z`.
public func sinkhornForward(z: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, n: Int, iterations: Int) {
    precondition(n >= 1 && iterations >= 0, "Sinkhorn: n must be ≥ 1 and iterations ≥ 0")
    let nn = n * n
    withUnsafeTemporaryAllocation(of: SinkhornLanes.self, capacity: 2 * nn) { buf in
        let zl = buf.baseAddress!, m = zl + nn
        for k in 0..<nn { zl[k] = SinkhornLanes(repeating: z[k]) }
        sinkhornLanesExp(zl, m, nn)
        for _ in 0..<iterations {
            sinkhornLanesColumns(m, m, n)
            sinkhornLanesRows(m, m, n)
        }
        for k in 0..<nn { out[k] = m[k][0] }
    }
}

/// Sinkhorn-Knopp backward of one matrix, through every iteration (recomputes the iterates).
/// - z:    [n, n] the logits of the forward call.
/// - dOut: [n, n] gradient w.r.t. the output.
/// - dZ:   [n, n] OVERWRITTEN with the gradient w.r.t. `z`; may be the same pointer as `dOut`.
public func sinkhornBackward(z: UnsafePointer<Float>, dOut: UnsafePointer<Float>, dZ: UnsafeMutablePointer<Float>,
                             n: Int, iterations: Int) {
    precondition(n >= 1 && iterations >= 0, "Sinkhorn: n must be ≥ 1 and iterations ≥ 0")
    let nn = n * n
    withUnsafeTemporaryAllocation(of: SinkhornLanes.self, capacity: (2 * iterations + 3) * nn) { buf in
        let zl = buf.baseAddress!, g = zl + nn, iterates = g + nn
        for k in 0..<nn {
            zl[k] = SinkhornLanes(repeating: z[k])
            g[k] = SinkhornLanes(repeating: dOut[k])
        }
        sinkhornLanesForwardSavingIterates(zl, iterates, n, iterations)
        sinkhornLanesBackward(zl, iterates, g, n, iterations)
        for k in 0..<nn { dZ[k] = g[k][0] }
    }
}

/// m[k] = exp(z[k] − max_k z[k]) per lane.
@inline(__always)
func sinkhornLanesExp(_ z: UnsafePointer<SinkhornLanes>, _ m: UnsafeMutablePointer<SinkhornLanes>, _ nn: Int) {
    var zmax = SinkhornLanes(repeating: -.infinity)
    for k in 0..<nn { zmax = pointwiseMax(zmax, z[k]) }
    for k in 0..<nn {
        let d = z[k] - zmax
        var e = SinkhornLanes()
        for l in 0..<SinkhornLanes.scalarCount { e[l] = expf(d[l]) }
        m[k] = e
    }
}

/// out[:, j] = inp[:, j] / Σ_i inp[i, j]; `out` may equal `inp`.
@inline(__always)
func sinkhornLanesColumns(_ inp: UnsafePointer<SinkhornLanes>, _ out: UnsafeMutablePointer<SinkhornLanes>, _ n: Int) {
    for j in 0..<n {
        var c = inp[j]
        for i in 1..<n { c += inp[i * n + j] }
        for i in 0..<n { out[i * n + j] = inp[i * n + j] / c }
    }
}

/// out[i, :] = inp[i, :] / Σ_j inp[i, j]; `out` may equal `inp`.
@inline(__always)
func sinkhornLanesRows(_ inp: UnsafePointer<SinkhornLanes>, _ out: UnsafeMutablePointer<SinkhornLanes>, _ n: Int) {
    for i in 0..<n {
        var s = inp[i * n]
        for j in 1..<n { s += inp[i * n + j] }
        for j in 0..<n { out[i * n + j] = inp[i * n + j] / s }
    }
}

/// Forward from logits `z` [n·n lanes], writing all 2·iterations + 1 iterates (layout in the header).
@inline(__always)
func sinkhornLanesForwardSavingIterates(_ z: UnsafePointer<SinkhornLanes>, _ iterates: UnsafeMutablePointer<SinkhornLanes>,
                                        _ n: Int, _ iterations: Int) {
    let nn = n * n
    sinkhornLanesExp(z, iterates, nn)
    var src = iterates
    for _ in 0..<iterations {
        sinkhornLanesColumns(src, src + nn, n)
        sinkhornLanesRows(src + nn, src + 2 * nn, n)
        src += 2 * nn
    }
}

/// Backward through every iteration. On entry `g` holds dOut; on exit it holds dZ.
///
/// Column step P' = P / c (c_j = Σ_i P_ij):  dP_ij = (dP'_ij − Σ_i' dP'_i'j·P'_i'j) / c_j; rows alike.
/// (The backward multiplies by 1/c_j, n divisions per step instead of n²; the forward divides.)
/// The shift by max Z is differentiated too: dZ_l = g_l·M⁰_l − [l = argmax]·Σ_k g_k·M⁰_k (the
/// second term is ≈ 0 once iterations ≥ 1, because the normalised result ignores a scale of M⁰).
@inline(__always)
func sinkhornLanesBackward(_ z: UnsafePointer<SinkhornLanes>, _ iterates: UnsafePointer<SinkhornLanes>,
                           _ g: UnsafeMutablePointer<SinkhornLanes>, _ n: Int, _ iterations: Int) {
    let nn = n * n
    var step = 2 * iterations
    while step > 0 {
        let out = iterates + step * nn        // P_step
        let inp = iterates + (step - 1) * nn  // P_{step-1}
        if step % 2 == 0 {
            for i in 0..<n {                  // row normalisation: out[i,j] = inp[i,j] / s_i
                var s = inp[i * n]
                for j in 1..<n { s += inp[i * n + j] }
                var gp = SinkhornLanes()
                for j in 0..<n { gp = (gp + g[i * n + j] * out[i * n + j]) }
                let inv = 1 / s
                for j in 0..<n { g[i * n + j] = (g[i * n + j] - gp) * inv }
            }
        } else {
            for j in 0..<n {                  // column normalisation: out[i,j] = inp[i,j] / c_j
                var c = inp[j]
                for i in 1..<n { c += inp[i * n + j] }
                var gp = SinkhornLanes()
                for i in 0..<n { gp = (gp + g[i * n + j] * out[i * n + j]) }
                let inv = 1 / c
                for i in 0..<n { g[i * n + j] = (g[i * n + j] - gp) * inv }
            }
        }
        step -= 1
    }
    var zmax = SinkhornLanes(repeating: -.infinity)
    for k in 0..<nn { zmax = pointwiseMax(zmax, z[k]) }
    var total = SinkhornLanes()
    for k in 0..<nn {
        g[k] *= iterates[k]
        total += g[k]
    }
    var done = SIMDMask<SinkhornLanes.MaskStorage>(repeating: false)
    for k in 0..<nn {
        let hit = (z[k] .== zmax) .& .!done
        g[k] -= SinkhornLanes().replacing(with: total, where: hit)
        done .|= hit
    }
}
