import Tensor

/// KV cache and scratch for incremental decoding of B rows (one new token per row per step).
///
/// Legend: B rows, P capacity (positions per row), C d_model, n streams, F ffn_hidden, V vocab, L blocks.
/// Keys are stored after RoPE, so a cached position never needs re-rotation. Each row has its own length:
/// row b's next token goes to position `lengths[b]` and attends to positions 0...lengths[b].
/// One allocation carved into views, reused across steps.
public final class DecodeState {
    public let batch: Int
    public let capacity: Int
    /// Cached positions per row.
    public internal(set) var lengths: [Int]

    let kCache: [UnsafeMutablePointer<Float>]   // L × [B, H, P, D]  (each head's positions contiguous)
    let vCache: [UnsafeMutablePointer<Float>]   // L × [B, H, P, D]
    let X: UnsafeMutablePointer<Float>          // [B, n, C]  streams entering the sub-layer
    let Xnext: UnsafeMutablePointer<Float>      // [B, n, C]
    let hcPre: UnsafeMutablePointer<Float>      // [B, n]
    let hcPost: UnsafeMutablePointer<Float>     // [B, n]
    let hcRes: UnsafeMutablePointer<Float>      // [B, n, n]
    let hcCache: MHCCoefficientCache            // rows B
    let mixed: UnsafeMutablePointer<Float>      // [B, C]
    let rstd: UnsafeMutablePointer<Float>       // [B]
    let normed: UnsafeMutablePointer<Float>     // [B, C]
    let q: UnsafeMutablePointer<Float>, k: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float> // [B, C]
    let attn: UnsafeMutablePointer<Float>       // [B, C]
    let y: UnsafeMutablePointer<Float>          // [B, C]
    let gate: UnsafeMutablePointer<Float>, up: UnsafeMutablePointer<Float>, hidden: UnsafeMutablePointer<Float> // [B, F]
    let scores: UnsafeMutablePointer<Float>     // [B, P]  one head at a time per row
    let collapsed: UnsafeMutablePointer<Float>  // [B, C]
    let finalNormed: UnsafeMutablePointer<Float> // [B, C]
    let logits: UnsafeMutablePointer<Float>     // [B, V]
    private let base: UnsafeMutablePointer<Float>

    init(config c: ModelConfig, batch B: Int, capacity P: Int) {
        precondition(B >= 1 && P >= 1 && P <= c.maxSeqLen, "decode state: batch \(B), capacity \(P) (max_seq_len \(c.maxSeqLen))")
        batch = B; capacity = P; lengths = Array(repeating: 0, count: B)
        let C = c.dModel, n = c.nStreams, F = c.ffnHidden, V = c.vocabSize, L = c.nLayers
        var sizes: [Int] = []
        func take(_ count: Int) -> Int { sizes.append(count); return sizes.count - 1 }
        let ik = (0..<L).map { _ in take(B * P * C) }, iv = (0..<L).map { _ in take(B * P * C) }
        let iX = take(B * n * C), iXn = take(B * n * C)
        let iPre = take(B * n), iPost = take(B * n), iRes = take(B * n * n)
        let iCache = take(MHCCoefficientCache.floatCount(rows: B, streams: n))
        let iMixed = take(B * C), iRstd = take(B), iNormed = take(B * C)
        let iq = take(B * C), ikk = take(B * C), ivv = take(B * C), iAttn = take(B * C), iy = take(B * C)
        let iGate = take(B * F), iUp = take(B * F), iHidden = take(B * F), iScores = take(B * P)
        let iCollapsed = take(B * C), iFinal = take(B * C), iLogits = take(B * V)
        var offsets: [Int] = [], o = 0
        for s in sizes { offsets.append(o); o += (s + 15) / 16 * 16 }
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(o, 16) * 4, alignment: 64)
        base = raw.bindMemory(to: Float.self, capacity: max(o, 16))
        base.initialize(repeating: 0, count: max(o, 16))
        let b = base
        func p(_ i: Int) -> UnsafeMutablePointer<Float> { b + offsets[i] }
        kCache = ik.map(p); vCache = iv.map(p)
        X = p(iX); Xnext = p(iXn); hcPre = p(iPre); hcPost = p(iPost); hcRes = p(iRes)
        hcCache = MHCCoefficientCache(base: p(iCache), rows: B, streams: n)
        mixed = p(iMixed); rstd = p(iRstd); normed = p(iNormed)
        q = p(iq); k = p(ikk); v = p(ivv); attn = p(iAttn); y = p(iy)
        gate = p(iGate); up = p(iUp); hidden = p(iHidden); scores = p(iScores)
        collapsed = p(iCollapsed); finalNormed = p(iFinal); logits = p(iLogits)
    }

    deinit { UnsafeMutableRawPointer(base).deallocate() }
}
