// mHC coefficients for every token row: forward and backward.
//
// Legend: N token rows (B·T), n streams, C d_model, K = n² + 2n.
//
//   x  = vec(X[t]) ∈ R^{nC}                 X: [N, n, C]
//   r  = 1 / sqrt(mean(x²) + eps)            (mean over all nC entries)
//   h  = r · (x φᵀ) ∈ R^K                    φ: [K, nC] stored [out, in]
//   H_pre  = sigmoid(α0·h[0:n]   + b[0:n])            [N, n]
//   H_post = 2·sigmoid(α1·h[n:2n] + b[n:2n])          [N, n]
//   H_res  = SinkhornKnopp(α2·h[2n:] + b[2n:] as n×n) [N, n, n]   (row i = output stream i)
//
// The projection x φᵀ for all rows is one cblas_sgemm ([N, nC] × [nC, K]); with N = 1 (KV-cached
// decoding) it is one cblas_sgemv, and the per-call scratch comes from withUnsafeTemporaryAllocation
// (stack-allocated when it fits, as it does for these sizes), so small calls have little overhead.
//
// What the backward pass needs is kept in `MHCCoefficientCache`: r [N] and h [N, K] (plus [N, K]
// of backward scratch). The Sinkhorn iterates are NOT stored: the backward pass recomputes them for
// blocks of 8 tokens (21 KB on the stack for n = 4, 20 iterations), which costs one extra Sinkhorn
// forward (a few % of the coefficient work) and saves (2·iters + 1)·n²·N floats per sub-layer
// (5.4 MB at N = 2048, n = 4, iters 20).

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CBLAS

/// K = n² + 2n, the number of coefficient logits per token.
@inlinable
public func mhcCoefficientCount(streams n: Int) -> Int { n * n + 2 * n }

/// Caller-owned storage for what `mhcCoefficientsBackward` needs from `mhcCoefficientsForward`.
/// Carve it from an activation slab with `init(base:rows:streams:)` (`floatCount` floats), or use
/// `allocate`/`deallocate`. Valid for exactly the forward call that filled it.
public struct MHCCoefficientCache: @unchecked Sendable {   // a view; the caller synchronises
    public let rows: Int
    public let streams: Int
    /// r per row: [N].
    public let rms: UnsafeMutablePointer<Float>
    /// h = r·(x φᵀ) per row, before α and b: [N, K].
    public let h: UnsafeMutablePointer<Float>
    /// Backward scratch: ∂L/∂(x φᵀ) [N, K].
    let dProjection: UnsafeMutablePointer<Float>

    /// Floats needed for `rows` tokens and `streams` streams: N·(2K + 1).
    public static func floatCount(rows: Int, streams: Int) -> Int {
        rows * (2 * mhcCoefficientCount(streams: streams) + 1)
    }

    /// Views `floatCount(rows:streams:)` floats starting at `base` (not owned).
    public init(base: UnsafeMutablePointer<Float>, rows: Int, streams: Int) {
        let k = mhcCoefficientCount(streams: streams)
        self.rows = rows
        self.streams = streams
        rms = base
        h = base + rows
        dProjection = base + rows + rows * k
    }

    /// A cache owning fresh memory; release it with `deallocate()`.
    public static func allocate(rows: Int, streams: Int) -> MHCCoefficientCache {
        let count = floatCount(rows: rows, streams: streams)
        let base = UnsafeMutablePointer<Float>.allocate(capacity: max(count, 1))
        base.initialize(repeating: 0, count: count)
        return MHCCoefficientCache(base: base, rows: rows, streams: streams)
    }

    /// Frees memory obtained from `allocate` (never call on a view of someone else's slab).
    public func deallocate() { rms.deallocate() }
}

/// Coefficients forward for all N rows, optionally fused with the pre-aggregation.
/// - x:     [N, n, C] streams (row t is the flattened x ∈ R^{nC}).
/// - phi:   [K, nC];  alpha: [3];  bias: [K].
/// - hPre:  [N, n] out;  hPost: [N, n] out;  hRes: [N, n, n] out.
/// - cache: made for `rows ≥ N` (a cache sized for the largest batch serves smaller calls) and the
///   same `streams`; filled for the backward pass.
/// - eps:   added to mean(x²) (the model's norm_eps).
/// - preAggregate: optional u [N, C] out, u[t] = Σ_i H_pre[t,i]·X[t,i] (same as `mhcPreAggregateForward`,
///   but done while the row is in cache).
/// - threads: row-parallel width of the per-row work (the sgemm uses OpenBLAS's own threads).
public func mhcCoefficientsForward(
    x: UnsafePointer<Float>, phi: UnsafePointer<Float>, alpha: UnsafePointer<Float>, bias: UnsafePointer<Float>,
    hPre: UnsafeMutablePointer<Float>, hPost: UnsafeMutablePointer<Float>, hRes: UnsafeMutablePointer<Float>,
    cache: MHCCoefficientCache, rows: Int, streams n: Int, width c: Int, eps: Float, sinkhornIterations: Int,
    preAggregate u: UnsafeMutablePointer<Float>? = nil, threads: Int = 1
) {
    precondition(n >= 1 && c >= 1 && rows >= 0 && sinkhornIterations >= 0, "mHC coefficients: bad shape")
    precondition(cache.rows >= rows && cache.streams == n, "mHC coefficients: cache is for another shape")
    guard rows > 0 else { return }
    let k = mhcCoefficientCount(streams: n), nc = n * c, nn = n * n
    // p = x φᵀ for every row (scaled by r below, giving h).
    if rows == 1 {
        cblas_sgemv(CblasRowMajor, CblasNoTrans, Int32(k), Int32(nc), 1, phi, Int32(nc), x, 1, 0, cache.h, 1)
    } else {
        // through the Matmul wrapper so the work is split over Parallel's workers (OpenBLAS is single-threaded)
        matmulForward(cache.h, x, phi, N: rows, I: nc, O: k)
    }
    let a0 = alpha[0], a1 = alpha[1], a2 = alpha[2]
    MHCRowChunks.run(rows: rows, threads: threads, grain: 32) { _, range in
        withUnsafeTemporaryAllocation(of: SinkhornLanes.self, capacity: 2 * nn) { buf in
            let z = buf.baseAddress!, m = z + nn
            var t0 = range.lowerBound
            while t0 < range.upperBound {
                let lanes = min(SinkhornLanes.scalarCount, range.upperBound - t0)
                for t in t0..<(t0 + lanes) {
                    let xt = x + t * nc, h = cache.h + t * k
                    let r = 1 / (MHCVector.sumOfSquares(xt, nc) / Float(nc) + eps).squareRoot()
                    cache.rms[t] = r
                    for j in 0..<k { h[j] *= r }
                    for i in 0..<n {
                        hPre[t * n + i] = mhcSigmoid(a0 * h[i] + bias[i])
                        hPost[t * n + i] = 2 * mhcSigmoid(a1 * h[n + i] + bias[n + i])
                    }
                    if let u {
                        let ut = u + t * c, w = hPre + t * n
                        MHCVector.scaled(w[0], xt, ut, c)
                        for i in 1..<n { MHCVector.axpy(w[i], xt + i * c, ut, c) }
                    }
                }
                mhcGatherResLogits(cache.h, alpha: a2, bias: bias, z, t0: t0, lanes: lanes, n: n, k: k)
                sinkhornLanesExp(z, m, nn)
                for _ in 0..<sinkhornIterations {
                    sinkhornLanesColumns(m, m, n)
                    sinkhornLanesRows(m, m, n)
                }
                for l in 0..<lanes {
                    let out = hRes + (t0 + l) * nn
                    for q in 0..<nn { out[q] = m[q][l] }
                }
                t0 += lanes
            }
        }
    }
}

/// Coefficients backward, optionally fused with the pre-aggregation backward. All gradients ACCUMULATE (+=).
/// - dHPre: [N, n] or nil (= 0);  dHPost: [N, n];  dHRes: [N, n, n]   gradients w.r.t. the forward outputs.
/// - x, phi, alpha, bias, cache: exactly as given to / filled by the forward call.
/// - dX: [N, n, C] +=;  dPhi: [K, nC] +=;  dAlpha: [3] +=;  dBias: [K] +=.
/// - preAggregateGradient: optional dU [N, C], the gradient w.r.t. u of the fused forward; then this call
///   also does `mhcPreAggregateBackward` (dX += H_pre·dU, and ⟨dU, X_i⟩ is added to ∂L/∂H_pre).
/// - threads: row-parallel width of the per-row work (the two sgemm use OpenBLAS's own threads).
public func mhcCoefficientsBackward(
    dHPre: UnsafePointer<Float>?, dHPost: UnsafePointer<Float>, dHRes: UnsafePointer<Float>,
    x: UnsafePointer<Float>, phi: UnsafePointer<Float>, alpha: UnsafePointer<Float>, bias: UnsafePointer<Float>,
    cache: MHCCoefficientCache,
    dX: UnsafeMutablePointer<Float>, dPhi: UnsafeMutablePointer<Float>,
    dAlpha: UnsafeMutablePointer<Float>, dBias: UnsafeMutablePointer<Float>,
    rows: Int, streams n: Int, width c: Int, sinkhornIterations: Int,
    preAggregateGradient dU: UnsafePointer<Float>? = nil, threads: Int = 1
) {
    precondition(n >= 1 && c >= 1 && rows >= 0 && sinkhornIterations >= 0, "mHC coefficients: bad shape")
    precondition(cache.rows >= rows && cache.streams == n, "mHC coefficients: cache is for another shape")
    guard rows > 0 else { return }
    let k = mhcCoefficientCount(streams: n), nc = n * c, nn = n * n
    let a0 = alpha[0], a1 = alpha[1], a2 = alpha[2]
    let dP = cache.dProjection          // ∂L/∂p with p = x φᵀ (h = r·p)
    let chunks = MHCRowChunks.count(rows: rows, threads: threads, grain: 32)
    // Per-chunk partial sums of ∂L/∂b [K] and ∂L/∂α [3] in Double, added in chunk order afterwards.
    withUnsafeTemporaryAllocation(of: Double.self, capacity: chunks * (k + 3)) { partials in
        let partial = partials.baseAddress!
        partial.initialize(repeating: 0, count: chunks * (k + 3))
        MHCRowChunks.run(rows: rows, threads: threads, grain: 32) { chunk, range in
            let db = partial + chunk * (k + 3), dAl = db + k
            withUnsafeTemporaryAllocation(of: SinkhornLanes.self, capacity: (2 * sinkhornIterations + 3) * nn) { buf in
                let z = buf.baseAddress!, gl = z + nn, iterates = gl + nn
                var t0 = range.lowerBound
                while t0 < range.upperBound {
                    let lanes = min(SinkhornLanes.scalarCount, range.upperBound - t0)
                    // H_pre (with the pre-aggregation's share) and H_post: dh = α·∂L/∂a.
                    for t in t0..<(t0 + lanes) {
                        let h = cache.h + t * k, g = dP + t * k, xt = x + t * nc
                        for i in 0..<n {
                            var dpre = dHPre?[t * n + i] ?? 0
                            if let dU { dpre += MHCVector.dot(dU + t * c, xt + i * c, c) }
                            let s = mhcSigmoid(a0 * h[i] + bias[i])
                            let da = dpre * s * (1 - s)
                            dAl[0] += Double(da * h[i]); db[i] += Double(da); g[i] = a0 * da
                            let sp = mhcSigmoid(a1 * h[n + i] + bias[n + i])
                            let dap = dHPost[t * n + i] * 2 * sp * (1 - sp)
                            dAl[1] += Double(dap * h[n + i]); db[n + i] += Double(dap); g[n + i] = a1 * dap
                        }
                    }
                    // H_res: recompute the Sinkhorn iterates of these rows, backpropagate through them.
                    mhcGatherResLogits(cache.h, alpha: a2, bias: bias, z, t0: t0, lanes: lanes, n: n, k: k)
                    for q in 0..<nn {
                        var v = SinkhornLanes()
                        for l in 0..<lanes { v[l] = dHRes[(t0 + l) * nn + q] }
                        gl[q] = v
                    }
                    sinkhornLanesForwardSavingIterates(z, iterates, n, sinkhornIterations)
                    sinkhornLanesBackward(z, iterates, gl, n, sinkhornIterations)
                    for l in 0..<lanes {
                        let t = t0 + l, h = cache.h + t * k, g = dP + t * k, r = cache.rms[t]
                        for q in 0..<nn {
                            let dz = gl[q][l]
                            dAl[2] += Double(dz * h[2 * n + q]); db[2 * n + q] += Double(dz); g[2 * n + q] = a2 * dz
                        }
                        // Through h = r·p:  ∂L/∂p = r·∂L/∂h;  ∂L/∂r = Σ_j ∂L/∂h_j·p_j = (∂L/∂h · h)/r;
                        // ∂r/∂x = −r³·x/(nC), so x picks up −(∂L/∂h · h)·r²/(nC) (added here while the
                        // row is cached; the φ path is added by the sgemm below).
                        var gh: Float = 0
                        for j in 0..<k { gh += g[j] * h[j] }
                        for j in 0..<k { g[j] *= r }
                        let coefficient = -gh * r * r / Float(nc)
                        let xt = x + t * nc, dxt = dX + t * nc
                        if let dU {          // dX[i] += coefficient·X[i] + H_pre[i]·dU, one pass per stream
                            for i in 0..<n {
                                MHCVector.axpy2(coefficient, xt + i * c, mhcSigmoid(a0 * h[i] + bias[i]), dU + t * c,
                                                dxt + i * c, c)
                            }
                        } else {
                            MHCVector.axpy(coefficient, xt, dxt, nc)
                        }
                    }
                    t0 += lanes
                }
            }
        }
        for chunk in 0..<chunks {
            let db = partial + chunk * (k + 3)
            for j in 0..<k { dBias[j] += Float(db[j]) }
            for j in 0..<3 { dAlpha[j] += Float(db[k + j]) }
        }
    }
    if rows == 1 {
        cblas_sgemv(CblasRowMajor, CblasTrans, Int32(k), Int32(nc), 1, phi, Int32(nc), dP, 1, 1, dX, 1)
        cblas_sger(CblasRowMajor, Int32(k), Int32(nc), 1, dP, 1, x, 1, dPhi, Int32(nc))
    } else {
        // dX [N, nC] += dP [N, K] · φ [K, nC]
        matmulBackwardInput(dX, dP, phi, N: rows, I: nc, O: k, accumulate: true)
        // dφ [K, nC] += dPᵀ [K, N] · X [N, nC]
        matmulBackwardWeight(dPhi, dP, x, N: rows, I: nc, O: k)
    }
}

@inline(__always)
func mhcSigmoid(_ a: Float) -> Float { 1 / (1 + expf(-a)) }

/// z[q] lane l = α2·h[t0 + l][2n + q] + b[2n + q]; lanes ≥ `lanes` get 0 (a harmless dummy matrix).
@inline(__always)
func mhcGatherResLogits(_ hAll: UnsafePointer<Float>, alpha a2: Float, bias: UnsafePointer<Float>,
                        _ z: UnsafeMutablePointer<SinkhornLanes>, t0: Int, lanes: Int, n: Int, k: Int) {
    for q in 0..<(n * n) {
        var v = SinkhornLanes()
        for l in 0..<lanes { v[l] = a2 * hAll[(t0 + l) * k + 2 * n + q] + bias[2 * n + q] }
        z[q] = v
    }
}
