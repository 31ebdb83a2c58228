import Foundation
import Model
import Training

/// Checkpoints of the model policy (`ttt_latest.safetensors`, `ttt_step_%07d.safetensors`).
///
/// Full fine-tuning: the weights under their model names, Adam moments as `optimizer.m.<name>` /
/// `optimizer.v.<name>`, `optimizer_steps` in the metadata (the pretraining convention).
///
/// LoRA: the model tensors hold the **merged** weights W + scale·B A, so the file loads like any
/// checkpoint (`discover sample`, `eval`, a later `ttt --ckpt`) and samples as the adapted policy; the
/// adapters are stored beside them as `lora.<adapter>` (e.g. `lora.blocks.0.attn.q_proj.A`), their moments
/// as `optimizer.m.lora.<adapter>` / `optimizer.v.lora.<adapter>`, and the metadata adds `lora_rank`,
/// `lora_alpha` and `lora_merged = "true"`. Resuming restores the adapters and moments onto the weights
/// of the starting checkpoint (which the policy was built from), and checks that those weights plus the
/// adapters reproduce the stored merged weights, so a resume from another `--ckpt` is refused.
extension ModelPolicy {
    static let loraPrefix = "lora."

    public func save(to path: String) throws {
        var meta = metadata.merging(["stage": "ttt", "optimizer_steps": String(optimizer.stepCount)]) { $1 }
        guard let lora else {
            try Checkpoint.save(model: model, to: path, metadata: meta,
                                extra: optimizer.checkpointTensors(layout: model.params))
            return
        }
        meta["lora_rank"] = String(lora.config.rank)
        meta["lora_alpha"] = String(lora.config.alpha)
        meta["lora_merged"] = "true"
        var extra: [String: (shape: [Int], data: UnsafeBufferPointer<Float>)] = [:]
        for info in lora.params.infos {
            let name = Self.loraPrefix + info.name
            extra[name] = (info.shape, UnsafeBufferPointer(start: lora.params.data + info.offset, count: info.count))
            extra["optimizer.m." + name] = (info.shape, UnsafeBufferPointer(start: optimizer.m.baseAddress! + info.offset, count: info.count))
            extra["optimizer.v." + name] = (info.shape, UnsafeBufferPointer(start: optimizer.v.baseAddress! + info.offset, count: info.count))
        }
        try Checkpoint.save(config: model.config, params: lora.merged(model.params), to: path, metadata: meta, extra: extra)
    }

    public func load(from path: String) throws {
        let loaded = try Checkpoint.load(path: path)
        guard loaded.model.config == model.config else {
            throw DiscoverError("\(path): checkpoint config differs from the policy's model")
        }
        let savedRank = Int(loaded.metadata["lora_rank"] ?? "0") ?? -1
        let rank = lora?.config.rank ?? 0
        guard savedRank == rank else {
            throw DiscoverError("\(path): the checkpoint was trained with --lora-rank \(savedRank), this policy has --lora-rank \(rank); resume with the same setting")
        }
        guard let lora else {
            model.params.copy(from: loaded.model.params)
            try restoreMoments(loaded.extra, names: model.params.infos, prefix: "", path: path)
            return try restoreStepCount(loaded.metadata, path: path)
        }
        guard let alpha = loaded.metadata["lora_alpha"].flatMap(Float.init), alpha == lora.config.alpha else {
            throw DiscoverError("\(path): the checkpoint was trained with --lora-alpha \(loaded.metadata["lora_alpha"] ?? "(none)"), this policy has --lora-alpha \(lora.config.alpha); resume with the same setting")
        }
        for info in lora.params.infos {
            let name = Self.loraPrefix + info.name
            guard let values = loaded.extra[name], values.count == info.count else {
                throw DiscoverError("\(path): missing or mis-sized adapter tensor '\(name)'")
            }
            values.withUnsafeBufferPointer { (lora.params.data + info.offset).update(from: $0.baseAddress!, count: info.count) }
        }
        try restoreMoments(loaded.extra, names: lora.params.infos, prefix: Self.loraPrefix, path: path)
        try checkMerged(loaded.model.params, path: path)
        try restoreStepCount(loaded.metadata, path: path)
    }

    /// Moments `optimizer.m.<prefix><name>` / `optimizer.v.<prefix><name>` into the optimizer's slabs.
    private func restoreMoments(_ extra: [String: [Float]], names infos: [ParameterInfo], prefix: String, path: String) throws {
        for (moment, slab) in [("optimizer.m.", optimizer.m), ("optimizer.v.", optimizer.v)] {
            for info in infos {
                let name = moment + prefix + info.name
                guard let values = extra[name], values.count == info.count else {
                    throw DiscoverError("\(path): missing or mis-sized optimizer tensor '\(name)'")
                }
                values.withUnsafeBufferPointer { (slab.baseAddress! + info.offset).update(from: $0.baseAddress!, count: info.count) }
            }
        }
    }

    private func restoreStepCount(_ metadata: [String: String], path: String) throws {
        guard let steps = metadata["optimizer_steps"].flatMap(Int.init) else {
            throw DiscoverError("\(path): metadata has no integer 'optimizer_steps'")
        }
        optimizer.stepCount = steps
    }

    /// The stored merged weights must be this policy's frozen weights plus the restored adapters. Merging
    /// again may round differently only where sgemm splits its work differently (~1e-7 relative), so
    /// |stored − recomputed| ≤ 1e-5·(1 + |stored|) per element; another starting checkpoint differs by
    /// the size of the weights themselves.
    private func checkMerged(_ stored: ParameterSet, path: String) throws {
        guard let lora else { return }
        let recomputed = lora.merged(model.params)
        for info in stored.infos {
            let a = stored.view(info.name), b = recomputed.view(info.name)
            for i in 0..<info.count where !(abs(a[i] - b[i]) <= 1e-5 * (1 + abs(a[i]))) {
                throw DiscoverError("\(path): tensor '\(info.name)' is not the starting weights plus the adapters "
                                    + "(element \(i): \(a[i]) stored, \(b[i]) recomputed); resume with the --ckpt this run started from")
            }
        }
    }
}
