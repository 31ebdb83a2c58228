import Tensor

extension MHCModel {
    /// Backpropagates `dLogits` [B·T·V] of the last forward. ACCUMULATES (+=) into `grads` (the weight
    /// matrices only when `baseWeightGradients`) and, with `lora`, into the adapters' gradients.
    public func backward(dLogits: UnsafePointer<Float>) {
        guard let a = acts else { preconditionFailure("backward called before forward") }
        let c = config, N = a.N, C = c.dModel, n = c.nStreams, V = c.vocabSize, S = 2 * c.nLayers

        // head and final norm
        matmulBackwardInput(a.dC1, dLogits, weight(names.head), N: N, I: C, O: V, accumulate: false)
        if baseWeightGradients {
            matmulBackwardWeight(gradient(names.head), dLogits, a.finalNormed, N: N, I: C, O: V)
        }
        var dX = a.dStreams, dXalt = a.dStreamsAlt
        rmsnormBackward(dx: n == 1 ? dX : a.dC2, dw: gradient("final_norm.weight"), dout: a.dC1, x: a.collapsed,
                        rstd: a.finalRstd, weight: weight("final_norm.weight"), N: N, C: C, accumulate: false)
        if n > 1 { collapseStreamsBackward(dX, a.dC2, N: N, n: n, C: C) }

        for s in stride(from: S - 1, through: 0, by: -1) {
            sublayerBackward(a, s: s, attention: s % 2 == 0, dX: dX, dXprev: dXalt)
            if n > 1 { swap(&dX, &dXalt) }
        }

        // expand and embedding
        let dEmb: UnsafeMutablePointer<Float>
        if n > 1 {
            expandStreamsBackward(a.dC1, dX, N: N, n: n, C: C)
            dEmb = a.dC1
        } else {
            dEmb = dX
        }
        if baseWeightGradients {
            tokens.withUnsafeBufferPointer { tok in
                embeddingBackward(gradient("tok_emb.weight"), tokens: tok.baseAddress!, dout: dEmb, N: N, C: C, V: V)
            }
        }
    }

    /// dX holds ∂L/∂X[s+1]; on return ∂L/∂X[s] is in dX (n = 1, updated in place) or dXprev (n > 1).
    func sublayerBackward(_ a: Activations, s: Int, attention: Bool,
                          dX: UnsafeMutablePointer<Float>, dXprev: UnsafeMutablePointer<Float>) {
        let c = config, N = a.N, C = c.dModel, n = c.nStreams, F = c.ffnHidden
        let blk = names.blocks[s / 2], l = s / 2
        let dy: UnsafeMutablePointer<Float>
        if n == 1 {
            dy = dX                       // X' = X + y: dy = dX', dX = dX' (+ du below)
        } else {
            dy = a.dC1
            hcPostBackward(a, s: s, dXnext: dX, dy: dy, dX: dXprev)
        }
        let z = a.normed[s], dz = a.dC2
        let weights = baseWeightGradients
        if attention {
            let dAttn = a.dC2, dq = a.dC3, dk = a.dC4, dv = a.dC5
            matmulBackwardInput(dAttn, dy, weight(blk.o), N: N, I: C, O: C, accumulate: false)
            if weights { matmulBackwardWeight(gradient(blk.o), dy, a.attnOut[l], N: N, I: C, O: C) }
            lora?.backward(.o, layer: l, x: a.attnOut[l], dy: dy, dx: dAttn, rows: N)
            attentionBackward(dq: dq, dk: dk, dv: dv, dout: dAttn, q: a.q[l], k: a.k[l], v: a.v[l],
                              probs: a.probs[l], scratch: a.dProbs, B: a.B, T: a.T, H: c.nHeads, D: c.headDim)
            // q, k were saved after RoPE: the weight gradients need the unrotated gradient and z.
            ropeBackward(dq, tables: rope, B: a.B, T: a.T, H: c.nHeads, D: c.headDim)
            ropeBackward(dk, tables: rope, B: a.B, T: a.T, H: c.nHeads, D: c.headDim)
            // dz aliases dAttn, which attentionBackward has consumed.
            matmulBackwardInput(dz, dq, weight(blk.q), N: N, I: C, O: C, accumulate: false)
            matmulBackwardInput(dz, dk, weight(blk.k), N: N, I: C, O: C, accumulate: true)
            matmulBackwardInput(dz, dv, weight(blk.v), N: N, I: C, O: C, accumulate: true)
            if weights {
                matmulBackwardWeight(gradient(blk.q), dq, z, N: N, I: C, O: C)
                matmulBackwardWeight(gradient(blk.k), dk, z, N: N, I: C, O: C)
                matmulBackwardWeight(gradient(blk.v), dv, z, N: N, I: C, O: C)
            }
            if let lora {
                lora.backward(.q, layer: l, x: z, dy: dq, dx: dz, rows: N)
                lora.backward(.k, layer: l, x: z, dy: dk, dx: dz, rows: N)
                lora.backward(.v, layer: l, x: z, dy: dv, dx: dz, rows: N)
            }
        } else {
            let dHidden = a.dF1, dGate = a.dF2, dUp = a.dF3
            matmulBackwardInput(dHidden, dy, weight(blk.down), N: N, I: F, O: C, accumulate: false)
            if weights { matmulBackwardWeight(gradient(blk.down), dy, a.hidden[l], N: N, I: F, O: C) }
            lora?.backward(.down, layer: l, x: a.hidden[l], dy: dy, dx: dHidden, rows: N)
            swigluBackward(dgate: dGate, dup: dUp, dh: dHidden, gate: a.gate[l], up: a.up[l], count: N * F)
            matmulBackwardInput(dz, dGate, weight(blk.gate), N: N, I: C, O: F, accumulate: false)
            matmulBackwardInput(dz, dUp, weight(blk.up), N: N, I: C, O: F, accumulate: true)
            if weights {
                matmulBackwardWeight(gradient(blk.gate), dGate, z, N: N, I: C, O: F)
                matmulBackwardWeight(gradient(blk.up), dUp, z, N: N, I: C, O: F)
            }
            if let lora {
                lora.backward(.gate, layer: l, x: z, dy: dGate, dx: dz, rows: N)
                lora.backward(.up, layer: l, x: z, dy: dUp, dx: dz, rows: N)
            }
        }
        let normName = attention ? blk.attnNorm : blk.mlpNorm
        if n == 1 {
            rmsnormBackward(dx: dX, dw: gradient(normName), dout: dz, x: a.mixed[s], rstd: a.normRstd[s],
                            weight: weight(normName), N: N, C: C, accumulate: true)
        } else {
            let du = a.dC3
            rmsnormBackward(dx: du, dw: gradient(normName), dout: dz, x: a.mixed[s], rstd: a.normRstd[s],
                            weight: weight(normName), N: N, C: C, accumulate: false)
            hcPreBackward(a, s: s, block: blk, which: s % 2, du: du, dX: dXprev)
        }
    }
}
