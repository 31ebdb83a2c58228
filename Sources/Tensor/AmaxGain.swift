// Amax gain of the composite residual mapping (mHC paper, Fig. 3).
//
// Along depth the residual path of token t is X_L = (H_res^{S−1} ··· H_res^1 H_res^0) X_0 + (branch
// terms), with S = 2·n_layers sub-layers (attention and MLP each have their own H_res). For that
// composite n×n matrix P:
//   forward gain  = max_i Σ_j |P_ij|   (max absolute row sum: how much a signal can grow)
//   backward gain = max_j Σ_i |P_ij|   (max absolute column sum: the same for gradients, which flow through Pᵀ)
// For doubly stochastic H_res both are 1; Sinkhorn with finitely many iterations keeps them near 1.
//
// Choice for the model (per token, worst case): keep one composite per token row, start from the
// identity (`mhcCompositeReset`), left-multiply every sub-layer's H_res [N, n, n] in forward order
// (`mhcCompositeAccumulate`), then report the maximum gain over tokens (`mhcAmaxGain`). H_res is a
// per-token quantity, so composing per token follows each token's actual residual path; the max
// over tokens is the quantity whose blow-up would hurt training ("Amax").
//
// Legend: N token rows, n streams.

/// composite[t] = I for every row.   composite: [N, n, n]
public func mhcCompositeReset(composite: UnsafeMutablePointer<Float>, rows: Int, streams n: Int) {
    composite.update(repeating: 0, count: rows * n * n)
    for t in 0..<rows {
        for i in 0..<n { composite[t * n * n + i * n + i] = 1 }
    }
}

/// composite[t] ← hRes[t] · composite[t] for every row (the later layer multiplies from the left).
/// - composite: [N, n, n] in/out;  hRes: [N, n, n].
public func mhcCompositeAccumulate(composite: UnsafeMutablePointer<Float>, hRes: UnsafePointer<Float>,
                                   rows: Int, streams n: Int) {
    let nn = n * n
    withUnsafeTemporaryAllocation(of: Double.self, capacity: nn) { tmp in
        for t in 0..<rows {
            let p = composite + t * nn, h = hRes + t * nn
            for i in 0..<n {
                for j in 0..<n {
                    var s = 0.0
                    for q in 0..<n { s += Double(h[i * n + q]) * Double(p[q * n + j]) }
                    tmp[i * n + j] = s
                }
            }
            for q in 0..<nn { p[q] = Float(tmp[q]) }
        }
    }
}

/// Gains of N matrices [N, n, n]: the maximum over rows of the forward gain (max absolute row
/// sum) and of the backward gain (max absolute column sum). Returns (0, 0) for N = 0.
public func mhcAmaxGain(matrices: UnsafePointer<Float>, rows: Int, streams n: Int) -> (forward: Double, backward: Double) {
    var forward = 0.0, backward = 0.0
    for t in 0..<rows {
        let p = matrices + t * n * n
        for i in 0..<n {
            var rowSum = 0.0, colSum = 0.0
            for j in 0..<n {
                rowSum += Double(abs(p[i * n + j]))
                colSum += Double(abs(p[j * n + i]))
            }
            forward = max(forward, rowSum)
            backward = max(backward, colSum)
        }
    }
    return (forward, backward)
}
