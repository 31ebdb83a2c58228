import Foundation
import Testing
import SafeTensors
@testable import Model

/// The checkpoint, read by name in Python, drives an independent float64 numpy forward of the spec; its
/// logits must match ours. This pins the public tensor names to their roles ([out, in] layout, the mHC
/// bias/φ row order pre | post | res, H_res rows = output streams, rotate-half RoPE) as another
/// framework would read them.
@Suite struct NumpyReferenceTests {
    static let script = """
    import sys, json, numpy as np
    from safetensors.numpy import load_file
    from safetensors import safe_open
    ckpt, logits_path, toks, B, T = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
    W = {k: v.astype(np.float64) for k, v in load_file(ckpt).items()}
    with safe_open(ckpt, framework="numpy") as f: cfg = json.loads(f.metadata()["config"])
    ours = load_file(logits_path)["logits"].astype(np.float64)
    C, H, L, n, eps = cfg["d_model"], cfg["n_heads"], cfg["n_layers"], cfg["mhc"]["n_streams"], cfg["norm_eps"]
    D, iters, theta = C // H, cfg["mhc"]["sinkhorn_iters"], cfg["rope_theta"]
    idx = np.array([int(t) for t in toks.split(",")]).reshape(B, T)
    def rms(x, w=None):
        y = x / np.sqrt((x * x).mean(-1, keepdims=True) + eps)
        return y if w is None else y * w
    sig = lambda x: 1 / (1 + np.exp(-x))
    ang = np.arange(T)[:, None] * theta ** (-2 * np.arange(D // 2) / D)       # [T, D/2]
    def rope(x):                                                               # [B, T, H, D]
        a, b = x[..., :D // 2], x[..., D // 2:]
        c, s = np.cos(ang)[None, :, None, :], np.sin(ang)[None, :, None, :]
        return np.concatenate([a * c - b * s, b * c + a * s], -1)
    def attn(z, p):
        q = rope((z @ W[p + "attn.q_proj.weight"].T).reshape(B, T, H, D))
        k = rope((z @ W[p + "attn.k_proj.weight"].T).reshape(B, T, H, D))
        v = (z @ W[p + "attn.v_proj.weight"].T).reshape(B, T, H, D)
        s = np.einsum("bihd,bjhd->bhij", q, k) / np.sqrt(D)
        s = np.where(np.tril(np.ones((T, T), bool)), s, -np.inf)
        a = np.exp(s - s.max(-1, keepdims=True)); a /= a.sum(-1, keepdims=True)
        o = np.einsum("bhij,bjhd->bihd", a, v).reshape(B, T, C)
        return o @ W[p + "attn.o_proj.weight"].T
    def mlp(z, p):
        g, u = z @ W[p + "mlp.gate_proj.weight"].T, z @ W[p + "mlp.up_proj.weight"].T
        return (g * sig(g) * u) @ W[p + "mlp.down_proj.weight"].T
    X = np.repeat(W["tok_emb.weight"][idx][:, :, None, :], n, axis=2)        # [B, T, n, C]
    for l in range(L):
        for sub, f in (("attn", attn), ("mlp", mlp)):
            p = f"blocks.{l}."
            if n == 1:
                X = X + f(rms(X[:, :, 0], W[p + sub + "_norm.weight"]), p)[:, :, None]
                continue
            x = X.reshape(B, T, n * C)
            h = rms(x) @ W[p + sub + "_hc.phi"].T
            a, b = W[p + sub + "_hc.alpha"], W[p + sub + "_hc.bias"]
            pre = sig(a[0] * h[..., :n] + b[:n]); post = 2 * sig(a[1] * h[..., n:2 * n] + b[n:2 * n])
            Z = (a[2] * h[..., 2 * n:] + b[2 * n:]).reshape(B, T, n, n)
            M = np.exp(Z - Z.max((-1, -2), keepdims=True))
            for _ in range(iters):
                M = M / M.sum(-2, keepdims=True); M = M / M.sum(-1, keepdims=True)
            u = np.einsum("bti,btic->btc", pre, X)
            y = f(rms(u, W[p + sub + "_norm.weight"]), p)
            X = np.einsum("btij,btjc->btic", M, X) + post[..., None] * y[:, :, None, :]
    head = W["tok_emb.weight"] if cfg["tie_embeddings"] else W["lm_head.weight"]
    logits = rms(X.mean(2), W["final_norm.weight"]) @ head.T
    diff = np.abs(logits.reshape(-1) - ours.reshape(-1)).max()
    print("maxdiff", diff, "scale", np.abs(logits).max())
    sys.exit(0 if diff < 1e-4 and np.abs(logits).max() > 0.1 else 1)
    """

    @Test(arguments: [(1, false), (4, true), (3, false)])
    func logitsMatchAnIndependentNumpyForwardOfTheCheckpoint(streams: Int, tied: Bool) throws {
        let dir = try temporaryDirectory()
        let model = MHCModel(config: tinyConfig(streams: streams, tied: tied), seed: 70)
        scramble(model.params, seed: 71)
        let ckpt = dir + "/m.safetensors", logitsPath = dir + "/logits.safetensors"
        try Checkpoint.save(model: model, to: ckpt, metadata: [:])
        let B = 2, T = 6
        let tokens = randomTokens(B * T, vocab: 13, seed: 72)
        let logits = model.forward(tokens: tokens, batch: B, seqLen: T)
        try SafeTensors.write(path: logitsPath, tensors: [("logits", [B * T, 13], UnsafeBufferPointer(logits))], metadata: [:])
        let (status, out) = try runPython(Self.script, [ckpt, logitsPath, tokens.map(String.init).joined(separator: ","), "\(B)", "\(T)"])
        // float32 model vs float64 numpy on O(1) logits: 1e-4 absolute (measured ≤ 8e-7; swapping the
        // Sinkhorn normalisation order alone gives 2e-3)
        #expect(status == 0, "\(out)")
    }
}
