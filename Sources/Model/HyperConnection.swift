import Foundation
import Tensor

// mHC glue of one sub-layer (n > 1). Legend: N rows, n streams, C d_model, m = n²+2n coefficients.
// Coefficient vector layout per row: h[0..<n] → H_pre, h[n..<2n] → H_post, h[2n..<2n+n²] → H_res (row-major i·n+j).
// Each helper parallelises over rows; reductions into parameter gradients use per-chunk partials.

extension MHCModel {
    /// Coefficients and u = Σ_i H_pre[i]·X[i] for sub-layer s.
    func hcPreForward(_ a: Activations, s: Int, block blk: LayerNames.Block, which: Int) {
        let c = config, N = a.N, C = c.dModel, n = c.nStreams, m = c.hcCoefficients, nC = n * C
        let X = a.streams[s], r = a.hcRstd[s], h = a.hcProj[s]
        let pre = a.hcPre[s], post = a.hcPost[s], zres = a.hcResLogits[s], res = a.hcRes[s], u = a.mixed[s]
        let bias = weight(blk.hcBias[which]), alpha = weight(blk.hcAlpha[which])
        let eps = c.normEps, iters = c.sinkhornIters
        matmulForward(h, X, weight(blk.hcPhi[which]), N: N, I: nC, O: m)   // X·φᵀ, scaled by r below
        Parallel.forRanges(N, grain: 16) { rows in
            for row in rows {
                let x = X + row * nC
                var ss: Float = 0
                for k in 0..<nC { ss += x[k] * x[k] }
                let rr = 1 / (ss / Float(nC) + eps).squareRoot()
                r[row] = rr
                let hr = h + row * m
                for k in 0..<m { hr[k] *= rr }
                for i in 0..<n {
                    pre[row * n + i] = 1 / (1 + expf(-(alpha[0] * hr[i] + bias[i])))
                    post[row * n + i] = 2 / (1 + expf(-(alpha[1] * hr[n + i] + bias[n + i])))
                }
                let zr = zres + row * n * n
                for k in 0..<(n * n) { zr[k] = alpha[2] * hr[2 * n + k] + bias[2 * n + k] }
                sinkhornKnopp(zr, out: res + row * n * n, n: n, iterations: iters)
                let ur = u + row * C
                let p0 = pre[row * n]
                for cc in 0..<C { ur[cc] = p0 * x[cc] }
                for i in 1..<n {
                    let pi = pre[row * n + i], xi = x + i * C
                    for cc in 0..<C { ur[cc] += pi * xi[cc] }
                }
            }
        }
    }

    /// X[s+1][i] = Σ_j H_res[i,j]·X[s][j] + H_post[i]·y.
    func hcPostForward(_ a: Activations, s: Int) {
        let c = config, N = a.N, C = c.dModel, n = c.nStreams, nC = n * C
        let X = a.streams[s], Xn = a.streams[s + 1], y = a.out[s], res = a.hcRes[s], post = a.hcPost[s]
        Parallel.forRanges(N, grain: 16) { rows in
            for row in rows {
                let x = X + row * nC, o = Xn + row * nC, yr = y + row * C, hr = res + row * n * n
                for i in 0..<n {
                    let oi = o + i * C, pi = post[row * n + i]
                    for cc in 0..<C { oi[cc] = pi * yr[cc] }
                    for j in 0..<n {
                        let w = hr[i * n + j], xj = x + j * C
                        for cc in 0..<C { oi[cc] += w * xj[cc] }
                    }
                }
            }
        }
    }

    /// From dX' = ∂L/∂X[s+1]: dy = Σ_i H_post[i]·dX'[i]; dX (overwritten) = H_resᵀ·dX';
    /// stores ∂L/∂H_post and ∂L/∂H_res into the coefficient-gradient rows (a.dHC).
    func hcPostBackward(_ a: Activations, s: Int, dXnext D: UnsafeMutablePointer<Float>,
                        dy: UnsafeMutablePointer<Float>, dX: UnsafeMutablePointer<Float>) {
        let c = config, N = a.N, C = c.dModel, n = c.nStreams, nC = n * C, m = c.hcCoefficients
        let X = a.streams[s], y = a.out[s], res = a.hcRes[s], post = a.hcPost[s], dH = a.dHC
        Parallel.forRanges(N, grain: 16) { rows in
            for row in rows {
                let d = D + row * nC, x = X + row * nC, yr = y + row * C, hr = res + row * n * n
                let dyr = dy + row * C, dxr = dX + row * nC, dh = dH + row * m
                for cc in 0..<C { dyr[cc] = 0 }
                for j in 0..<(n * C) { dxr[j] = 0 }
                for i in 0..<n {
                    let di = d + i * C, pi = post[row * n + i]
                    var dp: Float = 0
                    for cc in 0..<C { dyr[cc] += pi * di[cc]; dp += di[cc] * yr[cc] }
                    dh[n + i] = dp
                    for j in 0..<n {
                        let xj = x + j * C, dxj = dxr + j * C, w = hr[i * n + j]
                        var dr: Float = 0
                        for cc in 0..<C { dr += di[cc] * xj[cc]; dxj[cc] += w * di[cc] }
                        dh[2 * n + i * n + j] = dr
                    }
                }
            }
        }
    }

    /// Backward of u = Σ H_pre[i]·X[i] and of the coefficient computation; ACCUMULATES into dX and into
    /// the φ, bias, alpha gradients. Expects a.dHC to hold ∂L/∂H_post and ∂L/∂H_res from hcPostBackward.
    func hcPreBackward(_ a: Activations, s: Int, block blk: LayerNames.Block, which: Int,
                       du: UnsafeMutablePointer<Float>, dX: UnsafeMutablePointer<Float>) {
        let c = config, N = a.N, C = c.dModel, n = c.nStreams, nC = n * C, m = c.hcCoefficients
        let X = a.streams[s], r = a.hcRstd[s], h = a.hcProj[s]
        let pre = a.hcPre[s], post = a.hcPost[s], zres = a.hcResLogits[s], dH = a.dHC
        let alpha = weight(blk.hcAlpha[which])
        let dBias = gradient(blk.hcBias[which]), dAlpha = gradient(blk.hcAlpha[which])
        let iters = c.sinkhornIters
        let lock = NSLock()
        Parallel.forRanges(N, grain: 16) { rows in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: m + 3) { partial in
                let pb = partial.baseAddress!, pa = pb + m
                pb.initialize(repeating: 0, count: m + 3)
                for row in rows {
                    let x = X + row * nC, dur = du + row * C, dxr = dX + row * nC, dh = dH + row * m, hr = h + row * m
                    // ∂L/∂H_pre and the u → X path
                    for i in 0..<n {
                        let xi = x + i * C, dxi = dxr + i * C, pi = pre[row * n + i]
                        var dp: Float = 0
                        for cc in 0..<C { dp += dur[cc] * xi[cc]; dxi[cc] += pi * dur[cc] }
                        dh[i] = dp
                    }
                    // through the activations to the pre-activation logits
                    for i in 0..<n {
                        let p = pre[row * n + i], q = post[row * n + i]
                        dh[i] *= p * (1 - p)
                        dh[n + i] *= q * (1 - q / 2)
                    }
                    sinkhornKnoppBackward(zres + row * n * n, dOut: dh + 2 * n, dZ: dh + 2 * n, n: n, iterations: iters)
                    for k in 0..<m { pb[k] += dh[k] }
                    for i in 0..<n { pa[0] += dh[i] * hr[i]; pa[1] += dh[n + i] * hr[n + i] }
                    for k in 0..<(n * n) { pa[2] += dh[2 * n + k] * hr[2 * n + k] }
                    // ∂L/∂h, then scaled by r (h = r·X·φᵀ) for the φ and X gradients below
                    let rr = r[row]
                    for i in 0..<n { dh[i] *= alpha[0] * rr; dh[n + i] *= alpha[1] * rr }
                    for k in 0..<(n * n) { dh[2 * n + k] *= alpha[2] * rr }
                }
                lock.lock()
                for k in 0..<m { dBias[k] += pb[k] }
                for k in 0..<3 { dAlpha[k] += pa[k] }
                lock.unlock()
            }
        }
        // dφ += (r·dh)ᵀ X;  g = (r·dh) φ = r·∂L/∂x̂;  dX += g − r²·x·(x·g)/(nC)
        matmulBackwardWeight(gradient(blk.hcPhi[which]), dH, X, N: N, I: nC, O: m)
        let g = a.dHCStreams
        matmulBackwardInput(g, dH, weight(blk.hcPhi[which]), N: N, I: nC, O: m, accumulate: false)
        Parallel.forRanges(N, grain: 16) { rows in
            for row in rows {
                let x = X + row * nC, gr = g + row * nC, dxr = dX + row * nC, rr = r[row]
                var dot: Float = 0
                for k in 0..<nC { dot += x[k] * gr[k] }
                let kk = rr * rr * dot / Float(nC)
                for k in 0..<nC { dxr[k] += gr[k] - kk * x[k] }
            }
        }
    }
}

/// X[row, i, :] = e[row, :] for every stream i.  X: [N, n, C], e: [N, C].
func expandStreams(_ X: UnsafeMutablePointer<Float>, _ e: UnsafePointer<Float>, N: Int, n: Int, C: Int) {
    Parallel.forRanges(N, grain: 64) { rows in
        for row in rows { for i in 0..<n { (X + (row * n + i) * C).update(from: e + row * C, count: C) } }
    }
}

/// de[row, :] = Σ_i dX[row, i, :].  de: [N, C], dX: [N, n, C].
func expandStreamsBackward(_ de: UnsafeMutablePointer<Float>, _ dX: UnsafePointer<Float>, N: Int, n: Int, C: Int) {
    Parallel.forRanges(N, grain: 64) { rows in
        for row in rows {
            let d = de + row * C
            d.update(from: dX + row * n * C, count: C)
            for i in 1..<n { let s = dX + (row * n + i) * C; for cc in 0..<C { d[cc] += s[cc] } }
        }
    }
}

/// x[row, :] = mean_i X[row, i, :].  x: [N, C], X: [N, n, C].
func collapseStreams(_ x: UnsafeMutablePointer<Float>, _ X: UnsafePointer<Float>, N: Int, n: Int, C: Int) {
    let inv = 1 / Float(n)
    Parallel.forRanges(N, grain: 64) { rows in
        for row in rows {
            let o = x + row * C
            o.update(from: X + row * n * C, count: C)
            for i in 1..<n { let s = X + (row * n + i) * C; for cc in 0..<C { o[cc] += s[cc] } }
            for cc in 0..<C { o[cc] *= inv }
        }
    }
}

/// dX[row, i, :] = dx[row, :] / n.
func collapseStreamsBackward(_ dX: UnsafeMutablePointer<Float>, _ dx: UnsafePointer<Float>, N: Int, n: Int, C: Int) {
    let inv = 1 / Float(n)
    Parallel.forRanges(N, grain: 64) { rows in
        for row in rows { for i in 0..<n {
            let d = dX + (row * n + i) * C, s = dx + row * C
            for cc in 0..<C { d[cc] = s[cc] * inv }
        } }
    }
}
