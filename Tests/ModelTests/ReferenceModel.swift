import Foundation
@testable import Model

/// Independent Double-precision forward of the spec (docs/model.md), written with plain loops and no
/// shared code with the optimized model: the oracle for the n = 1 equivalence test, the mHC forward
/// test and the finite-difference gradient checks. `overrides` replaces named tensors (for perturbations).
struct ReferenceModel {
    let config: ModelConfig
    var weights: [String: [Double]]

    init(config: ModelConfig, params: ParameterSet) {
        self.config = config
        var w: [String: [Double]] = [:]
        for info in params.infos { w[info.name] = params.view(info.name).map(Double.init) }
        weights = w
    }

    func linear(_ x: [Double], _ name: String, rows: Int, inF: Int, outF: Int) -> [Double] {
        let w = weights[name]!
        var y = [Double](repeating: 0, count: rows * outF)
        for r in 0..<rows { for o in 0..<outF {
            var s = 0.0
            for i in 0..<inF { s += x[r * inF + i] * w[o * inF + i] }
            y[r * outF + o] = s
        } }
        return y
    }

    func rmsnorm(_ x: [Double], _ w: [Double]?, rows: Int, width: Int) -> [Double] {
        var y = x
        for r in 0..<rows {
            var ss = 0.0
            for i in 0..<width { ss += x[r * width + i] * x[r * width + i] }
            let inv = 1 / (ss / Double(width) + Double(config.normEps)).squareRoot()
            for i in 0..<width { y[r * width + i] = x[r * width + i] * inv * (w?[i] ?? 1) }
        }
        return y
    }

    func sigmoid(_ x: Double) -> Double { 1 / (1 + exp(-x)) }

    /// One token's sub-layer input u and coefficients (H_pre, H_post, H_res) from its streams X [n·C].
    func coefficients(_ X: [Double], prefix: String) -> (pre: [Double], post: [Double], res: [Double]) {
        let n = config.nStreams, C = config.dModel, m = n * n + 2 * n
        let xhat = rmsnorm(X, nil, rows: 1, width: n * C)
        let h = linear(xhat, prefix + ".phi", rows: 1, inF: n * C, outF: m)
        let a = weights[prefix + ".alpha"]!, b = weights[prefix + ".bias"]!
        let pre = (0..<n).map { sigmoid(a[0] * h[$0] + b[$0]) }
        let post = (0..<n).map { 2 * sigmoid(a[1] * h[n + $0] + b[n + $0]) }
        var M = (0..<(n * n)).map { a[2] * h[2 * n + $0] + b[2 * n + $0] }
        let mx = M.max()!
        M = M.map { exp($0 - mx) }
        for _ in 0..<config.sinkhornIters {
            for j in 0..<n { let s = (0..<n).reduce(0.0) { $0 + M[$1 * n + j] }; for i in 0..<n { M[i * n + j] /= s } }
            for i in 0..<n { let s = (0..<n).reduce(0.0) { $0 + M[i * n + $1] }; for j in 0..<n { M[i * n + j] /= s } }
        }
        return (pre, post, M)
    }

    func attention(_ z: [Double], block p: String, B: Int, T: Int) -> [Double] {
        let C = config.dModel, H = config.nHeads, D = C / H, N = B * T
        var q = linear(z, p + "attn.q_proj.weight", rows: N, inF: C, outF: C)
        var k = linear(z, p + "attn.k_proj.weight", rows: N, inF: C, outF: C)
        let v = linear(z, p + "attn.v_proj.weight", rows: N, inF: C, outF: C)
        for row in 0..<N {
            let t = row % T
            for h in 0..<H { for j in 0..<(D / 2) {
                let ang = Double(t) * pow(Double(config.ropeTheta), -2 * Double(j) / Double(D))
                for buf in [0, 1] {
                    var x = buf == 0 ? q : k
                    let i = row * C + h * D
                    let a = x[i + j], b = x[i + j + D / 2]
                    x[i + j] = a * cos(ang) - b * sin(ang)
                    x[i + j + D / 2] = b * cos(ang) + a * sin(ang)
                    if buf == 0 { q = x } else { k = x }
                }
            } }
        }
        var o = [Double](repeating: 0, count: N * C)
        for b in 0..<B { for h in 0..<H { for i in 0..<T {
            var s = (0...i).map { j in
                (0..<D).reduce(0.0) { $0 + q[(b * T + i) * C + h * D + $1] * k[(b * T + j) * C + h * D + $1] } / Double(D).squareRoot()
            }
            let mx = s.max()!
            s = s.map { exp($0 - mx) }
            let z = s.reduce(0, +)
            for d in 0..<D {
                o[(b * T + i) * C + h * D + d] = (0...i).reduce(0.0) { $0 + s[$1] / z * v[(b * T + $1) * C + h * D + d] }
            }
        } } }
        return linear(o, p + "attn.o_proj.weight", rows: N, inF: C, outF: C)
    }

    func mlp(_ z: [Double], block p: String, rows N: Int) -> [Double] {
        let C = config.dModel, F = config.ffnHidden
        let g = linear(z, p + "mlp.gate_proj.weight", rows: N, inF: C, outF: F)
        let u = linear(z, p + "mlp.up_proj.weight", rows: N, inF: C, outF: F)
        let h = zip(g, u).map { $0 * sigmoid($0) * $1 }
        return linear(h, p + "mlp.down_proj.weight", rows: N, inF: F, outF: C)
    }

    /// logits [B·T·V] in Double.
    func logits(tokens: [Int32], B: Int, T: Int) -> [Double] {
        let C = config.dModel, n = config.nStreams, V = config.vocabSize, N = B * T
        let emb = weights["tok_emb.weight"]!
        var X = [Double](repeating: 0, count: N * n * C)      // [N, n, C]
        for row in 0..<N { for i in 0..<n { for c in 0..<C { X[(row * n + i) * C + c] = emb[Int(tokens[row]) * C + c] } } }
        for l in 0..<config.nLayers {
            let p = "blocks.\(l)."
            for sub in ["attn", "mlp"] {
                var u = [Double](repeating: 0, count: N * C)
                var coeff: [(pre: [Double], post: [Double], res: [Double])] = []
                for row in 0..<N {
                    let x = Array(X[row * n * C ..< (row + 1) * n * C])
                    if n == 1 {
                        for c in 0..<C { u[row * C + c] = x[c] }
                    } else {
                        let k = coefficients(x, prefix: p + sub + "_hc")
                        coeff.append(k)
                        for i in 0..<n { for c in 0..<C { u[row * C + c] += k.pre[i] * x[i * C + c] } }
                    }
                }
                let z = rmsnorm(u, weights[p + sub + "_norm.weight"]!, rows: N, width: C)
                let y = sub == "attn" ? attention(z, block: p, B: B, T: T) : mlp(z, block: p, rows: N)
                var Xn = X
                for row in 0..<N { for i in 0..<n { for c in 0..<C {
                    if n == 1 { Xn[row * C + c] = X[row * C + c] + y[row * C + c]; continue }
                    var acc = coeff[row].post[i] * y[row * C + c]
                    for j in 0..<n { acc += coeff[row].res[i * n + j] * X[(row * n + j) * C + c] }
                    Xn[(row * n + i) * C + c] = acc
                } } }
                X = Xn
            }
        }
        var xT = [Double](repeating: 0, count: N * C)
        for row in 0..<N { for i in 0..<n { for c in 0..<C { xT[row * C + c] += X[(row * n + i) * C + c] / Double(n) } } }
        let zf = rmsnorm(xT, weights["final_norm.weight"]!, rows: N, width: C)
        return linear(zf, config.tieEmbeddings ? "tok_emb.weight" : "lm_head.weight", rows: N, inF: C, outF: V)
    }

    /// Mean cross-entropy of the reference logits (targets < 0 ignored).
    func loss(tokens: [Int32], targets: [Int32], B: Int, T: Int) -> Double {
        let V = config.vocabSize
        let lg = logits(tokens: tokens, B: B, T: T)
        var s = 0.0, count = 0
        for (r, t) in targets.enumerated() where t >= 0 {
            let row = lg[r * V ..< (r + 1) * V]
            let mx = row.max()!
            s += mx + log(row.map { exp($0 - mx) }.reduce(0, +)) - row[row.startIndex + Int(t)]
            count += 1
        }
        return s / Double(count)
    }
}
