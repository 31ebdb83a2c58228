import Model

/// A small model with every parameter moved away from its initialisation (so mHC mixing, norms and
/// attention all matter), deterministic by seed.
func scrambledModel(streams: Int, vocab: Int = 23, maxSeqLen: Int = 40, seed: UInt64 = 7) -> MHCModel {
    let config = ModelConfig(vocabSize: vocab, dModel: 16, nLayers: 2, nHeads: 2, ffnHidden: 24, maxSeqLen: maxSeqLen,
                             ropeTheta: 10000, normEps: 1e-5, tieEmbeddings: true, nStreams: streams, sinkhornIters: 8)
    let model = MHCModel(config: config, seed: seed)
    var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
    func symmetric() -> Float {
        state ^= state << 13; state ^= state >> 7; state ^= state << 17
        return Float(Double(state >> 11) / Double(1 << 53)) * 2 - 1
    }
    for info in model.params.infos {
        let v = model.params.view(info.name)
        for i in 0..<v.count {
            let r = symmetric()
            if info.name.hasSuffix("norm.weight") { v[i] = 1 + 0.3 * r }
            else if info.name.hasSuffix("_hc.phi") { v[i] = 0.3 * r }
            else if info.name.hasSuffix("_hc.alpha") { v[i] = 1 + 0.5 * r }
            else if info.name.hasSuffix("_hc.bias") { v[i] += r }
            else { v[i] = 0.5 * r }
        }
    }
    return model
}

func maxAbsDiff(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ count: Int) -> Float {
    var m: Float = 0
    for i in 0..<count { m = max(m, abs(a[i] - b[i])) }
    return m
}
