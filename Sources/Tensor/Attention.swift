import CBLAS
import Foundation

// Causal multi-head attention core: out = softmax(q·kᵀ/√D + causal mask)·v, per (b,h) through sgemm.
// Legend: B batch, T time, H heads, D head dim, C = H·D. q, k, v, out are [B,T,C] with head h in
// columns h·D ..< (h+1)·D, so each (b,h) slice is a [T,D] matrix with leading dimension C.

/// out: [B,T,C], probs: [B,H,T,T] (saved for backward; entries above the diagonal are 0), q/k/v: [B,T,C].
public func attentionForward(_ out: UnsafeMutablePointer<Float>, probs: UnsafeMutablePointer<Float>,
                             q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>,
                             B: Int, T: Int, H: Int, D: Int) {
    let C = H * D, scale = 1 / Float(D).squareRoot()
    Parallel.forEachWithSerialBLAS(B * H) { bh in
        let b = bh / H, h = bh % H
        let base = b * T * C + h * D
        let p = probs + bh * T * T
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(T), Int32(T), Int32(D),
                    scale, q + base, Int32(C), k + base, Int32(C), 0, p, Int32(T))
        for i in 0..<T {
            let row = p + i * T
            var m = -Float.infinity
            for j in 0...i { m = max(m, row[j]) }
            var s: Float = 0
            for j in 0...i { let e = expf(row[j] - m); row[j] = e; s += e }
            let inv = 1 / s
            for j in 0...i { row[j] *= inv }
            for j in (i + 1)..<T { row[j] = 0 }
        }
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(T), Int32(D), Int32(T),
                    1, p, Int32(T), v + base, Int32(C), 0, out + base, Int32(C))
    }
}

/// dq, dk, dv: [B,T,C] (overwritten), dout: [B,T,C], probs: [B,H,T,T] from the forward,
/// scratch: [B,H,T,T] working memory.
public func attentionBackward(dq: UnsafeMutablePointer<Float>, dk: UnsafeMutablePointer<Float>,
                              dv: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>,
                              q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>,
                              probs: UnsafePointer<Float>, scratch: UnsafeMutablePointer<Float>,
                              B: Int, T: Int, H: Int, D: Int) {
    let C = H * D, scale = 1 / Float(D).squareRoot()
    Parallel.forEachWithSerialBLAS(B * H) { bh in
        let b = bh / H, h = bh % H
        let base = b * T * C + h * D
        let p = probs + bh * T * T, ds = scratch + bh * T * T
        // dP = dout · vᵀ
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(T), Int32(T), Int32(D),
                    1, dout + base, Int32(C), v + base, Int32(C), 0, ds, Int32(T))
        // dS = P ⊙ (dP − Σ_j P·dP), zero above the diagonal
        for i in 0..<T {
            let pr = p + i * T, dr = ds + i * T
            var dot: Float = 0
            for j in 0...i { dot += pr[j] * dr[j] }
            for j in 0...i { dr[j] = pr[j] * (dr[j] - dot) }
            for j in (i + 1)..<T { dr[j] = 0 }
        }
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(T), Int32(D), Int32(T),
                    scale, ds, Int32(T), k + base, Int32(C), 0, dq + base, Int32(C))
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(T), Int32(D), Int32(T),
                    scale, ds, Int32(T), q + base, Int32(C), 0, dk + base, Int32(C))
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(T), Int32(D), Int32(T),
                    1, p, Int32(T), dout + base, Int32(C), 0, dv + base, Int32(C))
    }
}

/// Naive twin of `attentionForward` in Double, straight loops over (b,h,i,j).
public func attentionForwardNaive(q: [Double], k: [Double], v: [Double], B: Int, T: Int, H: Int, D: Int) -> [Double] {
    let C = H * D, scale = 1 / Double(D).squareRoot()
    var out = [Double](repeating: 0, count: B * T * C)
    for b in 0..<B { for h in 0..<H { for i in 0..<T {
        var s = [Double](repeating: 0, count: i + 1)
        for j in 0...i {
            var d = 0.0
            for e in 0..<D { d += q[(b * T + i) * C + h * D + e] * k[(b * T + j) * C + h * D + e] }
            s[j] = d * scale
        }
        let m = s.max()!
        let w = s.map { Foundation.exp($0 - m) }
        let z = w.reduce(0, +)
        for e in 0..<D {
            var acc = 0.0
            for j in 0...i { acc += w[j] / z * v[(b * T + j) * C + h * D + e] }
            out[(b * T + i) * C + h * D + e] = acc
        }
    } } }
    return out
}
