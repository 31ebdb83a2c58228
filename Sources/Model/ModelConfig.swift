import Foundation

/// Hyper-parameters of the mHC transformer, decoded from `configs/model_*.json`.
///
/// JSON keys (snake_case): `vocab_size, d_model, n_layers, n_heads, ffn_hidden, max_seq_len` (required),
/// `rope_theta` (10000), `norm_eps` (1e-5), `tie_embeddings` (true), and a nested object
/// `mhc: {n_streams (4), sinkhorn_iters (20)}`. Unknown keys and impossible values are errors that name
/// the key and the source file.
public struct ModelConfig: Codable, Sendable, Equatable {
    public var vocabSize: Int
    public var dModel: Int
    public var nLayers: Int
    public var nHeads: Int
    public var ffnHidden: Int
    public var maxSeqLen: Int
    public var ropeTheta: Float
    public var normEps: Float
    public var tieEmbeddings: Bool
    public var nStreams: Int
    public var sinkhornIters: Int

    public init(vocabSize: Int, dModel: Int, nLayers: Int, nHeads: Int, ffnHidden: Int, maxSeqLen: Int,
                ropeTheta: Float = 10000, normEps: Float = 1e-5, tieEmbeddings: Bool = true,
                nStreams: Int = 4, sinkhornIters: Int = 20) {
        self.vocabSize = vocabSize; self.dModel = dModel; self.nLayers = nLayers; self.nHeads = nHeads
        self.ffnHidden = ffnHidden; self.maxSeqLen = maxSeqLen; self.ropeTheta = ropeTheta; self.normEps = normEps
        self.tieEmbeddings = tieEmbeddings; self.nStreams = nStreams; self.sinkhornIters = sinkhornIters
    }

    /// Head dimension D = d_model / n_heads.
    public var headDim: Int { dModel / nHeads }
    /// Number of mHC coefficients per sub-layer: n² + 2n.
    public var hcCoefficients: Int { nStreams * nStreams + 2 * nStreams }

    enum Keys: String, CodingKey, CaseIterable {
        case vocabSize = "vocab_size", dModel = "d_model", nLayers = "n_layers", nHeads = "n_heads"
        case ffnHidden = "ffn_hidden", maxSeqLen = "max_seq_len", ropeTheta = "rope_theta", normEps = "norm_eps"
        case tieEmbeddings = "tie_embeddings", mhc
    }
    enum MHCKeys: String, CodingKey, CaseIterable {
        case nStreams = "n_streams", sinkhornIters = "sinkhorn_iters"
    }

    public init(from decoder: any Decoder) throws {
        let any = try decoder.container(keyedBy: AnyKey.self)
        for key in any.allKeys where Keys(rawValue: key.stringValue) == nil {
            throw ModelConfigError(source: nil, key: key.stringValue, message: "unknown key")
        }
        let c = try decoder.container(keyedBy: Keys.self)
        vocabSize = try c.decode(Int.self, forKey: .vocabSize)
        dModel = try c.decode(Int.self, forKey: .dModel)
        nLayers = try c.decode(Int.self, forKey: .nLayers)
        nHeads = try c.decode(Int.self, forKey: .nHeads)
        ffnHidden = try c.decode(Int.self, forKey: .ffnHidden)
        maxSeqLen = try c.decode(Int.self, forKey: .maxSeqLen)
        ropeTheta = try c.decodeIfPresent(Float.self, forKey: .ropeTheta) ?? 10000
        normEps = try c.decodeIfPresent(Float.self, forKey: .normEps) ?? 1e-5
        tieEmbeddings = try c.decodeIfPresent(Bool.self, forKey: .tieEmbeddings) ?? true
        nStreams = 4; sinkhornIters = 20
        if c.contains(.mhc) {
            let m = try c.nestedContainer(keyedBy: AnyKey.self, forKey: .mhc)
            for key in m.allKeys where MHCKeys(rawValue: key.stringValue) == nil {
                throw ModelConfigError(source: nil, key: "mhc." + key.stringValue, message: "unknown key")
            }
            let mk = try c.nestedContainer(keyedBy: MHCKeys.self, forKey: .mhc)
            nStreams = try mk.decodeIfPresent(Int.self, forKey: .nStreams) ?? 4
            sinkhornIters = try mk.decodeIfPresent(Int.self, forKey: .sinkhornIters) ?? 20
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(vocabSize, forKey: .vocabSize); try c.encode(dModel, forKey: .dModel)
        try c.encode(nLayers, forKey: .nLayers); try c.encode(nHeads, forKey: .nHeads)
        try c.encode(ffnHidden, forKey: .ffnHidden); try c.encode(maxSeqLen, forKey: .maxSeqLen)
        try c.encode(ropeTheta, forKey: .ropeTheta); try c.encode(normEps, forKey: .normEps)
        try c.encode(tieEmbeddings, forKey: .tieEmbeddings)
        var m = c.nestedContainer(keyedBy: MHCKeys.self, forKey: .mhc)
        try m.encode(nStreams, forKey: .nStreams); try m.encode(sinkhornIters, forKey: .sinkhornIters)
    }

    /// Reads and validates a config file.
    public static func load(path: String) throws -> ModelConfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ModelConfigError(source: path, key: nil, message: "cannot read file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ModelConfigError(source: path, key: nil, message: "not UTF-8 text")
        }
        return try decode(json: text, source: path)
    }

    /// Decodes and validates config JSON; `source` names the origin in errors.
    public static func decode(json: String, source: String) throws -> ModelConfig {
        let config: ModelConfig
        do {
            config = try JSONDecoder().decode(ModelConfig.self, from: Data(json.utf8))
        } catch var e as ModelConfigError {
            e.source = source
            throw e
        } catch let DecodingError.keyNotFound(key, ctx) {
            throw ModelConfigError(source: source, key: path(ctx.codingPath + [key]), message: "missing required key")
        } catch let DecodingError.typeMismatch(type, ctx) {
            throw ModelConfigError(source: source, key: path(ctx.codingPath), message: "expected \(typeName(type))")
        } catch let DecodingError.valueNotFound(type, ctx) {
            throw ModelConfigError(source: source, key: path(ctx.codingPath), message: "expected \(typeName(type)), got null")
        } catch let DecodingError.dataCorrupted(ctx) {
            let key = ctx.codingPath.isEmpty ? nil : path(ctx.codingPath)
            throw ModelConfigError(source: source, key: key, message: "invalid JSON or value: \(ctx.debugDescription)")
        }
        try config.validate(source: source)
        return config
    }

    /// Checks that the values describe a buildable model; throws naming the offending key.
    public func validate(source: String = "<config>") throws {
        func fail(_ key: String, _ message: String) -> ModelConfigError {
            ModelConfigError(source: source, key: key, message: message)
        }
        if vocabSize < 4 { throw fail("vocab_size", "must be at least 4 (pad, unk, bos, eos), got \(vocabSize)") }
        if dModel < 1 { throw fail("d_model", "must be positive, got \(dModel)") }
        if nLayers < 1 { throw fail("n_layers", "must be positive, got \(nLayers)") }
        if nHeads < 1 { throw fail("n_heads", "must be positive, got \(nHeads)") }
        if dModel % nHeads != 0 { throw fail("n_heads", "d_model \(dModel) is not divisible by n_heads \(nHeads)") }
        if headDim % 2 != 0 { throw fail("n_heads", "head dim d_model/n_heads = \(headDim) must be even for RoPE") }
        if ffnHidden < 1 { throw fail("ffn_hidden", "must be positive, got \(ffnHidden)") }
        if maxSeqLen < 1 { throw fail("max_seq_len", "must be positive, got \(maxSeqLen)") }
        if !(ropeTheta > 1) || !ropeTheta.isFinite { throw fail("rope_theta", "must be a finite number > 1, got \(ropeTheta)") }
        if !(normEps > 0) || !normEps.isFinite { throw fail("norm_eps", "must be a finite number > 0, got \(normEps)") }
        if nStreams < 1 { throw fail("mhc.n_streams", "must be at least 1, got \(nStreams)") }
        if nStreams > 64 { throw fail("mhc.n_streams", "must be at most 64, got \(nStreams)") }
        if sinkhornIters < 1 { throw fail("mhc.sinkhorn_iters", "must be at least 1, got \(sinkhornIters)") }
    }

    /// Canonical JSON (keys in a fixed order), as stored in checkpoint metadata.
    public func jsonString() -> String {
        "{\"vocab_size\":\(vocabSize),\"d_model\":\(dModel),\"n_layers\":\(nLayers),\"n_heads\":\(nHeads),"
            + "\"ffn_hidden\":\(ffnHidden),\"max_seq_len\":\(maxSeqLen),\"rope_theta\":\(ropeTheta),"
            + "\"norm_eps\":\(normEps),\"tie_embeddings\":\(tieEmbeddings),"
            + "\"mhc\":{\"n_streams\":\(nStreams),\"sinkhorn_iters\":\(sinkhornIters)}}"
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        keys.map(\.stringValue).joined(separator: ".")
    }
    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type: return "an integer"
        case is Float.Type, is Double.Type: return "a number"
        case is Bool.Type: return "true or false"
        default: return "an object"
        }
    }
}

/// A config problem: "SOURCE: key 'K': MESSAGE".
public struct ModelConfigError: Error, CustomStringConvertible, Sendable {
    public var source: String?
    public let key: String?
    public let message: String
    public var description: String {
        var s = source.map { "\($0): " } ?? ""
        if let key { s += "key '\(key)': " }
        return s + message
    }
}

struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
