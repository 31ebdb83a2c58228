// mHC stream mixing around a sub-layer f: pre-aggregation into f's input and post/residual mixing
// of f's output back into the n streams.
//
// Legend: N token rows (B·T), n streams, C d_model.
//
//   u[t]     = Σ_i H_pre[t,i] · X[t,i]                                 u: [N, C]
//   X'[t,i]  = Σ_j H_res[t,i,j] · X[t,j] + H_post[t,i] · y[t]          X': [N, n, C], y: [N, C]
//
// Every backward ACCUMULATES (+=) into all of its gradient outputs, so the caller zeroes them once
// and the several uses of X (coefficients, pre-aggregation, residual mixing) simply add up.
// Loops run over 8-wide Float vectors within a row; a row's n·C floats stay in L1.
// Outputs must not overlap inputs. `threads` splits the rows into that many chunks (see MHCRowChunks).

/// Pre-aggregation forward.
/// - x: [N, n, C];  hPre: [N, n];  u: [N, C] out (overwritten).
public func mhcPreAggregateForward(x: UnsafePointer<Float>, hPre: UnsafePointer<Float>, u: UnsafeMutablePointer<Float>,
                                   rows: Int, streams n: Int, width c: Int, threads: Int = 1) {
    precondition(n >= 1 && c >= 0 && rows >= 0, "mHC stream mixing: bad shape")
    MHCRowChunks.run(rows: rows, threads: threads, grain: 16) { _, range in
        for t in range {
            let xt = x + t * n * c, ut = u + t * c, w = hPre + t * n
            MHCVector.scaled(w[0], xt, ut, c)
            for i in 1..<n { MHCVector.axpy(w[i], xt + i * c, ut, c) }
        }
    }
}

/// Pre-aggregation backward (all +=).
/// - dU: [N, C];  x: [N, n, C];  hPre: [N, n].
/// - dX: [N, n, C] += H_pre[t,i]·dU[t];  dHPre: [N, n] += ⟨dU[t], X[t,i]⟩.
public func mhcPreAggregateBackward(dU: UnsafePointer<Float>, x: UnsafePointer<Float>, hPre: UnsafePointer<Float>,
                                    dX: UnsafeMutablePointer<Float>, dHPre: UnsafeMutablePointer<Float>,
                                    rows: Int, streams n: Int, width c: Int, threads: Int = 1) {
    precondition(n >= 1 && c >= 0 && rows >= 0, "mHC stream mixing: bad shape")
    MHCRowChunks.run(rows: rows, threads: threads, grain: 16) { _, range in
        for t in range {
            let xt = x + t * n * c, dxt = dX + t * n * c, g = dU + t * c
            for i in 0..<n {
                dHPre[t * n + i] += MHCVector.dot(g, xt + i * c, c)
                MHCVector.axpy(hPre[t * n + i], g, dxt + i * c, c)
            }
        }
    }
}

/// Post/residual mixing forward.
/// - x: [N, n, C];  y: [N, C] (the sub-layer output);  hPost: [N, n];  hRes: [N, n, n].
/// - out: [N, n, C] (overwritten; must not overlap `x` or `y`).
/// Each output stream is built by n + 1 vector passes over an L1-resident row (measured faster than
/// one pass reading n + 1 streams at once).
public func mhcPostResMixForward(x: UnsafePointer<Float>, y: UnsafePointer<Float>,
                                 hPost: UnsafePointer<Float>, hRes: UnsafePointer<Float>,
                                 out: UnsafeMutablePointer<Float>, rows: Int, streams n: Int, width c: Int,
                                 threads: Int = 1) {
    precondition(n >= 1 && c >= 0 && rows >= 0, "mHC stream mixing: bad shape")
    MHCRowChunks.run(rows: rows, threads: threads, grain: 16) { _, range in
        for t in range {
            let xt = x + t * n * c, yt = y + t * c, ot = out + t * n * c
            let hr = hRes + t * n * n, hp = hPost + t * n
            for i in 0..<n {
                let oi = ot + i * c
                MHCVector.scaled(hp[i], yt, oi, c)
                for j in 0..<n { MHCVector.axpy(hr[i * n + j], xt + j * c, oi, c) }
            }
        }
    }
}

/// Post/residual mixing backward (all +=).
/// - dOut: [N, n, C];  x: [N, n, C];  y: [N, C];  hPost: [N, n];  hRes: [N, n, n].
/// - dX: [N, n, C] += Σ_i H_res[t,i,j]·dOut[t,i];  dY: [N, C] += Σ_i H_post[t,i]·dOut[t,i];
/// - dHPost: [N, n] += ⟨dOut[t,i], y[t]⟩;  dHRes: [N, n, n] += ⟨dOut[t,i], X[t,j]⟩.
/// Dot products and axpy passes over the L1-resident row (measured faster on this SSE2 build than
/// register-blocked single passes over four streams, which spill).
public func mhcPostResMixBackward(dOut: UnsafePointer<Float>, x: UnsafePointer<Float>, y: UnsafePointer<Float>,
                                  hPost: UnsafePointer<Float>, hRes: UnsafePointer<Float>,
                                  dX: UnsafeMutablePointer<Float>, dY: UnsafeMutablePointer<Float>,
                                  dHPost: UnsafeMutablePointer<Float>, dHRes: UnsafeMutablePointer<Float>,
                                  rows: Int, streams n: Int, width c: Int, threads: Int = 1) {
    precondition(n >= 1 && c >= 0 && rows >= 0, "mHC stream mixing: bad shape")
    MHCRowChunks.run(rows: rows, threads: threads, grain: 16) { _, range in
        for t in range {
            let xt = x + t * n * c, yt = y + t * c, gt = dOut + t * n * c
            let dxt = dX + t * n * c, dyt = dY + t * c
            let hr = hRes + t * n * n, hp = hPost + t * n
            for i in 0..<n {
                let gi = gt + i * c
                dHPost[t * n + i] += MHCVector.dot(gi, yt, c)
                for j in 0..<n { dHRes[t * n * n + i * n + j] += MHCVector.dot(gi, xt + j * c, c) }
            }
            for i in 0..<n { MHCVector.axpy(hp[i], gt + i * c, dyt, c) }
            for j in 0..<n {
                for i in 0..<n { MHCVector.axpy(hr[i * n + j], gt + i * c, dxt + j * c, c) }
            }
        }
    }
}
