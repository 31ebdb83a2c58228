import CBLAS
import Foundation

// Causal multi-head attention core: out = softmax(q·kᵀ/√D + causal mask)·v, per (b,h) through sgemm.
// Legend: B batch, T time, H heads, D head dim, C = H·D. q, k, v, out are [B,T,C] with head h in
// columns h·D ..< (h+1)·D, so each (b,h) slice is a [T,D] matrix with leading dimension C.

/// out: [B,T,C], probs: [B,H,T,T] (saved for backward; entries above the diagonal are 0), q/k/v: [B,T,C].
/// Causal blocking: query rows are taken `block` at a time and only multiplied with the keys they can see
/// (0 ..< end of the block), which skips about half of the T×T work for T ≫ block.
public func attentionForward(_ out: UnsafeMutablePointer<Float>, probs: UnsafeMutablePointer<Float>,
                             q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>,
                             B: Int, T: Int, H: Int, D: Int, block: Int = 64) {
    let C = H * D, scale = 1 / Float(D).squareRoot()
    Parallel.forEachWithSerialBLAS(B * H) { bh in
        let b = bh / H, h = bh % H
        let base = b * T * C + h * D
        let p = probs + bh * T * T
        for i0 in stride(from: 0, to: T, by: block) {
            let i1 = min(T, i0 + block), rows = i1 - i0, keys = i1
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(keys), Int32(D),
                        scale, q + base + i0 * C, Int32(C), k + base, Int32(C), 0, p + i0 * T, Int32(T))
            for i in i0..<i1 {
                let row = p + i * T
                let s = expShiftedSum(row, row, i + 1, shift: rowMax(row, i + 1))
                let inv = 1 / s
                for j in 0...i { row[j] *= inv }
                for j in (i + 1)..<T { row[j] = 0 }
            }
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(rows), Int32(D), Int32(keys),
                        1, p + i0 * T, Int32(T), v + base, Int32(C), 0, out + base + i0 * C, Int32(C))
        }
    }
}

/// dq, dk, dv: [B,T,C] (overwritten), dout: [B,T,C], probs: [B,H,T,T] from the forward,
/// scratch: [B,H,T,T] working memory. `block` as in the forward (any value gives the same result).
public func attentionBackward(dq: UnsafeMutablePointer<Float>, dk: UnsafeMutablePointer<Float>,
                              dv: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>,
                              q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>,
                              probs: UnsafePointer<Float>, scratch: UnsafeMutablePointer<Float>,
                              B: Int, T: Int, H: Int, D: Int, block: Int = 64) {
    let C = H * D, scale = 1 / Float(D).squareRoot()
    Parallel.forEachWithSerialBLAS(B * H) { bh in
        let b = bh / H, h = bh % H
        let base = b * T * C + h * D
        let p = probs + bh * T * T, ds = scratch + bh * T * T
        for t in 0..<T {
            (dk + base + t * C).update(repeating: 0, count: D)
            (dv + base + t * C).update(repeating: 0, count: D)
        }
        for i0 in stride(from: 0, to: T, by: block) {
            let i1 = min(T, i0 + block), rows = i1 - i0, keys = i1
            let pb = p + i0 * T, db = ds + i0 * T
            // dP = dout · vᵀ (visible keys only)
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(keys), Int32(D),
                        1, dout + base + i0 * C, Int32(C), v + base, Int32(C), 0, db, Int32(T))
            // dS = P ⊙ (dP − Σ_j P·dP), zero above the diagonal
            for i in i0..<i1 {
                let pr = p + i * T, dr = ds + i * T
                var dot: Float = 0
                for j in 0...i { dot += pr[j] * dr[j] }
                for j in 0...i { dr[j] = pr[j] * (dr[j] - dot) }
                for j in (i + 1)..<keys { dr[j] = 0 }
            }
            // dq = scale·dS·k;  dk += scale·dSᵀ·q;  dv += Pᵀ·dout
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(rows), Int32(D), Int32(keys),
                        scale, db, Int32(T), k + base, Int32(C), 0, dq + base + i0 * C, Int32(C))
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(keys), Int32(D), Int32(rows),
                        scale, db, Int32(T), q + base + i0 * C, Int32(C), 1, dk + base, Int32(C))
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(keys), Int32(D), Int32(rows),
                        1, pb, Int32(T), dout + base + i0 * C, Int32(C), 1, dv + base, Int32(C))
        }
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
