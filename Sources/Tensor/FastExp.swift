// Vectorised exp for the softmax, cross-entropy and SiLU loops (Cephes expf scheme, 8 lanes).
//
//   n = floor(x·log2(e) + 1/2),  r = x − n·ln2 (ln2 split in two parts for exactness),
//   exp(x) = 2ⁿ · (1 + r + r²·P(r)),  P a degree-5 minimax polynomial.
//
// Accuracy: ≤ 2 ulp relative error for x in [−87.3, 88] (tested against Double exp). Inputs are
// clamped to that range: below it the result is 2⁻¹²⁶ ≈ 1.2e-38 instead of a denormal or 0 (harmless
// in a sum of exponentials), above it exp(88) ≈ 1.65e38 instead of +inf. NaN propagates as NaN.

public typealias Float8 = SIMD8<Float>

@inline(__always)
public func exp8(_ v: Float8) -> Float8 {
    let lo = Float8(repeating: -87.33654), hi = Float8(repeating: 88)
    var x = v.replacing(with: lo, where: v .< lo).replacing(with: hi, where: v .> hi)
    let n = (x * 1.44269504088896341 + 0.5).rounded(.down)
    x = x - n * 0.693359375 + n * 2.12194440e-4
    var p = Float8(repeating: 1.9875691500e-4)
    p = p * x + 1.3981999507e-3
    p = p * x + 8.3334519073e-3
    p = p * x + 4.1665795894e-2
    p = p * x + 1.6666665459e-1
    p = p * x + 5.0000001201e-1
    let y = p * x * x + x + 1
    // 2ⁿ from the exponent bits: n + 127 in bits 23...30 (n is integral in [−126, 127])
    let magic = Float8(repeating: 12582912)          // 1.5·2²³: adding it leaves n in the low mantissa bits
    let ni = unsafeBitCast(n + magic, to: SIMD8<Int32>.self) &- unsafeBitCast(magic, to: SIMD8<Int32>.self)
    let pow2n = unsafeBitCast((ni &+ 127) &<< 23, to: Float8.self)
    return y * pow2n
}

/// Scalar exp with exactly the lanes' arithmetic (for loop tails, so a value never depends on its position).
@inline(__always)
public func exp1(_ x: Float) -> Float { exp8(Float8(repeating: x))[0] }

@inline(__always)
func load8(_ p: UnsafePointer<Float>) -> Float8 { UnsafeRawPointer(p).loadUnaligned(as: Float8.self) }

@inline(__always)
func store8(_ v: Float8, _ p: UnsafeMutablePointer<Float>) { UnsafeMutableRawPointer(p).storeBytes(of: v, as: Float8.self) }

/// max_j x[j] over `count` ≥ 1 elements.
@inline(__always)
func rowMax(_ x: UnsafePointer<Float>, _ count: Int) -> Float {
    var m8 = Float8(repeating: -.infinity)
    var j = 0
    while j + 8 <= count { m8 = pointwiseMax(m8, load8(x + j)); j += 8 }
    var m = m8.max()
    while j < count { m = max(m, x[j]); j += 1 }
    return m
}

/// out[j] = exp(x[j] − shift) for j < count; returns Σ_j out[j]. `out` may equal `x`.
@inline(__always)
func expShiftedSum(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ count: Int, shift: Float) -> Float {
    let s8 = Float8(repeating: shift)
    var acc = Float8(repeating: 0)
    var j = 0
    while j + 8 <= count {
        let e = exp8(load8(x + j) - s8)
        store8(e, out + j)
        acc += e
        j += 8
    }
    var s = acc.sum()
    while j < count { let e = exp1(x[j] - shift); out[j] = e; s += e; j += 1 }
    return s
}

/// σ(x) = 1/(1 + exp(−x)) on 8 lanes.
@inline(__always)
func sigmoid8(_ x: Float8) -> Float8 { 1 / (1 + exp8(-x)) }

/// Σ_j exp(x[j] − shift) for j < count, without storing the terms.
@inline(__always)
func expShiftedSumOnly(_ x: UnsafePointer<Float>, _ count: Int, shift: Float) -> Float {
    let s8 = Float8(repeating: shift)
    var acc = Float8(repeating: 0)
    var j = 0
    while j + 8 <= count { acc += exp8(load8(x + j) - s8); j += 8 }
    var s = acc.sum()
    while j < count { s += exp1(x[j] - shift); j += 1 }
    return s
}

/// Applies `body` to consecutive 8-lane blocks of 0..<count; the tail is padded (lanes past the end are
/// computed on `pad` and discarded), so every element sees the same arithmetic.
@inline(__always)
func forEach8(_ range: Range<Int>, _ body: (_ start: Int, _ lanes: Int) -> Void) {
    var i = range.lowerBound
    while i < range.upperBound { let l = min(8, range.upperBound - i); body(i, l); i += 8 }
}

@inline(__always)
func loadPartial(_ p: UnsafePointer<Float>, _ lanes: Int) -> Float8 {
    if lanes == 8 { return load8(p) }
    var v = Float8(repeating: 0)
    for l in 0..<lanes { v[l] = p[l] }
    return v
}

@inline(__always)
func storePartial(_ v: Float8, _ p: UnsafeMutablePointer<Float>, _ lanes: Int) {
    if lanes == 8 { store8(v, p); return }
    for l in 0..<lanes { p[l] = v[l] }
}
