import Foundation
import Testing

// Drives the built `discover` binary as a subprocess (signals and kill -9 need a real process).
// The binary sits next to the test runner in the build folder; `swift test` builds it.

private func discoverBinary() -> String {
    let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    var dir = URL(fileURLWithPath: exe).deletingLastPathComponent()
    // On Linux the runner is BUILD/debug/DiscoveryPackageTests.xctest; on macOS it is inside a bundle.
    while !FileManager.default.fileExists(atPath: dir.appendingPathComponent("discover").path), dir.path != "/" {
        dir = dir.deletingLastPathComponent()
    }
    return dir.appendingPathComponent("discover").path
}

private func tempDir(_ label: String = #function) throws -> String {
    let dir = NSTemporaryDirectory() + "pretrain-cli-\(label.filter(\.isLetter))-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}

/// A token shard in the spec's format: "DSCTOKS\0", version 1, width 2, count, 8 zero bytes, u16 tokens.
private func writeShard(_ path: String, tokens: [UInt16]) throws {
    var bytes: [UInt8] = Array("DSCTOKS".utf8) + [0]
    func le<T: FixedWidthInteger>(_ v: T) { withUnsafeBytes(of: v.littleEndian) { bytes += $0 } }
    le(UInt32(1)); le(UInt32(2)); le(UInt64(tokens.count)); le(UInt64(0))
    for t in tokens { le(t) }
    try Data(bytes).write(to: URL(fileURLWithPath: path))
}

/// Micro model and data so each step takes milliseconds.
private func prepareRun(_ dir: String) throws {
    try #"{"vocab_size": 32, "d_model": 16, "n_layers": 2, "n_heads": 2, "ffn_hidden": 32, "max_seq_len": 16, "mhc": {"n_streams": 2, "sinkhorn_iters": 5}}"#
        .write(toFile: dir + "/micro.json", atomically: true, encoding: .utf8)
    try writeShard(dir + "/train.bin", tokens: (0..<4000).map { UInt16(($0 * 7 + $0 / 5) % 32) })
    try writeShard(dir + "/val.bin", tokens: (0..<500).map { UInt16(($0 * 7 + $0 / 5) % 32) })
}

private func pretrainProcess(_ dir: String, _ extra: [String]) -> Process {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: discoverBinary())
    p.arguments = ["pretrain", "--train-bin", dir + "/train.bin", "--val-bin", dir + "/val.bin", "--out", dir + "/run",
                   "--model", dir + "/micro.json", "--seq-len", "8", "--micro-bs", "2", "--threads", "1",
                   "--eval-every", "0", "--log-every", "1"] + extra
    p.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
    p.standardError = FileHandle(forWritingAtPath: "/dev/null")
    return p
}

/// Waits until metrics.jsonl has at least `lines` records (or 60 s pass).
private func waitForSteps(_ dir: String, _ lines: Int) {
    let deadline = Date().addingTimeInterval(60)
    while Date() < deadline {
        if let text = try? String(contentsOfFile: dir + "/run/metrics.jsonl", encoding: .utf8),
           text.split(separator: "\n").count >= lines { return }
        usleep(20_000)
    }
}


@Test func sigtermFinishesTheStepWritesACheckpointAndExitsZero() throws {
    let dir = try tempDir()
    try prepareRun(dir)
    let p = pretrainProcess(dir, ["--steps", "100000", "--save-every", "0"])
    try p.run()
    waitForSteps(dir, 3)
    kill(p.processIdentifier, SIGTERM)
    p.waitUntilExit()
    #expect(p.terminationReason == .exit && p.terminationStatus == 0)
    let step = try loadableMetadata(dir + "/run/ckpt_latest.safetensors")?["step"] ?? "?"
    #expect((Int(step) ?? 0) >= 3, "step \(step)")
    let padded = String(repeating: "0", count: max(0, 7 - step.count)) + step
    #expect(FileManager.default.fileExists(atPath: dir + "/run/ckpt_step_\(padded).safetensors"))
    // Nothing ran past the checkpoint: every logged step is covered by it.
    let lines = try String(contentsOfFile: dir + "/run/metrics.jsonl", encoding: .utf8).split(separator: "\n")
    #expect(lines.count == Int(step))
}

@Test func killNineAtAnyMomentLeavesLatestLoadable() throws {
    let dir = try tempDir()
    try prepareRun(dir)
    let p = pretrainProcess(dir, ["--steps", "100000", "--save-every", "1", "--keep-last", "2"])
    try p.run()
    waitForSteps(dir, 6)
    kill(p.processIdentifier, SIGKILL)
    p.waitUntilExit()
    #expect(p.terminationReason == .uncaughtSignal)
    let meta = try loadableMetadata(dir + "/run/ckpt_latest.safetensors")
    #expect(meta?["stage"] == "pretrain")
    #expect((Int(meta?["step"] ?? "") ?? 0) >= 5)
}

@Test func shortRunLeavesFinalStepCheckpointLatestConfigAndMetrics() throws {
    let dir = try tempDir()
    try prepareRun(dir)
    let p = pretrainProcess(dir, ["--steps", "5", "--save-every", "100"])
    try p.run()
    p.waitUntilExit()
    #expect(p.terminationStatus == 0)
    let names = Set(try FileManager.default.contentsOfDirectory(atPath: dir + "/run"))
    #expect(names == ["ckpt_latest.safetensors", "ckpt_step_0000005.safetensors", "config.json", "metrics.jsonl"])
    #expect(try loadableMetadata(dir + "/run/ckpt_latest.safetensors")?["step"] == "5")
}

@Test func badFlagValueFailsWithAMessageNamingTheFlag() throws {
    let dir = try tempDir()
    try prepareRun(dir)
    let p = pretrainProcess(dir, ["--steps", "5", "--seq-len", "64"])
    let err = Pipe()
    p.standardError = err
    try p.run()
    let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    p.waitUntilExit()
    #expect(p.terminationStatus != 0)
    #expect(text.contains("--seq-len 64 exceeds the model's max_seq_len 16"), "\(text)")
    #expect(!FileManager.default.fileExists(atPath: dir + "/run/ckpt_latest.safetensors"))
}

@Test func tokenizerPathAndHashAreRecordedAndAMismatchRefusesResume() throws {
    let dir = try tempDir()
    try prepareRun(dir)
    // A tokenizer of 32 pieces or fewer fits the micro model's vocabulary; the fixture of the Tokenizer tests.
    let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("TokenizerTests/Fixtures")
    let tiny = fixtures.appendingPathComponent("tiny.model").path
    var micro = try String(contentsOfFile: dir + "/micro.json", encoding: .utf8)
    micro = micro.replacingOccurrences(of: "\"vocab_size\": 32", with: "\"vocab_size\": 512")
    try micro.write(toFile: dir + "/micro.json", atomically: true, encoding: .utf8)
    let p = pretrainProcess(dir, ["--steps", "2", "--tokenizer", tiny])
    try p.run()
    p.waitUntilExit()
    #expect(p.terminationStatus == 0)
    let meta = try loadableMetadata(dir + "/run/ckpt_latest.safetensors")
    #expect(meta?["tokenizer_path"] == tiny)
    let bytes = try Data(contentsOf: URL(fileURLWithPath: tiny))
    let check = Process()
    check.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    check.arguments = ["python3", "-c", "import hashlib,sys; print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest())"]
    let input = Pipe(), output = Pipe()
    check.standardInput = input
    check.standardOutput = output
    try check.run()
    input.fileHandleForWriting.write(bytes)
    try input.fileHandleForWriting.close()
    let expected = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        .trimmingCharacters(in: .whitespacesAndNewlines)
    check.waitUntilExit()
    #expect(meta?["tokenizer_sha256"] == expected && expected.count == 64)

    // Resuming with another tokenizer is refused before any step runs.
    let other = dir + "/other.model"
    let train = Process()
    train.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    train.arguments = ["python3", "-c", """
        import sys, sentencepiece as spm
        lines = [l for l in open(sys.argv[1], encoding="utf-8").read().split("\\n") if l]
        spm.SentencePieceTrainer.train(sentence_iterator=iter(lines), model_prefix=sys.argv[2], model_type="bpe",
            vocab_size=450, character_coverage=1.0, byte_fallback=True, pad_id=0, unk_id=1, bos_id=2, eos_id=3, minloglevel=2)
        """, fixtures.appendingPathComponent("training-text.txt").path, dir + "/other"]
    try train.run()
    train.waitUntilExit()
    #expect(train.terminationStatus == 0)
    let q = pretrainProcess(dir, ["--steps", "4", "--tokenizer", other, "--resume", dir + "/run/ckpt_latest.safetensors"])
    let err = Pipe()
    q.standardError = err
    try q.run()
    let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    q.waitUntilExit()
    #expect(q.terminationStatus != 0)
    #expect(text.contains("tokenizer mismatch"), "\(text)")
}
