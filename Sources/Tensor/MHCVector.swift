// Small SIMD loops shared by the mHC kernels (StreamMix, MHCCoefficients).
//
// Written with explicit `SIMD8<Float>` lanes so the compiler does not need permission to
// reassociate: dot products therefore sum in 8 interleaved partial sums followed by a
// horizontal add, which differs from a left-to-right sum by normal Float rounding only.
// Pointers passed to one call must not overlap unless stated.

/// Namespace for the vector helpers (prefixed so they never clash with other Tensor helpers).
enum MHCVector {
    typealias V = SIMD8<Float>

    @inline(__always)
    static func load(_ p: UnsafePointer<Float>) -> V {
        UnsafeRawPointer(p).loadUnaligned(as: V.self)
    }

    @inline(__always)
    static func store(_ v: V, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: V.self)
    }

    /// Σ_c a[c]·b[c] over `count` elements.
    @inline(__always)
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ count: Int) -> Float {
        var acc0 = V(repeating: 0), acc1 = V(repeating: 0)
        var c = 0
        while c + 16 <= count {
            acc0 = (acc0 + load(a + c) * load(b + c))
            acc1 = (acc1 + load(a + c + 8) * load(b + c + 8))
            c += 16
        }
        if c + 8 <= count {
            acc0 = (acc0 + load(a + c) * load(b + c))
            c += 8
        }
        var s = (acc0 + acc1).sum()
        while c < count { s += a[c] * b[c]; c += 1 }
        return s
    }

    /// Σ_c a[c]² over `count` elements.
    @inline(__always)
    static func sumOfSquares(_ a: UnsafePointer<Float>, _ count: Int) -> Float {
        dot(a, a, count)
    }

    /// y[c] += alpha·x[c]. `x` and `y` must not overlap.
    @inline(__always)
    static func axpy(_ alpha: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ count: Int) {
        let a = V(repeating: alpha)
        var c = 0
        while c + 8 <= count {
            store(load(y + c) + a * load(x + c), y + c)
            c += 8
        }
        while c < count { y[c] += alpha * x[c]; c += 1 }
    }

    /// y[c] += alpha·x[c] + beta·z[c]. `y` must not overlap `x` or `z`.
    @inline(__always)
    static func axpy2(_ alpha: Float, _ x: UnsafePointer<Float>, _ beta: Float, _ z: UnsafePointer<Float>,
                      _ y: UnsafeMutablePointer<Float>, _ count: Int) {
        let a = V(repeating: alpha), b = V(repeating: beta)
        var c = 0
        while c + 8 <= count {
            store(load(y + c) + (a * load(x + c) + b * load(z + c)), y + c)
            c += 8
        }
        while c < count { y[c] += alpha * x[c] + beta * z[c]; c += 1 }
    }

    /// y[c] = alpha·x[c]. `x` and `y` must not overlap.
    @inline(__always)
    static func scaled(_ alpha: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ count: Int) {
        let a = V(repeating: alpha)
        var c = 0
        while c + 8 <= count {
            store(a * load(x + c), y + c)
            c += 8
        }
        while c < count { y[c] = alpha * x[c]; c += 1 }
    }
}
