import Foundation
import Testing
@testable import SafeTensors

// Interop with the reference implementation (python `safetensors` + numpy, installed by scripts/setup-debian.sh).
// Values are compared bit-exactly: both sides store raw little-endian F32.

@Test func fileWrittenHereLoadsInPythonSafetensors() throws {
    let dir = try makeTempDir()
    let path = dir + "/swift.safetensors"
    let a: [Float] = (0..<12).map { Float($0) * 0.5 - 3 }
    try writeTensors(path, [("layer.weight", [3, 4], a), ("bias", [2], [1e-3, -7])],
                     metadata: ["config": #"{"d_model": 8}"#, "step": "5"])
    let script = """
    import sys, numpy as np
    from safetensors.numpy import load_file
    from safetensors import safe_open
    t = load_file(sys.argv[1])
    assert sorted(t) == ["bias", "layer.weight"], sorted(t)
    w = t["layer.weight"]
    assert w.dtype == np.float32 and w.shape == (3, 4), (w.dtype, w.shape)
    assert np.array_equal(w.ravel(), (np.arange(12, dtype=np.float32) * np.float32(0.5) - np.float32(3)))
    assert np.array_equal(t["bias"], np.array([1e-3, -7], dtype=np.float32))
    with safe_open(sys.argv[1], framework="numpy") as f:
        m = f.metadata()
    assert m == {"config": '{"d_model": 8}', "step": "5"}, m
    print("ok")
    """
    let (status, output) = try runPython(script, [path])
    #expect(status == 0, "python failed: \(output)")
    #expect(output.contains("ok"))
}

@Test func fileWrittenByPythonSafetensorsLoadsHere() throws {
    let dir = try makeTempDir()
    let path = dir + "/python.safetensors"
    let script = """
    import sys, numpy as np
    from safetensors.numpy import save_file
    save_file({
        "emb": (np.arange(24, dtype=np.float32) / np.float32(7)).reshape(2, 3, 4),
        "ids": np.array([1, 2, 3], dtype=np.int64),
        "half": np.array([0.5, 2.0], dtype=np.float16),
        "s": np.array(9.5, dtype=np.float32),
    }, sys.argv[1], metadata={"stage": "pretrain", "unicode": "héllo ✓"})
    """
    let (status, output) = try runPython(script, [path])
    #expect(status == 0, "python failed: \(output)")
    let file = try SafeTensorsFile(path: path)
    #expect(file.metadata == ["stage": "pretrain", "unicode": "héllo ✓"])
    #expect(file.tensors["emb"]?.shape == [2, 3, 4])
    #expect(try file.floats("emb") == (0..<24).map { Float($0) / 7 })
    #expect(try file.floats("s") == [9.5])
    #expect(file.tensors["ids"]?.dtype == "I64")
    #expect(file.tensors["half"]?.dtype == "F16")
    let ids: [Int64] = try file.withRawBytes("ids") { raw in (0..<3).map { raw.loadUnaligned(fromByteOffset: $0 * 8, as: Int64.self) } }
    #expect(ids == [1, 2, 3])
}
