import Foundation

// SwiGLU gate: h = silu(g) ⊙ u with silu(g) = g·σ(g). Legend: N rows, F hidden features.

/// h: [N*F], g: [N*F], u: [N*F] (flat, elementwise).
public func swigluForward(_ h: UnsafeMutablePointer<Float>, gate g: UnsafePointer<Float>, up u: UnsafePointer<Float>,
                          count: Int) {
    Parallel.forRanges(count, grain: 1 << 14) { r in
        forEach8(r) { i, l in
            let gv = loadPartial(g + i, l)
            storePartial(gv * sigmoid8(gv) * loadPartial(u + i, l), h + i, l)
        }
    }
}

/// dg, du: [N*F] (overwritten), dh: [N*F], g/u: forward inputs.
/// dg = dh·u·σ(g)·(1 + g·(1 − σ(g))), du = dh·silu(g).
public func swigluBackward(dgate dg: UnsafeMutablePointer<Float>, dup du: UnsafeMutablePointer<Float>,
                           dh: UnsafePointer<Float>, gate g: UnsafePointer<Float>, up u: UnsafePointer<Float>,
                           count: Int) {
    Parallel.forRanges(count, grain: 1 << 14) { r in
        forEach8(r) { i, l in
            let gv = loadPartial(g + i, l), d = loadPartial(dh + i, l)
            let s = sigmoid8(gv)
            storePartial(d * loadPartial(u + i, l) * s * (1 + gv * (1 - s)), dg + i, l)
            storePartial(d * gv * s, du + i, l)
        }
    }
}

/// SiLU alone: y = x·σ(x).  y, x: [count].
public func siluForward(_ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, count: Int) {
    Parallel.forRanges(count, grain: 1 << 14) { r in
        forEach8(r) { i, l in
            let xv = loadPartial(x + i, l)
            storePartial(xv * sigmoid8(xv), y + i, l)
        }
    }
}

/// dx = dy·σ(x)·(1 + x·(1 − σ(x))).  dx, dy, x: [count].
public func siluBackward(_ dx: UnsafeMutablePointer<Float>, dy: UnsafePointer<Float>, x: UnsafePointer<Float>, count: Int) {
    Parallel.forRanges(count, grain: 1 << 14) { r in
        forEach8(r) { i, l in
            let xv = loadPartial(x + i, l), s = sigmoid8(xv)
            storePartial(loadPartial(dy + i, l) * s * (1 + xv * (1 - s)), dx + i, l)
        }
    }
}

/// Naive twin of `swigluForward` in Double.
public func swigluForwardNaive(gate: [Double], up: [Double]) -> [Double] {
    zip(gate, up).map { g, u in g / (1 + Foundation.exp(-g)) * u }
}
