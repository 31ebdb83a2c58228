import Foundation
@testable import Model

/// A scrambled tiny model (Fixtures.swift) with LoRA adapters of `rank` whose A and B are both moved to
/// ±0.3, so every adapter term (and every gradient path through it) is non-zero.
func adaptedModel(streams: Int, tied: Bool = true, rank: Int = 3, alpha: Float? = nil, seed: UInt64) throws -> MHCModel {
    let model = MHCModel(config: tinyConfig(streams: streams, tied: tied), seed: seed)
    scramble(model.params, seed: seed &+ 1)
    let lora = try LoRAAdapters(model: model.config, lora: LoRAConfig(rank: rank, alpha: alpha, seed: seed &+ 2))
    var rng = FixtureRandom(seed &+ 3)
    for info in lora.params.infos {
        let v = lora.params.view(info.name)
        for i in 0..<v.count { v[i] = Float(0.3 * rng.symmetric()) }
    }
    model.lora = lora
    return model
}

/// W + scale·B A in Double: W [O, I], A [r, I], B [O, r].
func mergedWeight(_ w: [Double], a: [Double], b: [Double], inputs I: Int, outputs O: Int, rank r: Int,
                  scale: Double) -> [Double] {
    var out = w
    for o in 0..<O { for i in 0..<I {
        var s = 0.0
        for k in 0..<r { s += b[o * r + k] * a[k * I + i] }
        out[o * I + i] += scale * s
    } }
    return out
}

/// The Double reference of the adapted model: every adapted weight replaced by its Double merge.
/// `adapters` overrides A/B values by adapter tensor name (for finite-difference perturbations).
func mergedReference(_ model: MHCModel, adapters: [String: [Double]] = [:]) -> ReferenceModel {
    let lora = model.lora!
    var ref = ReferenceModel(config: model.config, params: model.params)
    for i in 0..<lora.count {
        let (I, O) = lora.shapes[i]
        let a = adapters[lora.aNames[i]] ?? lora.params.view(lora.aNames[i]).map(Double.init)
        let b = adapters[lora.bNames[i]] ?? lora.params.view(lora.bNames[i]).map(Double.init)
        let name = lora.weightName(i)
        ref.weights[name] = mergedWeight(ref.weights[name]!, a: a, b: b, inputs: I, outputs: O,
                                         rank: lora.config.rank, scale: Double(lora.config.scale))
    }
    return ref
}
