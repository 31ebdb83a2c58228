import Foundation
import Testing
@testable import Model

@Suite struct ModelConfigTests {
    let valid = """
    {"vocab_size": 4096, "d_model": 256, "n_layers": 6, "n_heads": 4, "ffn_hidden": 688, "max_seq_len": 256,
     "rope_theta": 10000, "norm_eps": 1e-5, "tie_embeddings": true, "mhc": {"n_streams": 4, "sinkhorn_iters": 20}}
    """

    func error(_ json: String) -> String? {
        do { _ = try ModelConfig.decode(json: json, source: "cfg.json"); return nil }
        catch { return "\(error)" }
    }

    @Test func decodesSnakeCaseKeysAndRoundTripsThroughJSONString() throws {
        let c = try ModelConfig.decode(json: valid, source: "cfg.json")
        #expect(c == ModelConfig(vocabSize: 4096, dModel: 256, nLayers: 6, nHeads: 4, ffnHidden: 688, maxSeqLen: 256))
        #expect(try ModelConfig.decode(json: c.jsonString(), source: "again") == c)
    }

    @Test func defaultsApplyToOptionalKeys() throws {
        let c = try ModelConfig.decode(json: """
        {"vocab_size": 100, "d_model": 8, "n_layers": 1, "n_heads": 2, "ffn_hidden": 4, "max_seq_len": 16}
        """, source: "x")
        #expect(c.ropeTheta == 10000 && c.normEps == 1e-5 && c.tieEmbeddings && c.nStreams == 4 && c.sinkhornIters == 20)
    }

    @Test func errorsNameTheKeyAndTheFile() {
        let cases: [(String, String)] = [
            (valid.replacingOccurrences(of: "\"norm_eps\"", with: "\"norm_epsilon\""), "'norm_epsilon': unknown key"),
            (valid.replacingOccurrences(of: "\"sinkhorn_iters\"", with: "\"iters\""), "'mhc.iters': unknown key"),
            (valid.replacingOccurrences(of: "\"n_heads\": 4", with: "\"n_heads\": 3"), "'n_heads'"),
            (valid.replacingOccurrences(of: "\"n_heads\": 4", with: "\"n_heads\": 256"), "must be even"),
            (valid.replacingOccurrences(of: "\"n_streams\": 4", with: "\"n_streams\": 0"), "'mhc.n_streams'"),
            (valid.replacingOccurrences(of: "\"d_model\": 256,", with: ""), "'d_model': missing"),
            (valid.replacingOccurrences(of: "\"ffn_hidden\": 688", with: "\"ffn_hidden\": \"big\""), "'ffn_hidden'"),
            (valid.replacingOccurrences(of: "\"norm_eps\": 1e-5", with: "\"norm_eps\": 0"), "'norm_eps'"),
        ]
        for (json, fragment) in cases {
            let message = error(json)
            #expect(message?.contains(fragment) == true, "expected '\(fragment)' in \(message ?? "no error")")
            #expect(message?.hasPrefix("cfg.json: ") == true, "\(message ?? "")")
        }
    }

    @Test func loadReadsTheShippedConfigs() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let expected = ["tiny": 6_100_000, "small": 30_000_000, "120m": 118_000_000]
        for (name, params) in expected {
            let c = try ModelConfig.load(path: root.appendingPathComponent("configs/model_mhc_\(name).json").path)
            let count = ParameterLayout.tensors(for: c).reduce(0) { $0 + $1.shape.reduce(1, *) }
            #expect(abs(Double(count) / Double(params) - 1) < 0.06, "\(name): \(count) parameters")
        }
        #expect(throws: ModelConfigError.self) { try ModelConfig.load(path: "/nonexistent/model.json") }
    }
}
