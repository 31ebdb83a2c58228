/// The public tensor names and shapes of the spec (checkpoint interface), in slab order.
public enum ParameterLayout {
    public static func tensors(for c: ModelConfig) -> [(name: String, shape: [Int])] {
        let C = c.dModel, F = c.ffnHidden, n = c.nStreams, m = c.hcCoefficients
        var t: [(name: String, shape: [Int])] = [("tok_emb.weight", [c.vocabSize, C])]
        for l in 0..<c.nLayers {
            let p = "blocks.\(l)."
            for sub in ["attn", "mlp"] {
                if n > 1 {
                    t.append((p + sub + "_hc.phi", [m, n * C]))
                    t.append((p + sub + "_hc.bias", [m]))
                    t.append((p + sub + "_hc.alpha", [3]))
                }
                t.append((p + sub + "_norm.weight", [C]))
                if sub == "attn" {
                    for w in ["q", "k", "v", "o"] { t.append((p + "attn.\(w)_proj.weight", [C, C])) }
                } else {
                    t.append((p + "mlp.gate_proj.weight", [F, C]))
                    t.append((p + "mlp.up_proj.weight", [F, C]))
                    t.append((p + "mlp.down_proj.weight", [C, F]))
                }
            }
        }
        t.append(("final_norm.weight", [C]))
        if !c.tieEmbeddings { t.append(("lm_head.weight", [c.vocabSize, C])) }
        return t
    }
}
