import Foundation
import Tensor

/// LoRA adapters for every block's q, k, v, o, gate, up and down projections, held beside an `MHCModel`
/// (`model.lora`): the model's weights W stay frozen and each adapted projection computes
///
///     y = x Wᵀ + scale · (x Aᵀ) Bᵀ        x: [N, I], W: [O, I], A: [r, I], B: [O, r], scale = α / r
///
/// Legend: N rows, I input features, O output features, r rank, L blocks.
/// Storage: one `ParameterSet` named `blocks.<l>.attn.q_proj.A` / `….B` (and so on) — adapter i =
/// 7·l + projection — plus a gradient set of the same layout, so AdamW and checkpoints treat adapters like
/// any parameter set. Initialisation: A ~ U(−1/√I, 1/√I) (PyTorch's `nn.Linear` / PEFT default), B = 0, so
/// a fresh adapter adds exactly +0.0 and the adapted model's logits equal the base model's bit for bit.
/// Not thread-safe (like the model): forward keeps per-adapter activations for the following backward.
public final class LoRAAdapters: @unchecked Sendable {
    public let config: LoRAConfig
    public let modelConfig: ModelConfig
    /// A and B of every adapter.
    public let params: ParameterSet
    /// Their gradients (same layout); `backward` accumulates.
    public let grads: ParameterSet
    let aNames: [String], bNames: [String]
    let shapes: [(inputs: Int, outputs: Int)]
    /// scale·(x Aᵀ) per adapter from the last training forward: [adapters, N, r].
    let stash = FloatScratch()
    var stashRows = 0
    /// dh [N, r] in backward; h [B, r] in decoding.
    let scratch = FloatScratch()

    /// Fresh adapters (B = 0) for a model of config `model`; throws when the rank does not fit.
    public init(model: ModelConfig, lora: LoRAConfig) throws(LoRAError) {
        try lora.validate(for: model)
        config = lora
        modelConfig = model
        var layout: [(name: String, shape: [Int])] = [], a: [String] = [], b: [String] = []
        var shapes: [(inputs: Int, outputs: Int)] = []
        for l in 0..<model.nLayers {
            for p in LoRAProjection.allCases {
                let stem = String(p.weightName(layer: l).dropLast(".weight".count))
                let s = p.shape(model)
                a.append(stem + ".A"); b.append(stem + ".B"); shapes.append(s)
                layout.append((stem + ".A", [lora.rank, s.inputs]))
                layout.append((stem + ".B", [s.outputs, lora.rank]))
            }
        }
        aNames = a; bNames = b; self.shapes = shapes
        params = ParameterSet(layout: layout)
        grads = ParameterSet(sameLayoutAs: params)
        var rng = InitRandom(seed: lora.seed)
        for (i, name) in aNames.enumerated() {
            let bound = 1 / Double(shapes[i].inputs).squareRoot()
            let v = params.view(name)
            for j in 0..<v.count { v[j] = Float((2 * rng.nextUnit() - 1) * bound) }
        }
    }

    /// Adapter count: 7 per block.
    public var count: Int { aNames.count }

    static func index(_ p: LoRAProjection, layer: Int) -> Int { layer * LoRAProjection.allCases.count + p.rawValue }

    /// Name of the model weight adapter `i` sits on.
    public func weightName(_ i: Int) -> String { String(aNames[i].dropLast(2)) + ".weight" }

    /// A [r, I] and B [O, r] of adapter `i`.
    func pointers(_ i: Int) -> (a: UnsafeMutablePointer<Float>, b: UnsafeMutablePointer<Float>) {
        (params.view(aNames[i]).baseAddress!, params.view(bNames[i]).baseAddress!)
    }

    /// W += scale · B A for every adapted weight of `weights` (a model-layout set), in Float: scale·B is
    /// rounded once, then one sgemm per weight. A merged forward agrees with the unmerged one to Float
    /// roundoff (reassociated sums), not bit for bit.
    public func merge(into weights: ParameterSet) {
        let r = config.rank
        var scaled = [Float](repeating: 0, count: (shapes.map(\.outputs).max() ?? 0) * r)
        for i in 0..<count {
            let (I, O) = shapes[i], (a, b) = pointers(i)
            for j in 0..<(O * r) { scaled[j] = config.scale * b[j] }
            // W [O, I] += (scale·B) [O, r] · A [r, I]
            matmulBackwardInput(weights.view(weightName(i)).baseAddress!, scaled, a, N: O, I: I, O: r, accumulate: true)
        }
    }

    /// A copy of `base` with every adapter merged (`merge(into:)`).
    public func merged(_ base: ParameterSet) -> ParameterSet {
        let out = ParameterSet(sameLayoutAs: base)
        out.copy(from: base)
        merge(into: out)
        return out
    }
}

/// A grow-only 64-byte-aligned Float buffer (contents are scratch: not preserved when it grows).
final class FloatScratch {
    private(set) var base: UnsafeMutablePointer<Float>?
    private(set) var capacity = 0

    /// A buffer of at least `count` floats.
    func ensure(_ count: Int) -> UnsafeMutablePointer<Float> {
        if let base, capacity >= count { return base }
        if let base { UnsafeMutableRawPointer(base).deallocate() }
        let n = max(count, 16)
        let p = UnsafeMutableRawPointer.allocate(byteCount: n * 4, alignment: 64).bindMemory(to: Float.self, capacity: n)
        p.initialize(repeating: 0, count: n)
        base = p
        capacity = n
        return p
    }

    deinit { if let base { UnsafeMutableRawPointer(base).deallocate() } }
}
