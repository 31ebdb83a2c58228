import SafeTensors

/// Model checkpoints: one safetensors file holding every parameter under its public name (docs/model.md),
/// F32 little-endian, with the model config JSON in `__metadata__["config"]` and whatever training state
/// the caller adds (e.g. "stage", "step"). Extra tensors (optimizer moments under `optimizer.m.` /
/// `optimizer.v.` + parameter name) live in the same file; readers that only want weights ignore them.
public enum Checkpoint {
    /// A problem with a checkpoint file: "PATH: MESSAGE".
    public struct Error: Swift.Error, CustomStringConvertible, Sendable {
        public let path: String
        public let message: String
        public var description: String { "\(path): \(message)" }
    }

    /// Writes atomically (temp file + fsync + rename, via SafeTensors.write). `metadata["config"]` is set
    /// to the model's config JSON (a caller-provided "config" is replaced).
    public static func save(model: MHCModel, to path: String, metadata: [String: String],
                            extra: [String: (shape: [Int], data: UnsafeBufferPointer<Float>)] = [:]) throws {
        try save(config: model.config, params: model.params, to: path, metadata: metadata, extra: extra)
    }

    /// `save(model:…)` for weights held outside a model (e.g. LoRA-merged weights); `params` must have
    /// the layout of `ParameterLayout.tensors(for: config)`.
    public static func save(config: ModelConfig, params: ParameterSet, to path: String, metadata: [String: String],
                            extra: [String: (shape: [Int], data: UnsafeBufferPointer<Float>)] = [:]) throws {
        let layout = ParameterLayout.tensors(for: config)
        precondition(params.infos.map(\.name) == layout.map(\.name), "parameter layout does not match the config")
        var meta = metadata
        meta["config"] = config.jsonString()
        var tensors: [(name: String, shape: [Int], data: UnsafeBufferPointer<Float>)] = params.infos.map {
            ($0.name, $0.shape, UnsafeBufferPointer(start: params.data + $0.offset, count: $0.count))
        }
        for (name, t) in extra.sorted(by: { $0.key < $1.key }) {
            guard params.info(name) == nil else {
                throw Error(path: path, message: "extra tensor '\(name)' has the name of a model parameter")
            }
            tensors.append((name, t.shape, t.data))
        }
        try SafeTensors.write(path: path, tensors: tensors, metadata: meta)
    }

    /// Reads a checkpoint. The config comes from `__metadata__["config"]`; every parameter the config
    /// implies must be present with exactly its shape and dtype F32. Tensors that are not parameters are
    /// returned in `extra` (they must be F32 too).
    public static func load(path: String) throws -> (model: MHCModel, metadata: [String: String], extra: [String: [Float]]) {
        let file = try SafeTensorsFile(path: path)
        guard let json = file.metadata["config"] else {
            throw Error(path: path, message: "__metadata__ has no 'config' entry (the model config JSON)")
        }
        let config = try ModelConfig.decode(json: json, source: path + " (__metadata__ 'config')")
        let params = ParameterSet(layout: ParameterLayout.tensors(for: config))
        var missing: [String] = []
        for info in params.infos {
            guard let stored = file.tensors[info.name] else { missing.append(info.name); continue }
            guard stored.dtype == "F32" else {
                throw Error(path: path, message: "tensor '\(info.name)' has dtype \(stored.dtype), expected F32")
            }
            guard stored.shape == info.shape else {
                throw Error(path: path, message: "tensor '\(info.name)' has shape \(stored.shape), the config needs \(info.shape)")
            }
            try file.withFloats(info.name) { (params.data + info.offset).update(from: $0.baseAddress!, count: info.count) }
        }
        if !missing.isEmpty {
            let shown = missing.prefix(5).map { "'\($0)'" }.joined(separator: ", ")
            throw Error(path: path, message: "missing \(missing.count) tensor(s) the config requires: \(shown)"
                        + (missing.count > 5 ? ", ..." : ""))
        }
        var extra: [String: [Float]] = [:]
        for (name, info) in file.tensors where params.info(name) == nil {
            guard info.dtype == "F32" else {
                throw Error(path: path, message: "extra tensor '\(name)' has dtype \(info.dtype), expected F32")
            }
            extra[name] = try file.floats(name)
        }
        return (MHCModel(config: config, params: params), file.metadata, extra)
    }
}
