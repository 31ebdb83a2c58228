import Foundation
import Testing

// `discover ttt`, `best-of-n` and `bench --suite` end to end on a micro model (vocab 400 from the tokenizer
// fixture, d_model 16, one layer): each run takes well under a second of compute.

private let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()
private let tokenizerFixture = packageRoot.appendingPathComponent("Tests/TokenizerTests/Fixtures/tiny.model").path

/// A fresh folder holding `micro.safetensors` (an initialised micro model).
private func microCheckpoint() throws -> String {
    let dir = NSTemporaryDirectory() + "discovery-cli-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    try #"{"vocab_size": 400, "d_model": 16, "n_layers": 1, "n_heads": 2, "ffn_hidden": 24, "max_seq_len": 48, "mhc": {"n_streams": 2, "sinkhorn_iters": 5}}"#
        .write(toFile: dir + "/micro.json", atomically: true, encoding: .utf8)
    let made = try DiscoverBinary.run(["init", "--model", dir + "/micro.json", "--out", dir + "/micro.safetensors"])
    #expect(made.status == 0, "init failed: \(made.stderr)")
    return dir
}

private func runArgs(_ dir: String, out: String, steps: Int = 2) -> [String] {
    ["--ckpt", dir + "/micro.safetensors", "--tokenizer", tokenizerFixture, "--env", "toy/target-string-v0",
     "--out", out, "--steps", String(steps), "--groups", "2", "--group-size", "3", "--max-new-tokens", "4",
     "--threads", "1", "--lr", "0.001"]
}

private func lines(_ path: String) -> [String] {
    ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
}

@Test func tttWritesCheckpointsArchiveMetricsAndBestAndResumesToMoreSteps() throws {
    let dir = try microCheckpoint()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let out = dir + "/ttt"
    let first = try DiscoverBinary.run(["ttt"] + runArgs(dir, out: out))
    #expect(first.status == 0, "stderr: \(first.stderr)")
    for file in ["ttt_latest.safetensors", "archive.jsonl", "best.json", "best.txt", "ttt_state.json", "run.json"] {
        #expect(FileManager.default.fileExists(atPath: out + "/" + file), "missing \(file)")
    }
    let metrics = lines(out + "/metrics.jsonl")
    #expect(metrics.count == 2)
    let step2 = try JSONSerialization.jsonObject(with: Data(metrics[1].utf8)) as? [String: Any]
    #expect(step2?["samples"] as? Int == 12)
    let last = first.stdout.split(separator: "\n").last.map(String.init) ?? ""
    let summary = try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any]
    #expect(summary?["samples"] as? Int == 12 && summary?["interrupted"] as? Bool == false)

    // Same settings, one more step: continues from the checkpoint instead of starting over.
    let resumed = try DiscoverBinary.run(["ttt"] + runArgs(dir, out: out, steps: 3) + ["--resume"])
    #expect(resumed.status == 0, "stderr: \(resumed.stderr)")
    #expect(resumed.stdout.contains("resuming"))
    #expect(lines(out + "/metrics.jsonl").count == 3)

    // Changed settings cannot resume the run; a fresh run in the same folder is refused.
    let changed = try DiscoverBinary.run(["ttt"] + runArgs(dir, out: out, steps: 4) + ["--resume", "--seed", "9"])
    #expect(changed.status != 0)
    #expect(changed.stderr.contains("seed"))
    let again = try DiscoverBinary.run(["ttt"] + runArgs(dir, out: out))
    #expect(again.status != 0)
}

@Test func bestOfNDrawsTheSameBudgetWithoutTrainingOrPolicyCheckpoints() throws {
    let dir = try microCheckpoint()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let out = dir + "/bon"
    let run = try DiscoverBinary.run(["best-of-n"] + runArgs(dir, out: out))
    #expect(run.status == 0, "stderr: \(run.stderr)")
    let metrics = lines(out + "/metrics.jsonl")
    #expect(metrics.count == 2)
    let last = try JSONSerialization.jsonObject(with: Data(metrics[1].utf8)) as? [String: Any]
    #expect(last?["samples"] as? Int == 12)
    #expect(last?["method"] as? String == "best-of-n")
    #expect(!FileManager.default.fileExists(atPath: out + "/ttt_latest.safetensors"))
    #expect(FileManager.default.fileExists(atPath: out + "/best.json"))
}

@Test func badEnvironmentCheckpointAndSamplerAreOneLineErrors() throws {
    let dir = try microCheckpoint()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    var args = runArgs(dir, out: dir + "/x")
    args[args.firstIndex(of: "toy/target-string-v0")!] = "toy/no-such-env"
    let env = try DiscoverBinary.run(["ttt"] + args)
    #expect(env.status != 0)
    #expect(env.stderr.contains("no-such-env"))
    let ckpt = try DiscoverBinary.run(["ttt"] + runArgs(dir, out: dir + "/x").map { $0.hasSuffix("micro.safetensors") ? dir + "/missing.safetensors" : $0 })
    #expect(ckpt.status != 0)
    #expect(ckpt.stderr.contains("missing.safetensors"))
    let sampler = try DiscoverBinary.run(["ttt"] + runArgs(dir, out: dir + "/x") + ["--sampler", "nope"])
    #expect(sampler.status != 0)
    #expect(sampler.stderr.contains("nope"))
}

@Test func sigtermStopsTTTAfterACheckpointedStepWithExitZero() throws {
    let dir = try microCheckpoint()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let out = dir + "/ttt"
    let p = Process()
    p.executableURL = URL(fileURLWithPath: DiscoverBinary.path)
    p.arguments = ["ttt"] + runArgs(dir, out: out, steps: 100000)
    p.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
    p.standardError = FileHandle(forWritingAtPath: "/dev/null")
    try p.run()
    let deadline = Date().addingTimeInterval(60)
    while lines(out + "/metrics.jsonl").isEmpty && Date() < deadline { usleep(20_000) }
    p.terminate()   // SIGTERM
    p.waitUntilExit()
    #expect(p.terminationReason == .exit && p.terminationStatus == 0)
    let state = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/ttt_state.json"))) as? [String: Any]
    let step = state?["step"] as? Int ?? 0
    #expect(step >= 1 && step < 100000)
    #expect(lines(out + "/metrics.jsonl").count == step)
}

@Test func benchSuiteWritesResultsTableAndReportAndEndsWithOneJSONLine() throws {
    let dir = NSTemporaryDirectory() + "discovery-bench-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try """
    {"name": "smoke", "seeds": [0, 1], "budget": {"steps": 3, "groups": 2, "group_size": 4, "max_new_tokens": 8},
     "policy": {"kind": "table", "length": 8},
     "envs": [{"id": "toy/target-string-v0", "thresholds": [0.5]}],
     "methods": [{"name": "ttt", "method": "ttt", "lr": 0.3, "kl_coef": 0.01}, {"name": "best-of-n", "method": "best-of-n"}]}
    """.write(toFile: dir + "/suite.json", atomically: true, encoding: .utf8)
    let run = try DiscoverBinary.run(["bench", "--suite", dir + "/suite.json", "--out", dir + "/out"])
    #expect(run.status == 0, "stderr: \(run.stderr)")
    for file in ["results.json", "report.md", "report.html"] {
        #expect(FileManager.default.fileExists(atPath: dir + "/out/" + file), "missing \(file)")
    }
    let results = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/out/results.json"))) as? [String: Any]
    #expect((results?["records"] as? [Any])?.count == 4)
    let last = run.stdout.split(separator: "\n").last.map(String.init) ?? ""
    #expect((try? JSONSerialization.jsonObject(with: Data(last.utf8))) is [String: Any], "last line: \(last)")
    #expect(run.stdout.contains("| ttt |"))

    // An unknown policy kind is an error naming the field.
    try #"{"name": "bad", "seeds": [0], "budget": {"steps": 1, "groups": 1, "group_size": 4}, "policy": {"kind": "magic"}, "envs": [{"id": "toy/target-string-v0"}], "methods": [{"name": "b", "method": "best-of-n"}]}"#
        .write(toFile: dir + "/bad.json", atomically: true, encoding: .utf8)
    let bad = try DiscoverBinary.run(["bench", "--suite", dir + "/bad.json", "--out", dir + "/bad"])
    #expect(bad.status != 0)
    #expect(bad.stderr.contains("policy.kind"))
}
