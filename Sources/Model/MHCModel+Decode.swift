import Foundation
import Tensor

// Incremental (KV-cached) decoding: the same function as `forward`, one new token per row, LoRA adapters
// (`lora`) included: sampling comes from the adapted model without merging the adapters into W.
// Legend: B rows, Tp padded prompt length, P cache capacity, C d_model, n streams, H heads, D head dim, V vocab.

extension MHCModel {
    /// A decode state for `batch` rows of up to `capacity` positions each.
    public func makeDecodeState(batch: Int, capacity: Int) -> DecodeState {
        DecodeState(config: config, batch: batch, capacity: capacity)
    }

    /// Runs right-padded prompts `tokens` [B, Tp] through the full forward pass, caches keys/values of every
    /// position, and sets each row's length to its own prompt length (positions past it are overwritten as the
    /// row generates, and are never attended to before that).
    /// - Returns: logits [B, V] predicting each row's first new token (position promptLens[b] − 1).
    public func prefill(_ s: DecodeState, tokens: [Int32], promptLens: [Int], paddedLength Tp: Int)
        -> UnsafeMutableBufferPointer<Float> {
        let c = config, B = s.batch, C = c.dModel, V = c.vocabSize
        precondition(promptLens.count == B && tokens.count == B * Tp && Tp <= s.capacity, "prefill: bad shapes")
        precondition(promptLens.allSatisfy { $0 >= 1 && $0 <= Tp }, "prefill: every prompt needs 1...Tp tokens")
        let logits = forward(tokens: tokens, batch: B, seqLen: Tp)
        let a = acts!
        // [B, Tp, H, D] (forward layout) → [B, H, P, D] (cache layout: each head's keys contiguous).
        let H = c.nHeads, D = c.headDim, P = s.capacity
        for l in 0..<c.nLayers {
            for b in 0..<B { for t in 0..<Tp { for h in 0..<H {
                let src = (b * Tp + t) * C + h * D, dst = ((b * H + h) * P + t) * D
                (s.kCache[l] + dst).update(from: a.k[l] + src, count: D)
                (s.vCache[l] + dst).update(from: a.v[l] + src, count: D)
            } } }
        }
        for b in 0..<B {
            (s.logits + b * V).update(from: logits.baseAddress! + (b * Tp + promptLens[b] - 1) * V, count: V)
        }
        s.lengths = promptLens
        return UnsafeMutableBufferPointer(start: s.logits, count: B * V)
    }

    /// Appends `tokens[b]` at position `lengths[b]` of every row and returns logits [B, V] for the next token.
    /// Rows are independent: a row's logits do not depend on the other rows.
    public func decodeStep(_ s: DecodeState, tokens: [Int32]) -> UnsafeMutableBufferPointer<Float> {
        let c = config, B = s.batch, C = c.dModel, n = c.nStreams, V = c.vocabSize
        precondition(tokens.count == B, "decodeStep: one token per row")
        for b in 0..<B {
            precondition(s.lengths[b] < s.capacity, "decodeStep: row \(b) is full (capacity \(s.capacity))")
            precondition(tokens[b] >= 0 && Int(tokens[b]) < V, "decodeStep: token id \(tokens[b]) outside 0..<\(V)")
        }
        tokens.withUnsafeBufferPointer { tok in
            embeddingForward(n == 1 ? s.X : s.y, tokens: tok.baseAddress!, table: weight("tok_emb.weight"), N: B, C: C)
        }
        if n > 1 { expandStreams(s.X, s.y, N: B, n: n, C: C) }
        for l in 0..<c.nLayers {
            decodeSublayer(s, layer: l, attention: true)
            decodeSublayer(s, layer: l, attention: false)
        }
        if n > 1 { collapseStreams(s.collapsed, s.X, N: B, n: n, C: C) }
        rmsnormForward(s.finalNormed, rstd: s.rstd, n > 1 ? s.collapsed : s.X, weight: weight("final_norm.weight"),
                       N: B, C: C, eps: c.normEps)
        matmulForwardFewRows(s.logits, s.finalNormed, weight(names.head), N: B, I: C, O: V)
        for b in 0..<B { s.lengths[b] += 1 }
        return UnsafeMutableBufferPointer(start: s.logits, count: B * V)
    }

    /// One sub-layer for B single-token rows: s.X → s.X (in place through s.Xnext).
    private func decodeSublayer(_ s: DecodeState, layer l: Int, attention: Bool) {
        let c = config, B = s.batch, C = c.dModel, n = c.nStreams, F = c.ffnHidden
        let blk = names.blocks[l], which = attention ? 0 : 1
        let input: UnsafeMutablePointer<Float>
        if n > 1 {
            mhcCoefficientsForward(x: s.X, phi: weight(blk.hcPhi[which]), alpha: weight(blk.hcAlpha[which]),
                                   bias: weight(blk.hcBias[which]), hPre: s.hcPre, hPost: s.hcPost, hRes: s.hcRes,
                                   cache: s.hcCache, rows: B, streams: n, width: C, eps: c.normEps,
                                   sinkhornIterations: c.sinkhornIters, preAggregate: s.mixed, threads: Parallel.threads)
            input = s.mixed
        } else {
            input = s.X
        }
        rmsnormForward(s.normed, rstd: s.rstd, input, weight: weight(attention ? blk.attnNorm : blk.mlpNorm),
                       N: B, C: C, eps: c.normEps)
        // n = 1 adds f's output straight onto the residual stream; n > 1 writes y for the mixing.
        let y = n == 1 ? s.X : s.y
        if attention {
            matmulForwardFewRows(s.q, s.normed, weight(blk.q), N: B, I: C, O: C)
            matmulForwardFewRows(s.k, s.normed, weight(blk.k), N: B, I: C, O: C)
            matmulForwardFewRows(s.v, s.normed, weight(blk.v), N: B, I: C, O: C)
            if let lora {
                lora.decodeForward(.q, layer: l, x: s.normed, y: s.q, rows: B)
                lora.decodeForward(.k, layer: l, x: s.normed, y: s.k, rows: B)
                lora.decodeForward(.v, layer: l, x: s.normed, y: s.v, rows: B)
            }
            cachedAttention(s, layer: l)
            matmulForwardFewRows(y, s.attn, weight(blk.o), N: B, I: C, O: C, accumulate: n == 1)
            lora?.decodeForward(.o, layer: l, x: s.attn, y: y, rows: B)
        } else {
            matmulForwardFewRows(s.gate, s.normed, weight(blk.gate), N: B, I: C, O: F)
            matmulForwardFewRows(s.up, s.normed, weight(blk.up), N: B, I: C, O: F)
            if let lora {
                lora.decodeForward(.gate, layer: l, x: s.normed, y: s.gate, rows: B)
                lora.decodeForward(.up, layer: l, x: s.normed, y: s.up, rows: B)
            }
            swigluForward(s.hidden, gate: s.gate, up: s.up, count: B * F)
            matmulForwardFewRows(y, s.hidden, weight(blk.down), N: B, I: F, O: C, accumulate: n == 1)
            lora?.decodeForward(.down, layer: l, x: s.hidden, y: y, rows: B)
        }
        if n > 1 {
            mhcPostResMixForward(x: s.X, y: s.y, hPost: s.hcPost, hRes: s.hcRes, out: s.Xnext,
                                 rows: B, streams: n, width: C, threads: Parallel.threads)
            s.X.update(from: s.Xnext, count: B * n * C)
        }
    }

    /// RoPE at each row's own position, cache write, and attention over positions 0...lengths[b].
    /// q/k/v: [B, C] → s.attn [B, C].
    private func cachedAttention(_ s: DecodeState, layer l: Int) {
        let c = config, C = c.dModel, H = c.nHeads, D = c.headDim, half = D / 2, P = s.capacity
        let scale = 1 / Float(D).squareRoot()
        let lengths = s.lengths
        rope.cos.withUnsafeBufferPointer { cosT in rope.sin.withUnsafeBufferPointer { sinT in
            Parallel.forRanges(s.batch, grain: 1) { rows in
                for b in rows {
                    let pos = lengths[b]
                    let cr = cosT.baseAddress! + pos * half, sr = sinT.baseAddress! + pos * half
                    let qb = s.q + b * C, kb = s.k + b * C
                    for h in 0..<H {
                        rotate(qb + h * D, cr, sr, half)
                        rotate(kb + h * D, cr, sr, half)
                    }
                    let scores = s.scores + b * P, out = s.attn + b * C
                    for h in 0..<H {
                        let kBase = s.kCache[l] + (b * H + h) * P * D, vBase = s.vCache[l] + (b * H + h) * P * D
                        (kBase + pos * D).update(from: kb + h * D, count: D)
                        (vBase + pos * D).update(from: s.v + b * C + h * D, count: D)
                        let qh = qb + h * D
                        var m = -Float.infinity
                        for j in 0...pos {
                            let kj = kBase + j * D
                            let dot = simdDot(qh, kj, D) * scale
                            scores[j] = dot
                            m = max(m, dot)
                        }
                        var sum: Float = 0
                        for j in 0...pos { let e = expf(scores[j] - m); scores[j] = e; sum += e }
                        let inv = 1 / sum
                        let oh = out + h * D
                        oh.update(repeating: 0, count: D)
                        for j in 0...pos {
                            simdAxpy(scores[j] * inv, vBase + j * D, oh, D)
                        }
                    }
                }
            }
        } }
    }
}

/// Rotate-half RoPE of one head vector in place: pairs (j, j + D/2) by the angle whose cos/sin are given.
@inline(__always)
private func rotate(_ p: UnsafeMutablePointer<Float>, _ cr: UnsafePointer<Float>, _ sr: UnsafePointer<Float>, _ half: Int) {
    for j in 0..<half {
        let a = p[j], b = p[j + half]
        p[j] = a * cr[j] - b * sr[j]
        p[j + half] = b * cr[j] + a * sr[j]
    }
}

/// Σ a[i]·b[i] in 8 interleaved lanes (mul + add, not fma: the baseline x86-64 target has no FMA and
/// `addingProduct` would become a libm call per lane).
@inline(__always)
private func simdDot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ count: Int) -> Float {
    var acc = SIMD8<Float>(repeating: 0)
    var i = 0
    while i + 8 <= count {
        acc += UnsafeRawPointer(a + i).loadUnaligned(as: SIMD8<Float>.self)
             * UnsafeRawPointer(b + i).loadUnaligned(as: SIMD8<Float>.self)
        i += 8
    }
    var s = acc.sum()
    while i < count { s += a[i] * b[i]; i += 1 }
    return s
}

/// y[i] += alpha·x[i].
@inline(__always)
private func simdAxpy(_ alpha: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ count: Int) {
    let a = SIMD8<Float>(repeating: alpha)
    var i = 0
    while i + 8 <= count {
        let yi = UnsafeMutableRawPointer(y + i)
        yi.storeBytes(of: yi.loadUnaligned(as: SIMD8<Float>.self) + a * UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self),
                      as: SIMD8<Float>.self)
        i += 8
    }
    while i < count { y[i] += alpha * x[i]; i += 1 }
}
