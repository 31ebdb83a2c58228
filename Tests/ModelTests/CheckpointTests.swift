import Foundation
import Testing
import SafeTensors
@testable import Model

func temporaryDirectory() throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("model-tests-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}

/// Runs `python3 -c script args...`; returns (exit status, stdout+stderr).
func runPython(_ script: String, _ args: [String]) throws -> (Int32, String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["python3", "-c", script] + args
    let pipe = Pipe()
    p.standardOutput = pipe; p.standardError = pipe
    try p.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: data, as: UTF8.self))
}

@Suite struct CheckpointTests {
    func tensors(_ m: MHCModel) -> [String: [Float]] {
        Dictionary(uniqueKeysWithValues: m.params.infos.map { ($0.name, Array(m.params.view($0.name))) })
    }

    @Test func roundTripKeepsEveryTensorMetadataAndExtras() throws {
        let dir = try temporaryDirectory()
        for streams in [1, 3] {
            let model = MHCModel(config: tinyConfig(streams: streams, tied: streams == 1), seed: 4)
            scramble(model.params, seed: 5)
            let moment: [Float] = [1, 2, 3, 4]
            let path = dir + "/ckpt\(streams).safetensors"
            try moment.withUnsafeBufferPointer { m in
                try Checkpoint.save(model: model, to: path, metadata: ["stage": "pretrain", "step": "42"],
                                    extra: ["optimizer.m.final_norm.weight": ([4], m)])
            }
            let (loaded, meta, extra) = try Checkpoint.load(path: path)
            #expect(loaded.config == model.config)
            #expect(tensors(loaded) == tensors(model))
            #expect(meta["stage"] == "pretrain" && meta["step"] == "42" && meta["config"] == model.config.jsonString())
            #expect(extra == ["optimizer.m.final_norm.weight": moment])
            let tokens = randomTokens(10, vocab: 13, seed: 6)
            #expect(Array(loaded.forward(tokens: tokens, batch: 2, seqLen: 5)) == Array(model.forward(tokens: tokens, batch: 2, seqLen: 5)))
        }
    }

    /// Writes a checkpoint of `model` with tensor `name` replaced by (shape, values) or dropped.
    func writeAltered(_ model: MHCModel, _ path: String, name: String, shape: [Int]?, metadata: [String: String]? = nil) throws {
        var list: [(name: String, shape: [Int], data: [Float])] = []
        for info in model.params.infos {
            if info.name == name {
                if let shape { list.append((name, shape, [Float](repeating: 0, count: shape.reduce(1, *)))) }
            } else {
                list.append((info.name, info.shape, Array(model.params.view(info.name))))
            }
        }
        var holders: [[Float]] = list.map(\.data)
        try writeAll(path, list.map { ($0.name, $0.shape) }, &holders, metadata ?? ["config": model.config.jsonString()])
    }

    func writeAll(_ path: String, _ specs: [(String, [Int])], _ data: inout [[Float]], _ metadata: [String: String]) throws {
        func go(_ i: Int, _ acc: [(name: String, shape: [Int], data: UnsafeBufferPointer<Float>)]) throws {
            if i == specs.count { try SafeTensors.write(path: path, tensors: acc, metadata: metadata); return }
            try data[i].withUnsafeBufferPointer { try go(i + 1, acc + [(specs[i].0, specs[i].1, $0)]) }
        }
        try go(0, [])
    }

    func loadError(_ path: String) -> String {
        do { _ = try Checkpoint.load(path: path); return "loaded without error" } catch { return "\(error)" }
    }

    @Test func loadingRejectsWrongShapesMissingTensorsAndMissingConfig() throws {
        let dir = try temporaryDirectory()
        let model = MHCModel(config: tinyConfig(streams: 2), seed: 1)
        let shape = dir + "/shape.safetensors", gone = dir + "/gone.safetensors", noConfig = dir + "/noconfig.safetensors"
        try writeAltered(model, shape, name: "blocks.1.mlp.up_proj.weight", shape: [12, 9])
        try writeAltered(model, gone, name: "blocks.0.attn_hc.phi", shape: nil)
        try writeAltered(model, noConfig, name: "", shape: nil, metadata: ["stage": "x"])
        let e1 = loadError(shape), e2 = loadError(gone), e3 = loadError(noConfig)
        #expect(e1.contains(shape) && e1.contains("'blocks.1.mlp.up_proj.weight' has shape [12, 9]") && e1.contains("[12, 8]"), "\(e1)")
        #expect(e2.contains("missing 1 tensor") && e2.contains("'blocks.0.attn_hc.phi'"), "\(e2)")
        #expect(e3.contains("no 'config'"), "\(e3)")
        #expect(loadError(dir + "/absent.safetensors").contains("absent.safetensors"))
    }

    @Test func loadingRejectsNonFloat32Dtypes() throws {
        let dir = try temporaryDirectory()
        let model = MHCModel(config: tinyConfig(streams: 1), seed: 2)
        let path = dir + "/f16.safetensors"
        try Checkpoint.save(model: model, to: path, metadata: [:])
        let (status, out) = try runPython("""
        import sys, numpy as np
        from safetensors.numpy import load_file, save_file
        from safetensors import safe_open
        t = load_file(sys.argv[1])
        with safe_open(sys.argv[1], framework="numpy") as f: m = f.metadata()
        t["final_norm.weight"] = t["final_norm.weight"].astype(np.float16)
        save_file(t, sys.argv[1], metadata=m)
        """, [path])
        #expect(status == 0, "\(out)")
        let e = loadError(path)
        #expect(e.contains("'final_norm.weight' has dtype F16, expected F32"), "\(e)")
    }

    @Test func checkpointsInteroperateWithPythonSafetensors() throws {
        let dir = try temporaryDirectory()
        let model = MHCModel(config: tinyConfig(streams: 4), seed: 3)
        scramble(model.params, seed: 4)
        let path = dir + "/swift.safetensors", back = dir + "/python.safetensors"
        try Checkpoint.save(model: model, to: path, metadata: ["stage": "init", "step": "0"])
        let expected = model.params.infos.map { "\($0.name)=\($0.shape.map(String.init).joined(separator: "x"))" }.joined(separator: ",")
        let sums = model.params.infos.map { String(Array(model.params.view($0.name)).reduce(0.0) { $0 + Double($1) }) }.joined(separator: ",")
        // Python checks names, shapes, dtypes, values (sums in float64) and metadata, then writes a copy
        // with tok_emb doubled and a new step, which Swift must read back.
        let (status, out) = try runPython("""
        import sys, json, numpy as np
        from safetensors.numpy import load_file, save_file
        from safetensors import safe_open
        path, back, expected, sums = sys.argv[1:5]
        t = load_file(path)
        want = dict(e.split("=") for e in expected.split(","))
        assert sorted(t) == sorted(want), (sorted(t), sorted(want))
        for (name, shape), s in zip([e.split("=") for e in expected.split(",")], sums.split(",")):
            a = t[name]
            assert a.dtype == np.float32, name
            assert "x".join(map(str, a.shape)) == shape, (name, a.shape, shape)
            assert abs(a.astype(np.float64).sum() - float(s)) <= 1e-9 * max(1.0, abs(float(s))), (name, a.sum(), s)
        with safe_open(path, framework="numpy") as f: m = f.metadata()
        cfg = json.loads(m["config"])
        assert cfg["mhc"]["n_streams"] == 4 and cfg["d_model"] == 8 and m["stage"] == "init", m
        t["tok_emb.weight"] = t["tok_emb.weight"] * np.float32(2)
        m["step"] = "7"
        save_file(t, back, metadata=m)
        print("ok")
        """, [path, back, expected, sums])
        #expect(status == 0 && out.contains("ok"), "\(out)")
        let (loaded, meta, _) = try Checkpoint.load(path: back)
        #expect(meta["step"] == "7")
        #expect(Array(loaded.params.view("tok_emb.weight")) == model.params.view("tok_emb.weight").map { $0 * 2 })
        #expect(Array(loaded.params.view("blocks.1.mlp_hc.phi")) == Array(model.params.view("blocks.1.mlp_hc.phi")))
    }
}
