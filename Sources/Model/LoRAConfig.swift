/// Settings of LoRA adapters (Hu et al. 2021) on the seven projections of every block.
///
/// An adapted projection computes `y = x Wᵀ + scale · (x Aᵀ) Bᵀ` with W [O, I] frozen, A [r, I], B [O, r]
/// and `scale = alpha / rank`. The default `alpha = 2·rank` (scale 2) is the common choice; under Adam
/// the scale acts like a learning-rate multiplier on the adapter's ΔW = scale·B A.
public struct LoRAConfig: Sendable, Hashable {
    /// r, the adapters' inner dimension (≥ 1).
    public var rank: Int
    /// α of `scale = α / r`.
    public var alpha: Float
    /// Seed of A's initialisation.
    public var seed: UInt64

    /// `alpha` nil means 2·rank.
    public init(rank: Int, alpha: Float? = nil, seed: UInt64 = 0) {
        self.rank = rank
        self.alpha = alpha ?? Float(2 * rank)
        self.seed = seed
    }

    /// α / r.
    public var scale: Float { alpha / Float(rank) }

    /// Checks the rank against the model; messages name the command-line flag (`--lora-rank`, `--lora-alpha`).
    public func validate(for c: ModelConfig) throws(LoRAError) {
        guard rank >= 1 else {
            throw LoRAError("--lora-rank must be positive for LoRA (got \(rank); 0 means full fine-tuning)")
        }
        let smallest = min(c.dModel, c.ffnHidden)
        guard rank <= smallest else {
            throw LoRAError("--lora-rank \(rank) is larger than the smallest dimension of the adapted projections "
                            + "(\(smallest) = min(d_model \(c.dModel), ffn_hidden \(c.ffnHidden)))")
        }
        guard alpha.isFinite, alpha > 0 else { throw LoRAError("--lora-alpha must be positive (got \(alpha))") }
    }
}

/// An impossible LoRA setting or a checkpoint whose adapters do not fit.
public struct LoRAError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ message: String) { description = message }
}

/// The seven linear layers of a block that carry adapters, in adapter order.
public enum LoRAProjection: Int, CaseIterable, Sendable {
    case q, k, v, o, gate, up, down

    /// The weight tensor's name in block `layer` (docs/model.md).
    public func weightName(layer: Int) -> String {
        let p = "blocks.\(layer)."
        switch self {
        case .q, .k, .v, .o: return p + "attn.\(self)_proj.weight"
        case .gate, .up, .down: return p + "mlp.\(self)_proj.weight"
        }
    }

    /// (input features I, output features O) of the projection: W is [O, I].
    public func shape(_ c: ModelConfig) -> (inputs: Int, outputs: Int) {
        switch self {
        case .q, .k, .v, .o: return (c.dModel, c.dModel)
        case .gate, .up: return (c.dModel, c.ffnHidden)
        case .down: return (c.ffnHidden, c.dModel)
        }
    }
}
