import Tensor

extension MHCModel {
    func weight(_ name: String) -> UnsafeMutablePointer<Float> { params.view(name).baseAddress! }
    func gradient(_ name: String) -> UnsafeMutablePointer<Float> { grads.view(name).baseAddress! }

    /// tokens [B·T] row-major → logits [B·T·V]. Activations are kept for `backward`; the returned buffer
    /// is valid until the next `forward` with a different (B, T) or any later forward (it is overwritten).
    public func forward(tokens: [Int32], batch B: Int, seqLen T: Int) -> UnsafeMutableBufferPointer<Float> {
        let c = config
        precondition(B >= 1 && T >= 1 && tokens.count == B * T, "tokens.count \(tokens.count) != batch \(B) × seqLen \(T)")
        precondition(T <= c.maxSeqLen, "seqLen \(T) exceeds max_seq_len \(c.maxSeqLen)")
        for t in tokens { precondition(t >= 0 && Int(t) < c.vocabSize, "token id \(t) outside 0..<\(c.vocabSize)") }
        let a = activations(B: B, T: T)
        self.tokens = tokens
        let N = B * T, C = c.dModel, n = c.nStreams, V = c.vocabSize

        // 1–2. embed, expand to n streams
        tokens.withUnsafeBufferPointer { tok in
            embeddingForward(n == 1 ? a.streams[0] : a.dC1, tokens: tok.baseAddress!,
                             table: weight("tok_emb.weight"), N: N, C: C)
        }
        if n > 1 { expandStreams(a.streams[0], a.dC1, N: N, n: n, C: C) }

        // 3. blocks
        for l in 0..<c.nLayers {
            sublayerForward(a, s: 2 * l, attention: true)
            sublayerForward(a, s: 2 * l + 1, attention: false)
        }

        // 6. collapse, final norm, head
        let S = 2 * c.nLayers
        if n > 1 { collapseStreams(a.collapsed, a.streams[S], N: N, n: n, C: C) }
        rmsnormForward(a.finalNormed, rstd: a.finalRstd, a.collapsed, weight: weight("final_norm.weight"),
                       N: N, C: C, eps: c.normEps)
        matmulForward(a.logits, a.finalNormed, weight(names.head), N: N, I: C, O: V)
        return UnsafeMutableBufferPointer(start: a.logits, count: N * V)
    }

    /// One sub-layer: X[s] → X[s+1]. `attention` selects f (attention or SwiGLU MLP).
    func sublayerForward(_ a: Activations, s: Int, attention: Bool) {
        let c = config, N = a.N, C = c.dModel, n = c.nStreams, F = c.ffnHidden
        let blk = names.blocks[s / 2], l = s / 2
        let X = a.streams[s], Xnext = a.streams[s + 1]
        if n > 1 {
            hcPreForward(a, s: s, block: blk, which: s % 2)
        }
        rmsnormForward(a.normed[s], rstd: a.normRstd[s], a.mixed[s],
                       weight: weight(attention ? blk.attnNorm : blk.mlpNorm), N: N, C: C, eps: c.normEps)
        // y: n = 1 adds straight onto the copied residual; n > 1 writes its own buffer for mixing.
        let y: UnsafeMutablePointer<Float>
        if n == 1 {
            Xnext.update(from: X, count: N * C)
            y = Xnext
        } else {
            y = a.out[s]
        }
        let z = a.normed[s]
        if attention {
            matmulForward(a.q[l], z, weight(blk.q), N: N, I: C, O: C)
            matmulForward(a.k[l], z, weight(blk.k), N: N, I: C, O: C)
            matmulForward(a.v[l], z, weight(blk.v), N: N, I: C, O: C)
            if let lora {       // before RoPE: the adapters act on the projections themselves
                lora.forward(.q, layer: l, x: z, y: a.q[l], rows: N)
                lora.forward(.k, layer: l, x: z, y: a.k[l], rows: N)
                lora.forward(.v, layer: l, x: z, y: a.v[l], rows: N)
            }
            ropeForward(a.q[l], tables: rope, B: a.B, T: a.T, H: c.nHeads, D: c.headDim)
            ropeForward(a.k[l], tables: rope, B: a.B, T: a.T, H: c.nHeads, D: c.headDim)
            attentionForward(a.attnOut[l], probs: a.probs[l], q: a.q[l], k: a.k[l], v: a.v[l],
                             B: a.B, T: a.T, H: c.nHeads, D: c.headDim)
            matmulForward(y, a.attnOut[l], weight(blk.o), N: N, I: C, O: C, accumulate: n == 1)
            lora?.forward(.o, layer: l, x: a.attnOut[l], y: y, rows: N)
        } else {
            matmulForward(a.gate[l], z, weight(blk.gate), N: N, I: C, O: F)
            matmulForward(a.up[l], z, weight(blk.up), N: N, I: C, O: F)
            if let lora {
                lora.forward(.gate, layer: l, x: z, y: a.gate[l], rows: N)
                lora.forward(.up, layer: l, x: z, y: a.up[l], rows: N)
            }
            swigluForward(a.hidden[l], gate: a.gate[l], up: a.up[l], count: N * F)
            matmulForward(y, a.hidden[l], weight(blk.down), N: N, I: F, O: C, accumulate: n == 1)
            lora?.forward(.down, layer: l, x: a.hidden[l], y: y, rows: N)
        }
        if n > 1 {
            hcPostForward(a, s: s)
        }
    }
}
