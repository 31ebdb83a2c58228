import Foundation
import Tensor

/// The mHC decoder-only transformer of docs/model.md: forward to logits, backward from dLogits.
///
/// Legend: B batch, T time, C d_model, H heads, D head dim, F ffn_hidden, V vocab, n streams, L blocks,
/// N = B·T. With n = 1 it is exactly a pre-norm Llama-style transformer.
/// Not thread-safe: one forward/backward at a time per instance.
public final class MHCModel: @unchecked Sendable {
    public let config: ModelConfig
    public let params: ParameterSet
    public let grads: ParameterSet
    let rope: RoPETables
    var acts: Activations?
    var tokens: [Int32] = []
    let names: LayerNames
    /// LoRA adapters that forward, backward and decoding apply on top of the frozen weights (nil: none).
    /// Fresh adapters (B = 0) leave every output unchanged; see `LoRAAdapters`.
    public var lora: LoRAAdapters? {
        willSet { precondition(newValue.map { $0.modelConfig == config } ?? true, "LoRA adapters of another model config") }
    }
    /// Whether `backward` computes the gradients of the weight matrices (embedding, head and the seven
    /// projections of every block). Turned off when only adapters train: those sgemms (half of backward's
    /// matmul FLOPs) are skipped; the small tensors' gradients (norms, mHC φ/α/bias) still accumulate into
    /// `grads` and are then unused scratch.
    public var baseWeightGradients = true

    /// Fresh model with the spec's initialisation, reproducible from `seed`.
    public convenience init(config: ModelConfig, seed: UInt64) {
        let params = ParameterSet(layout: ParameterLayout.tensors(for: config))
        Self.initialise(params, config: config, seed: seed)
        self.init(config: config, params: params)
    }

    /// Model over existing parameters (layout must match `ParameterLayout.tensors(for: config)`).
    public init(config: ModelConfig, params: ParameterSet) {
        let layout = ParameterLayout.tensors(for: config)
        precondition(params.infos.map(\.name) == layout.map(\.name) && params.infos.map(\.shape) == layout.map(\.shape),
                     "parameter layout does not match the config")
        self.config = config
        self.params = params
        self.grads = ParameterSet(sameLayoutAs: params)
        self.rope = RoPETables(maxT: config.maxSeqLen, headDim: config.headDim, theta: config.ropeTheta)
        self.names = LayerNames(config: config)
    }

    /// Spec initialisation: linear/embedding N(0, 0.02), o_proj/down_proj N(0, 0.02/√(2L)), norms 1,
    /// φ = 0, α = 0.01, b_pre = −ln(n−1), b_post = 0, b_res = 0 on the diagonal and −8 off it.
    static func initialise(_ p: ParameterSet, config c: ModelConfig, seed: UInt64) {
        var rng = InitRandom(seed: seed)
        let n = c.nStreams
        let residualStd = 0.02 / (2.0 * Double(c.nLayers)).squareRoot()
        for info in p.infos {
            let v = p.view(info.name)
            let name = info.name
            if name.hasSuffix("norm.weight") {
                v.update(repeating: 1)
            } else if name.hasSuffix("_hc.phi") {
                v.update(repeating: 0)
            } else if name.hasSuffix("_hc.alpha") {
                v.update(repeating: 0.01)
            } else if name.hasSuffix("_hc.bias") {
                let bPre = n > 1 ? Float(-log(Double(n - 1))) : 0
                for i in 0..<n { v[i] = bPre; v[n + i] = 0 }
                for i in 0..<n { for j in 0..<n { v[2 * n + i * n + j] = i == j ? 0 : -8 } }
            } else if name.hasSuffix("o_proj.weight") || name.hasSuffix("down_proj.weight") {
                rng.fillNormal(v, std: residualStd)
            } else {
                rng.fillNormal(v, std: 0.02)
            }
        }
    }

    /// Bytes of activation memory held for the last (B, T).
    public var activationBytes: Int { acts?.byteCount ?? 0 }

    /// Number of parameters (the public tensors, without alignment padding).
    public var parameterCount: Int { params.scalarCount }

    func activations(B: Int, T: Int) -> Activations {
        if let a = acts, a.B == B, a.T == T { return a }
        let old = acts?.storage
        acts = nil
        let a = Activations(config: config, B: B, T: T, reuse: old)
        acts = a
        return a
    }
}

/// Parameter pointers per block, resolved once.
struct LayerNames {
    struct Block {
        let attnNorm: String, q: String, k: String, v: String, o: String
        let mlpNorm: String, gate: String, up: String, down: String
        let hcPhi: [String], hcBias: [String], hcAlpha: [String]   // index 0 attention, 1 MLP
    }
    let blocks: [Block]
    let head: String

    init(config c: ModelConfig) {
        blocks = (0..<c.nLayers).map { l in
            let p = "blocks.\(l)."
            return Block(attnNorm: p + "attn_norm.weight", q: p + "attn.q_proj.weight", k: p + "attn.k_proj.weight",
                         v: p + "attn.v_proj.weight", o: p + "attn.o_proj.weight", mlpNorm: p + "mlp_norm.weight",
                         gate: p + "mlp.gate_proj.weight", up: p + "mlp.up_proj.weight", down: p + "mlp.down_proj.weight",
                         hcPhi: [p + "attn_hc.phi", p + "mlp_hc.phi"], hcBias: [p + "attn_hc.bias", p + "mlp_hc.bias"],
                         hcAlpha: [p + "attn_hc.alpha", p + "mlp_hc.alpha"])
        }
        head = c.tieEmbeddings ? "tok_emb.weight" : "lm_head.weight"
    }
}
