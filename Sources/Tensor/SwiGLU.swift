import Foundation

// SwiGLU gate: h = silu(g) ⊙ u with silu(g) = g·σ(g). Legend: N rows, F hidden features.

/// h: [N*F], g: [N*F], u: [N*F] (flat, elementwise).
public func swigluForward(_ h: UnsafeMutablePointer<Float>, gate g: UnsafePointer<Float>, up u: UnsafePointer<Float>,
                          count: Int) {
    Parallel.forRanges(count, grain: 1 << 14) { r in
        for i in r {
            let s = 1 / (1 + expf(-g[i]))
            h[i] = g[i] * s * u[i]
        }
    }
}

/// dg, du: [N*F] (overwritten), dh: [N*F], g/u: forward inputs.
/// dg = dh·u·σ(g)·(1 + g·(1 − σ(g))), du = dh·silu(g).
public func swigluBackward(dgate dg: UnsafeMutablePointer<Float>, dup du: UnsafeMutablePointer<Float>,
                           dh: UnsafePointer<Float>, gate g: UnsafePointer<Float>, up u: UnsafePointer<Float>,
                           count: Int) {
    Parallel.forRanges(count, grain: 1 << 14) { r in
        for i in r {
            let s = 1 / (1 + expf(-g[i]))
            let d = dh[i]
            dg[i] = d * u[i] * s * (1 + g[i] * (1 - s))
            du[i] = d * g[i] * s
        }
    }
}

/// SiLU alone: y = x·σ(x).  y, x: [count].
public func siluForward(_ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, count: Int) {
    Parallel.forRanges(count, grain: 1 << 14) { r in
        for i in r { y[i] = x[i] / (1 + expf(-x[i])) }
    }
}

/// dx = dy·σ(x)·(1 + x·(1 − σ(x))).  dx, dy, x: [count].
public func siluBackward(_ dx: UnsafeMutablePointer<Float>, dy: UnsafePointer<Float>, x: UnsafePointer<Float>, count: Int) {
    Parallel.forRanges(count, grain: 1 << 14) { r in
        for i in r {
            let s = 1 / (1 + expf(-x[i]))
            dx[i] = dy[i] * s * (1 + x[i] * (1 - s))
        }
    }
}

/// Naive twin of `swigluForward` in Double.
public func swigluForwardNaive(gate: [Double], up: [Double]) -> [Double] {
    zip(gate, up).map { g, u in g / (1 + Foundation.exp(-g)) * u }
}
