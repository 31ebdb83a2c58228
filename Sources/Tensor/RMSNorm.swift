import Foundation

// RMSNorm: y = x · rstd · w, rstd = 1/sqrt(mean(x²) + eps). Legend: N rows, C channels.

/// out: [N,C], rstd: [N] (saved for backward), x: [N,C], w: [C].
public func rmsnormForward(_ out: UnsafeMutablePointer<Float>, rstd: UnsafeMutablePointer<Float>,
                           _ x: UnsafePointer<Float>, weight w: UnsafePointer<Float>, N: Int, C: Int, eps: Float) {
    Parallel.forRanges(N, grain: 32) { rows in
        for n in rows {
            let xr = x + n * C, o = out + n * C
            var ss: Float = 0
            for c in 0..<C { ss += xr[c] * xr[c] }
            let r = 1 / (ss / Float(C) + eps).squareRoot()
            rstd[n] = r
            for c in 0..<C { o[c] = xr[c] * r * w[c] }
        }
    }
}

/// dx (+)= ∂L/∂x, dw += ∂L/∂w.  dx: [N,C], dw: [C], dout: [N,C], x: [N,C], rstd: [N], w: [C].
/// dx_c = rstd·g_c − rstd³·x_c·(Σ_j g_j x_j)/C with g = dout ⊙ w.
public func rmsnormBackward(dx: UnsafeMutablePointer<Float>, dw: UnsafeMutablePointer<Float>,
                            dout: UnsafePointer<Float>, x: UnsafePointer<Float>, rstd: UnsafePointer<Float>,
                            weight w: UnsafePointer<Float>, N: Int, C: Int, accumulate: Bool) {
    // Per-chunk partial sums of dw, added in chunk order: the result does not depend on thread timing.
    let chunks = Parallel.chunkCount(N, grain: 32)
    withUnsafeTemporaryAllocation(of: Float.self, capacity: chunks * C) { parts in
        let partials = parts.baseAddress!
        partials.initialize(repeating: 0, count: chunks * C)
        Parallel.forChunks(N, chunks: chunks) { chunk, rows in
            let p = partials + chunk * C
            for n in rows {
                let xr = x + n * C, g = dout + n * C, d = dx + n * C
                let r = rstd[n]
                var dot: Float = 0
                for c in 0..<C { dot += g[c] * w[c] * xr[c] }
                let k = r * r * r * dot / Float(C)
                if accumulate {
                    for c in 0..<C { d[c] += r * g[c] * w[c] - k * xr[c] }
                } else {
                    for c in 0..<C { d[c] = r * g[c] * w[c] - k * xr[c] }
                }
                for c in 0..<C { p[c] += g[c] * xr[c] * r }
            }
        }
        for chunk in 0..<chunks {
            let p = partials + chunk * C
            for c in 0..<C { dw[c] += p[c] }
        }
    }
}

/// Naive twin of `rmsnormForward` in Double.
public func rmsnormForwardNaive(_ x: [Double], weight w: [Double], N: Int, C: Int, eps: Double) -> [Double] {
    var out = [Double](repeating: 0, count: N * C)
    for n in 0..<N {
        var ss = 0.0
        for c in 0..<C { ss += x[n * C + c] * x[n * C + c] }
        let r = 1 / (ss / Double(C) + eps).squareRoot()
        for c in 0..<C { out[n * C + c] = x[n * C + c] * r * w[c] }
    }
    return out
}
