// Naive twins of the mHC kernels, in Double, written straight from the formulas with plain arrays
// and no shared code with the fast kernels. Tests compare the fast Float kernels against them and
// take central finite differences of them (Double keeps the differencing error ~1e-10).
//
// Legend: N token rows, n streams, C d_model, K = n² + 2n. Arrays are row-major, shapes as noted.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public enum MHCReference {
    /// Sinkhorn-Knopp of one matrix. z: [n, n] → [n, n].
    public static func sinkhorn(_ z: [Double], n: Int, iterations: Int) -> [Double] {
        let zmax = z.max() ?? 0
        var m = z.map { exp($0 - zmax) }
        for _ in 0..<iterations {
            for j in 0..<n {
                var s = 0.0
                for i in 0..<n { s += m[i * n + j] }
                for i in 0..<n { m[i * n + j] /= s }
            }
            for i in 0..<n {
                var s = 0.0
                for j in 0..<n { s += m[i * n + j] }
                for j in 0..<n { m[i * n + j] /= s }
            }
        }
        return m
    }

    /// Coefficients for every row.
    /// x: [N, n, C]; phi: [K, nC]; alpha: [3]; bias: [K] → hPre [N, n], hPost [N, n], hRes [N, n, n].
    public static func coefficients(x: [Double], phi: [Double], alpha: [Double], bias: [Double],
                                    rows: Int, streams n: Int, width c: Int, eps: Double, iterations: Int)
        -> (hPre: [Double], hPost: [Double], hRes: [Double]) {
        let k = n * n + 2 * n, nc = n * c
        var hPre = [Double](), hPost = [Double](), hRes = [Double]()
        for t in 0..<rows {
            let xt = Array(x[(t * nc)..<((t + 1) * nc)])
            let meanSquare = xt.reduce(0) { $0 + $1 * $1 } / Double(nc)
            let r = 1 / (meanSquare + eps).squareRoot()
            var h = [Double](repeating: 0, count: k)
            for o in 0..<k {
                var s = 0.0
                for q in 0..<nc { s += xt[q] * r * phi[o * nc + q] }
                h[o] = s
            }
            func sigmoid(_ a: Double) -> Double { 1 / (1 + exp(-a)) }
            for i in 0..<n { hPre.append(sigmoid(alpha[0] * h[i] + bias[i])) }
            for i in 0..<n { hPost.append(2 * sigmoid(alpha[1] * h[n + i] + bias[n + i])) }
            let z = (0..<(n * n)).map { alpha[2] * h[2 * n + $0] + bias[2 * n + $0] }
            hRes += sinkhorn(z, n: n, iterations: iterations)
        }
        return (hPre, hPost, hRes)
    }

    /// u[t] = Σ_i hPre[t,i]·X[t,i].   x: [N, n, C]; hPre: [N, n] → u [N, C].
    public static func preAggregate(x: [Double], hPre: [Double], rows: Int, streams n: Int, width c: Int) -> [Double] {
        var u = [Double](repeating: 0, count: rows * c)
        for t in 0..<rows {
            for i in 0..<n {
                for q in 0..<c { u[t * c + q] += hPre[t * n + i] * x[(t * n + i) * c + q] }
            }
        }
        return u
    }

    /// X'[t,i] = Σ_j hRes[t,i,j]·X[t,j] + hPost[t,i]·y[t].
    /// x: [N, n, C]; y: [N, C]; hPost: [N, n]; hRes: [N, n, n] → [N, n, C].
    public static func postResMix(x: [Double], y: [Double], hPost: [Double], hRes: [Double],
                                  rows: Int, streams n: Int, width c: Int) -> [Double] {
        var out = [Double](repeating: 0, count: rows * n * c)
        for t in 0..<rows {
            for i in 0..<n {
                for q in 0..<c {
                    var s = hPost[t * n + i] * y[t * c + q]
                    for j in 0..<n { s += hRes[(t * n + i) * n + j] * x[(t * n + j) * c + q] }
                    out[(t * n + i) * c + q] = s
                }
            }
        }
        return out
    }

    /// Composite product H_{S−1} ··· H_0 of one token's n×n matrices (given in forward order).
    public static func composite(_ matrices: [[Double]], n: Int) -> [Double] {
        var p = [Double](repeating: 0, count: n * n)
        for i in 0..<n { p[i * n + i] = 1 }
        for h in matrices {
            var next = [Double](repeating: 0, count: n * n)
            for i in 0..<n {
                for j in 0..<n {
                    for q in 0..<n { next[i * n + j] += h[i * n + q] * p[q * n + j] }
                }
            }
            p = next
        }
        return p
    }
}
