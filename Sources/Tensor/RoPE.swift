import Foundation

// Rotary position embedding, rotate-half convention: within each head the pairs are (j, j+D/2) and
// pair j at position t turns by angle t·θ^(−2j/D). Legend: B batch, T time, H heads, D head dim, C = H·D.

/// Precomputed cos/sin tables [maxT, D/2], computed in Double then rounded.
public struct RoPETables: Sendable {
    public let cos: [Float], sin: [Float]
    public let maxT: Int, half: Int
    public init(maxT: Int, headDim D: Int, theta: Float) {
        let half = D / 2
        var c = [Float](repeating: 0, count: maxT * half), s = c
        for t in 0..<maxT {
            for j in 0..<half {
                let angle = Double(t) * pow(Double(theta), -2 * Double(j) / Double(D))
                c[t * half + j] = Float(Foundation.cos(angle))
                s[t * half + j] = Float(Foundation.sin(angle))
            }
        }
        self.cos = c; self.sin = s; self.maxT = maxT; self.half = half
    }
}

/// In-place rotation of x: [B,T,H,D] (== [B,T,C]). cosT/sinT: [maxT, D/2].
/// `inverse` applies the transpose rotation, which is exactly the backward pass (rotations are orthogonal).
public func ropeApply(_ x: UnsafeMutablePointer<Float>, cos cosT: UnsafePointer<Float>, sin sinT: UnsafePointer<Float>,
                      B: Int, T: Int, H: Int, D: Int, inverse: Bool = false) {
    let half = D / 2, C = H * D
    let sign: Float = inverse ? -1 : 1
    Parallel.forRanges(B * T, grain: 16) { rows in
        for bt in rows {
            let t = bt % T
            let cr = cosT + t * half, sr = sinT + t * half
            for h in 0..<H {
                let p = x + bt * C + h * D
                for j in 0..<half {
                    let a = p[j], b = p[j + half]
                    let c = cr[j], s = sign * sr[j]
                    p[j] = a * c - b * s
                    p[j + half] = b * c + a * s
                }
            }
        }
    }
}

/// RoPE forward: rotates q or k in place.  x: [B,T,C].
public func ropeForward(_ x: UnsafeMutablePointer<Float>, tables: RoPETables, B: Int, T: Int, H: Int, D: Int) {
    tables.cos.withUnsafeBufferPointer { c in tables.sin.withUnsafeBufferPointer { s in
        ropeApply(x, cos: c.baseAddress!, sin: s.baseAddress!, B: B, T: T, H: H, D: D)
    } }
}

/// RoPE backward: turns dq (or dk) in place into the gradient w.r.t. the unrotated input.  dx: [B,T,C].
public func ropeBackward(_ dx: UnsafeMutablePointer<Float>, tables: RoPETables, B: Int, T: Int, H: Int, D: Int) {
    tables.cos.withUnsafeBufferPointer { c in tables.sin.withUnsafeBufferPointer { s in
        ropeApply(dx, cos: c.baseAddress!, sin: s.baseAddress!, B: B, T: T, H: H, D: D, inverse: true)
    } }
}

/// Naive twin of `ropeForward` in Double, angles computed directly.
public func ropeForwardNaive(_ x: [Double], B: Int, T: Int, H: Int, D: Int, theta: Double) -> [Double] {
    var y = x
    let half = D / 2, C = H * D
    for b in 0..<B { for t in 0..<T { for h in 0..<H { for j in 0..<half {
        let i = (b * T + t) * C + h * D
        let angle = Double(t) * pow(theta, -2 * Double(j) / Double(D))
        let a = x[i + j], c = x[i + j + half]
        y[i + j] = a * cos(angle) - c * sin(angle)
        y[i + j + half] = c * cos(angle) + a * sin(angle)
    } } } }
    return y
}
