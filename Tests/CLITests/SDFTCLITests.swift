import Foundation
import Testing

/// `discover sdft` as a user runs it, on a micro model pretrained for two steps: files, metrics, resume, errors.
@Suite(.serialized) struct SDFTCLITests {
    /// Tokenizer + shards from a small built-in corpus, and a micro model pretrained for 2 steps.
    private func pretrained(_ scratch: ScratchFolder) throws -> String {
        let prep = try DiscoverBinary.run(["prepare-data", "--out", scratch.file("data"), "--corpus-bytes", "60000",
                                           "--vocab-size", "400", "--seed", "3"])
        try #require(prep.status == 0, "stderr: \(prep.stderr)")
        try scratch.write("micro.json", #"{"vocab_size": 400, "d_model": 16, "n_layers": 1, "n_heads": 2, "ffn_hidden": 32, "max_seq_len": 192, "mhc": {"n_streams": 2, "sinkhorn_iters": 3}}"#)
        let pre = try DiscoverBinary.run(["pretrain", "--train-bin", scratch.file("data/packed/train.bin"),
                                          "--val-bin", scratch.file("data/packed/val.bin"), "--out", scratch.file("pre"),
                                          "--model", scratch.file("micro.json"), "--steps", "2", "--seq-len", "16",
                                          "--micro-bs", "2", "--eval-every", "0", "--threads", "1"])
        try #require(pre.status == 0, "stderr: \(pre.stderr)")
        var train = "", held = ""
        for (a, b) in [(2, 3), (14, 5), (7, 30), (12, 12)] {
            train += #"{"prompt": "Question: What is \#(a) + \#(b)?\nAnswer:", "demonstration": "\#(a) + \#(b) = \#(a + b).\nThe answer is \\boxed{\#(a + b)}."}"# + "\n"
            held += #"{"prompt": "Question: What is \#(b) + \#(a)?\nAnswer:", "answer": "\#(a + b)"}"# + "\n"
        }
        try scratch.write("train.jsonl", train)
        try scratch.write("held.jsonl", held)
        return scratch.file("pre/ckpt_latest.safetensors")
    }

    private func sdft(_ scratch: ScratchFolder, _ ckpt: String, out: String, _ extra: [String]) throws -> DiscoverBinary.Result {
        try DiscoverBinary.run(["sdft", "--ckpt", ckpt, "--data", scratch.file("train.jsonl"), "--out", scratch.file(out),
                                "--prompts-per-step", "2", "--max-new-tokens", "4", "--eval-data", scratch.file("held.jsonl"),
                                "--eval-every", "1", "--eval-windows", "1", "--eval-max-new-tokens", "4",
                                "--retain-bin", scratch.file("data/packed/val.bin"), "--threads", "1"] + extra)
    }

    @Test func sdftAndSftRunsWriteCheckpointsMetricsAndResume() throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        let ckpt = try pretrained(scratch)

        let run = try sdft(scratch, ckpt, out: "sd", ["--steps", "2"])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        #expect(run.stdout.contains("summary: new-task score"))
        for name in ["sd/sdft_latest.safetensors", "sd/sdft_step_0000002.safetensors", "sd/summary.json", "sd/sdft_config.json"] {
            #expect(scratch.exists(name), "missing \(name)")
        }
        let meta = try #require(try loadableMetadata(scratch.file("sd/sdft_latest.safetensors")))
        #expect(meta["stage"] == "sdft" && meta["step"] == "2" && meta["method"] == "sdft")
        #expect(meta["tokenizer_sha256"]?.count == 64 && meta["tokenizer_path"] != nil)
        let lines = try String(contentsOfFile: scratch.file("sd/metrics.jsonl"), encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 3)   // step 0 evaluation, then steps 1 and 2
        #expect(lines.allSatisfy { $0.contains("\"new_task_score\":") && $0.contains("\"retention_loss\":") })

        let resumed = try DiscoverBinary.run(["sdft", "--resume", scratch.file("sd/sdft_latest.safetensors"),
                                              "--data", scratch.file("train.jsonl"), "--out", scratch.file("sd"),
                                              "--steps", "3", "--threads", "1"])
        #expect(resumed.status == 0, "stderr: \(resumed.stderr)")
        #expect(try loadableMetadata(scratch.file("sd/sdft_step_0000003.safetensors"))?["step"] == "3")

        let sft = try sdft(scratch, ckpt, out: "sft", ["--steps", "2", "--method", "sft"])
        #expect(sft.status == 0, "stderr: \(sft.stderr)")
        #expect(try loadableMetadata(scratch.file("sft/sdft_latest.safetensors"))?["method"] == "sft")
    }

    @Test func badDataNamesFileLineAndFieldAndWritesNoCheckpoint() throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        let ckpt = try pretrained(scratch)
        let bad = try scratch.write("bad.jsonl", "{\"prompt\": \"a\", \"demonstration\": \"b\"}\n{\"prompt\": \"c\"}\n")
        let run = try DiscoverBinary.run(["sdft", "--ckpt", ckpt, "--data", bad, "--out", scratch.file("x"), "--threads", "1"])
        #expect(run.status != 0)
        #expect(run.stderr.contains("bad.jsonl:2") && run.stderr.contains("demonstration"), "stderr: \(run.stderr)")
        #expect(!scratch.exists("x/sdft_latest.safetensors"))
        let noStart = try DiscoverBinary.run(["sdft", "--data", bad, "--out", scratch.file("x")])
        #expect(noStart.status != 0 && noStart.stderr.contains("--ckpt"))
    }

    @Test func sigtermFinishesTheStepWritesACheckpointAndExitsZero() throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        let ckpt = try pretrained(scratch)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: DiscoverBinary.path)
        process.arguments = ["sdft", "--ckpt", ckpt, "--data", scratch.file("train.jsonl"), "--out", scratch.file("sd"),
                             "--steps", "100000", "--prompts-per-step", "2", "--max-new-tokens", "4", "--threads", "1"]
        process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        // metrics.jsonl: the step-0 evaluation, then one line per step; wait for two steps.
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            if let text = try? String(contentsOfFile: scratch.file("sd/metrics.jsonl"), encoding: .utf8),
               text.split(separator: "\n").count >= 3 { break }
            usleep(20_000)
        }
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        #expect(process.terminationReason == .exit && process.terminationStatus == 0)
        let lines = try String(contentsOfFile: scratch.file("sd/metrics.jsonl"), encoding: .utf8).split(separator: "\n")
        let meta = try #require(try loadableMetadata(scratch.file("sd/sdft_latest.safetensors")))
        #expect(meta["step"] == String(lines.count - 1))
        #expect(Int(meta["step"] ?? "") ?? 0 >= 2)
    }
}
