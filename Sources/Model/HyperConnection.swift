import Tensor

// mHC glue of one sub-layer (n > 1) on the Tensor target's mHC kernels (MHCCoefficients, StreamMix):
//   coefficients + u = Σ_i H_pre[i]·X[i]  →  y = f(RMSNorm(u))  →  X'[i] = Σ_j H_res[i,j]·X[j] + H_post[i]·y.
// Legend: N rows, n streams, C d_model.

extension MHCModel {
    /// Coefficients (H_pre, H_post, H_res) and the fused pre-aggregation u for sub-layer s.
    func hcPreForward(_ a: Activations, s: Int, block blk: LayerNames.Block, which: Int) {
        let c = config
        mhcCoefficientsForward(x: a.streams[s], phi: weight(blk.hcPhi[which]), alpha: weight(blk.hcAlpha[which]),
                               bias: weight(blk.hcBias[which]), hPre: a.hcPre[s], hPost: a.hcPost[s], hRes: a.hcRes[s],
                               cache: a.hcCache[s], rows: a.N, streams: c.nStreams, width: c.dModel, eps: c.normEps,
                               sinkhornIterations: c.sinkhornIters, preAggregate: a.mixed[s], threads: Parallel.threads)
    }

    /// X[s+1] = H_res·X[s] + H_post·y.
    func hcPostForward(_ a: Activations, s: Int) {
        mhcPostResMixForward(x: a.streams[s], y: a.out[s], hPost: a.hcPost[s], hRes: a.hcRes[s], out: a.streams[s + 1],
                             rows: a.N, streams: config.nStreams, width: config.dModel, threads: Parallel.threads)
    }

    /// From dX' = ∂L/∂X[s+1]: dy and dX (both overwritten), ∂L/∂H_post and ∂L/∂H_res into a.dHPost/a.dHRes.
    func hcPostBackward(_ a: Activations, s: Int, dXnext: UnsafeMutablePointer<Float>,
                        dy: UnsafeMutablePointer<Float>, dX: UnsafeMutablePointer<Float>) {
        let N = a.N, n = config.nStreams, C = config.dModel
        clear(dX, N * n * C); clear(dy, N * C); clear(a.dHPost, N * n); clear(a.dHRes, N * n * n)
        mhcPostResMixBackward(dOut: dXnext, x: a.streams[s], y: a.out[s], hPost: a.hcPost[s], hRes: a.hcRes[s],
                              dX: dX, dY: dy, dHPost: a.dHPost, dHRes: a.dHRes,
                              rows: N, streams: n, width: C, threads: Parallel.threads)
    }

    /// Backward of the coefficients and the pre-aggregation; ACCUMULATES into dX and the φ, bias, α gradients.
    func hcPreBackward(_ a: Activations, s: Int, block blk: LayerNames.Block, which: Int,
                       du: UnsafeMutablePointer<Float>, dX: UnsafeMutablePointer<Float>) {
        let c = config
        mhcCoefficientsBackward(dHPre: nil, dHPost: a.dHPost, dHRes: a.dHRes, x: a.streams[s],
                                phi: weight(blk.hcPhi[which]), alpha: weight(blk.hcAlpha[which]),
                                bias: weight(blk.hcBias[which]), cache: a.hcCache[s], dX: dX,
                                dPhi: gradient(blk.hcPhi[which]), dAlpha: gradient(blk.hcAlpha[which]),
                                dBias: gradient(blk.hcBias[which]), rows: a.N, streams: c.nStreams, width: c.dModel,
                                sinkhornIterations: c.sinkhornIters, preAggregateGradient: du, threads: Parallel.threads)
    }
}

/// p[0..<count] = 0, split over the worker threads.
func clear(_ p: UnsafeMutablePointer<Float>, _ count: Int) {
    Parallel.forRanges(count, grain: 1 << 16) { r in (p + r.lowerBound).update(repeating: 0, count: r.count) }
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
