import Model
import SafeTensors

/// Model checkpoints as safetensors: the model's tensors under their public names (docs/model.md), the
/// metadata (with `config` = the model config JSON), and extra F32 tensors such as optimizer moments.
/// Same shape as the contract's `Model.Checkpoint`; used by the training stages.
public enum CheckpointIO {
    /// Writes atomically (temp + fsync + rename).
    public static func save(model: MHCModel, to path: String, metadata: [String: String],
                            extra: [String: (shape: [Int], data: UnsafeBufferPointer<Float>)] = [:]) throws {
        var meta = metadata
        meta["config"] = model.config.jsonString()
        var tensors: [(name: String, shape: [Int], data: UnsafeBufferPointer<Float>)] = model.params.infos.map {
            ($0.name, $0.shape, UnsafeBufferPointer(start: model.params.data + $0.offset, count: $0.count))
        }
        for (name, t) in extra {
            guard model.params.info(name) == nil else {
                throw SafeTensorsError(file: path, message: "extra tensor '\(name)' clashes with a model tensor")
            }
            tensors.append((name, t.shape, t.data))
        }
        try SafeTensors.write(path: path, tensors: tensors, metadata: meta)
    }

    /// Loads a checkpoint: the model (config from metadata; every tensor's name, shape and dtype checked)
    /// and every other tensor as `extra`.
    public static func load(path: String) throws -> (model: MHCModel, metadata: [String: String], extra: [String: [Float]]) {
        let file = try SafeTensorsFile(path: path)
        guard let json = file.metadata["config"] else {
            throw SafeTensorsError(file: path, message: "metadata has no 'config' (model config JSON)")
        }
        let config = try ModelConfig.decode(json: json, source: path + " metadata 'config'")
        let params = ParameterSet(layout: ParameterLayout.tensors(for: config))
        for info in params.infos {
            guard let stored = file.tensors[info.name] else {
                throw SafeTensorsError(file: path, message: "missing tensor '\(info.name)' required by the config")
            }
            guard stored.shape == info.shape else {
                throw SafeTensorsError(file: path, message: "tensor '\(info.name)' has shape \(stored.shape), the config needs \(info.shape)")
            }
            try file.withFloats(info.name) { (params.data + info.offset).update(from: $0.baseAddress!, count: info.count) }
        }
        var extra: [String: [Float]] = [:]
        for name in file.names where params.info(name) == nil {
            extra[name] = try file.floats(name)
        }
        return (MHCModel(config: config, params: params), file.metadata, extra)
    }
}
