import Tensor

/// Everything the forward pass keeps for backward, plus backward scratch, for one (B,T): a single
/// 64-byte-aligned allocation carved into views, reused across steps (no allocation in the hot loop).
///
/// Legend: N = B·T rows, n streams, C d_model, F ffn_hidden, V vocab, H heads, S = 2L sub-layers
/// (sub-layer 2l is block l's attention, 2l+1 its MLP), m = n²+2n mHC coefficients.
final class Activations {
    let B: Int, T: Int, N: Int
    /// The memory, possibly inherited from the previous (larger) shape.
    let storage: ActivationStorage

    // forward, saved
    let streams: [UnsafeMutablePointer<Float>]   // S+1 × [N, n·C]  state entering sub-layer s (last: trunk output)
    let hcCache: [MHCCoefficientCache]           // S × N·(2m+1)   r, h and backward scratch (n > 1)
    let hcPre: [UnsafeMutablePointer<Float>]     // S × [N, n]     H_pre
    let hcPost: [UnsafeMutablePointer<Float>]    // S × [N, n]     H_post
    let hcRes: [UnsafeMutablePointer<Float>]     // S × [N, n·n]   H_res
    let mixed: [UnsafeMutablePointer<Float>]     // S × [N, C]     u = Σ H_pre[i]·X[i] (aliases streams[s] when n = 1)
    let normRstd: [UnsafeMutablePointer<Float>]  // S × [N]
    let normed: [UnsafeMutablePointer<Float>]    // S × [N, C]     z = RMSNorm(u)
    let out: [UnsafeMutablePointer<Float>]       // S × [N, C]     y = f(z) (n > 1 only; n = 1 adds in place)
    let q: [UnsafeMutablePointer<Float>], k: [UnsafeMutablePointer<Float>], v: [UnsafeMutablePointer<Float>] // L × [N, C] (after RoPE)
    let probs: [UnsafeMutablePointer<Float>]     // L × [B, H, T, T]
    let attnOut: [UnsafeMutablePointer<Float>]   // L × [N, C]     concatenated heads before o_proj
    let gate: [UnsafeMutablePointer<Float>], up: [UnsafeMutablePointer<Float>], hidden: [UnsafeMutablePointer<Float>] // L × [N, F]
    let collapsed: UnsafeMutablePointer<Float>   // [N, C]         mean over streams
    let finalRstd: UnsafeMutablePointer<Float>   // [N]
    let finalNormed: UnsafeMutablePointer<Float> // [N, C]
    let logits: UnsafeMutablePointer<Float>      // [N, V]

    // backward scratch
    let dStreams: UnsafeMutablePointer<Float>    // [N, n·C]
    let dStreamsAlt: UnsafeMutablePointer<Float> // [N, n·C] (n > 1)
    let dC1: UnsafeMutablePointer<Float>, dC2: UnsafeMutablePointer<Float>, dC3: UnsafeMutablePointer<Float> // [N, C]
    let dC4: UnsafeMutablePointer<Float>, dC5: UnsafeMutablePointer<Float>  // [N, C]
    let dF1: UnsafeMutablePointer<Float>, dF2: UnsafeMutablePointer<Float>, dF3: UnsafeMutablePointer<Float> // [N, F]
    let dProbs: UnsafeMutablePointer<Float>      // [B, H, T, T]
    let dHPost: UnsafeMutablePointer<Float>      // [N, n]
    let dHRes: UnsafeMutablePointer<Float>       // [N, n·n]

    /// Carves views for (B, T), reusing `reuse`'s memory when it is large enough (no allocation while a
    /// caller's shapes only shrink or repeat, e.g. generation with a growing prefix after a long first call).
    init(config c: ModelConfig, B: Int, T: Int, reuse: ActivationStorage? = nil) {
        self.B = B; self.T = T
        let N = B * T; self.N = N
        let n = c.nStreams, C = c.dModel, F = c.ffnHidden, V = c.vocabSize, H = c.nHeads
        let L = c.nLayers, S = 2 * L, hc = n > 1
        var sizes: [Int] = []
        func take(_ count: Int) -> Int { sizes.append(count); return sizes.count - 1 }
        func takeMany(_ k: Int, _ count: Int) -> [Int] { (0..<k).map { _ in take(count) } }
        let iStreams = takeMany(S + 1, N * n * C)
        let iCache = takeMany(S, hc ? MHCCoefficientCache.floatCount(rows: N, streams: n) : 0)
        let iPre = takeMany(S, hc ? N * n : 0), iPost = takeMany(S, hc ? N * n : 0)
        let iRes = takeMany(S, hc ? N * n * n : 0)
        let iMixed = takeMany(S, hc ? N * C : 0)
        let iNormRstd = takeMany(S, N), iNormed = takeMany(S, N * C), iOut = takeMany(S, hc ? N * C : 0)
        let iq = takeMany(L, N * C), ik = takeMany(L, N * C), iv = takeMany(L, N * C)
        let iProbs = takeMany(L, B * H * T * T), iAttnOut = takeMany(L, N * C)
        let iGate = takeMany(L, N * F), iUp = takeMany(L, N * F), iHidden = takeMany(L, N * F)
        let iCollapsed = take(hc ? N * C : 0), iFinalRstd = take(N), iFinalNormed = take(N * C), iLogits = take(N * V)
        let iD = take(N * n * C), iDAlt = take(hc ? N * n * C : 0)
        let iC = takeMany(5, N * C), iF = takeMany(3, N * F), iDP = take(B * H * T * T)
        let iDHPost = take(hc ? N * n : 0), iDHRes = take(hc ? N * n * n : 0)

        var offsets: [Int] = [], o = 0
        for s in sizes { offsets.append(o); o += (s + 15) / 16 * 16 }
        let total = max(o, 16)
        if let reuse, reuse.capacity >= total {
            storage = reuse
        } else {
            storage = ActivationStorage(capacity: total)
        }
        let b = storage.base
        func p(_ i: Int) -> UnsafeMutablePointer<Float> { b + offsets[i] }
        streams = iStreams.map(p)
        hcCache = iCache.map { MHCCoefficientCache(base: p($0), rows: N, streams: n) }
        hcPre = iPre.map(p); hcPost = iPost.map(p); hcRes = iRes.map(p)
        let st = streams
        mixed = hc ? iMixed.map(p) : (0..<S).map { st[$0] }
        normRstd = iNormRstd.map(p); normed = iNormed.map(p); out = iOut.map(p)
        q = iq.map(p); k = ik.map(p); v = iv.map(p); probs = iProbs.map(p); attnOut = iAttnOut.map(p)
        gate = iGate.map(p); up = iUp.map(p); hidden = iHidden.map(p)
        collapsed = hc ? p(iCollapsed) : st[S]
        finalRstd = p(iFinalRstd); finalNormed = p(iFinalNormed); logits = p(iLogits)
        dStreams = p(iD); dStreamsAlt = p(iDAlt)
        dC1 = p(iC[0]); dC2 = p(iC[1]); dC3 = p(iC[2]); dC4 = p(iC[3]); dC5 = p(iC[4])
        dF1 = p(iF[0]); dF2 = p(iF[1]); dF3 = p(iF[2]); dProbs = p(iDP)
        dHPost = p(iDHPost); dHRes = p(iDHRes)
    }

    /// Bytes held by this slab.
    var byteCount: Int { storage.capacity * 4 }
}

/// A zero-initialised, 64-byte-aligned Float allocation owned by whichever Activations carve it.
final class ActivationStorage {
    let base: UnsafeMutablePointer<Float>
    let capacity: Int
    init(capacity: Int) {
        self.capacity = capacity
        let raw = UnsafeMutableRawPointer.allocate(byteCount: capacity * 4, alignment: 64)
        base = raw.bindMemory(to: Float.self, capacity: capacity)
        base.initialize(repeating: 0, count: capacity)
    }
    deinit { UnsafeMutableRawPointer(base).deallocate() }
}
