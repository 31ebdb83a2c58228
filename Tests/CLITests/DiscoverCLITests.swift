import Foundation
import Testing

/// `discover ttt`, `discover best-of-n` and `discover bench --suite` as a user runs them, on a 1-layer
/// model with the tokenizer test fixture: outputs, the JSON last line, refusal/resume, one-line errors.
@Suite(.serialized) struct DiscoverCLITests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    let tokenizer = root.appendingPathComponent("Tests/TokenizerTests/Fixtures/tiny.model").path

    func checkpoint(_ scratch: ScratchFolder) throws -> String {
        let config = try scratch.write("model.json", """
            { "vocab_size": 4096, "d_model": 32, "n_layers": 1, "n_heads": 2, "ffn_hidden": 64, "max_seq_len": 64,
              "rope_theta": 10000, "norm_eps": 1e-5, "tie_embeddings": true, "mhc": { "n_streams": 2, "sinkhorn_iters": 5 } }
            """)
        let ckpt = scratch.file("init.safetensors")
        let r = try DiscoverBinary.run(["init", "--model", config, "--out", ckpt])
        #expect(r.status == 0, "\(r.stderr)")
        return ckpt
    }

    func lastJSON(_ r: DiscoverBinary.Result) throws -> [String: Any] {
        let line = try #require(r.stdout.split(separator: "\n").last)
        return try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }

    @Test func tttRunsRefusesASecondRunAndResumes() throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        let ckpt = try checkpoint(scratch)
        let out = scratch.file("ttt")
        let args = ["ttt", "--ckpt", ckpt, "--tokenizer", tokenizer, "--env", "toy/target-string-v0",
                    "--groups", "2", "--group-size", "3", "--max-new-tokens", "6", "--lr", "0.001", "--out", out]
        let first = try DiscoverBinary.run(args + ["--steps", "2"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.contains("step 2 | samples 12"))
        let summary = try lastJSON(first)
        #expect(summary["samples"] as? Int == 12 && summary["method"] as? String == "ttt")
        for file in ["metrics.jsonl", "archive.jsonl", "ttt_latest.safetensors", "ttt_state.json", "run.json"] {
            #expect(FileManager.default.fileExists(atPath: out + "/" + file), "missing \(file)")
        }
        let again = try DiscoverBinary.run(args + ["--steps", "2"])
        #expect(again.status != 0 && again.stderr.contains("already holds a run"))
        let resumed = try DiscoverBinary.run(args + ["--steps", "3", "--resume"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(try lastJSON(resumed)["samples"] as? Int == 18)
        let metrics = try String(contentsOfFile: out + "/metrics.jsonl", encoding: .utf8)
        #expect(metrics.split(separator: "\n").count == 3)
    }

    @Test func tttWithLoRASavesMergedWeightsAndAdaptersAndResumes() throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        let ckpt = try checkpoint(scratch)
        let out = scratch.file("lora")
        let args = ["ttt", "--ckpt", ckpt, "--tokenizer", tokenizer, "--env", "toy/target-string-v0", "--groups", "2",
                    "--group-size", "3", "--max-new-tokens", "6", "--lr", "0.01", "--lora-rank", "2", "--out", out]
        let first = try DiscoverBinary.run(args + ["--steps", "1"])
        #expect(first.status == 0, "\(first.stderr)")
        let meta = try #require(try loadableMetadata(out + "/ttt_latest.safetensors"))
        #expect(meta["lora_rank"] == "2" && meta["lora_alpha"] == "4.0" && meta["lora_merged"] == "true")
        let resumed = try DiscoverBinary.run(args + ["--steps", "2", "--resume"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(try lastJSON(resumed)["samples"] as? Int == 12)
        // Resuming without LoRA is refused by run.json; the merged checkpoint samples like any other.
        let full = try DiscoverBinary.run(Array(args.dropLast(4)) + ["--out", out, "--steps", "3", "--resume"])
        #expect(full.status != 0 && full.stderr.contains("lora"), "\(full.stderr)")
        let sample = try DiscoverBinary.run(["sample", "--ckpt", out + "/ttt_latest.safetensors", "--prompt", "hello",
                                             "--max-new-tokens", "4"])
        #expect(sample.status == 0, "\(sample.stderr)")
        // Ranks that cannot work name the flag.
        let tooBig = try DiscoverBinary.run(Array(args.dropLast(4)) + ["--lora-rank", "33", "--out", scratch.file("big"), "--steps", "1"])
        #expect(tooBig.status != 0 && tooBig.stderr.contains("--lora-rank 33 is larger than"), "\(tooBig.stderr)")
        let negative = try DiscoverBinary.run(Array(args.dropLast(4)) + ["--lora-rank=-1", "--out", scratch.file("neg"), "--steps", "1"])
        #expect(negative.status != 0 && negative.stderr.contains("lora-rank must be non-negative"), "\(negative.stderr)")
    }

    @Test func bestOfNUsesTheSameBudgetAndSavesNoPolicy() throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        let ckpt = try checkpoint(scratch)
        let r = try DiscoverBinary.run(["best-of-n", "--ckpt", ckpt, "--tokenizer", tokenizer, "--env", "toy/target-string-v0",
                                        "--steps", "2", "--groups", "2", "--group-size", "3", "--max-new-tokens", "6",
                                        "--out", scratch.file("bon")])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try lastJSON(r)["samples"] as? Int == 12)
        #expect(!scratch.exists("bon/ttt_latest.safetensors") && scratch.exists("bon/metrics.jsonl"))
    }

    @Test func badInputsGiveOneLineErrors() throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        let ckpt = try checkpoint(scratch)
        let unknownEnv = try DiscoverBinary.run(["ttt", "--ckpt", ckpt, "--tokenizer", tokenizer, "--env", "toy/nope-v0",
                                                 "--out", scratch.file("x")])
        #expect(unknownEnv.status != 0 && unknownEnv.stderr.contains("toy/target-string-v0"))
        let badSampler = try DiscoverBinary.run(["ttt", "--ckpt", ckpt, "--env", "toy/target-string-v0", "--sampler", "mcts"])
        #expect(badSampler.status != 0 && badSampler.stderr.contains("unknown sampler 'mcts'"))
        let suite = try scratch.write("bad.json", """
            { "name": "bad", "seeds": [0], "budget": { "steps": 1, "groups": 1, "group_size": 3 },
              "policy": { "kind": "model", "ckpt": "\(ckpt)" },
              "envs": [ { "id": "toy/target-string-v0", "treshold": [1] } ], "methods": [ { "name": "b", "method": "best-of-n" } ] }
            """)
        let badSuite = try DiscoverBinary.run(["bench", "--suite", suite])
        #expect(badSuite.status != 0 && badSuite.stderr.contains("envs[0].treshold"))
    }

    @Test func benchSuiteWritesResultsAndReports() throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        let ckpt = try checkpoint(scratch)
        let suite = try scratch.write("suite.json", """
            { "name": "cli", "seeds": [0, 1], "budget": { "steps": 2, "groups": 1, "group_size": 3, "max_new_tokens": 6 },
              "policy": { "kind": "model", "ckpt": "\(ckpt)", "tokenizer": "\(tokenizer)" },
              "envs": [ { "id": "toy/target-string-v0", "thresholds": [0.5] } ],
              "methods": [ { "name": "ttt", "method": "ttt", "lr": 0.001 }, { "name": "best-of-n", "method": "best-of-n" },
                           { "name": "ttt-lora", "method": "ttt", "lr": 0.01, "lora_rank": 4, "lora_alpha": 4 } ] }
            """)
        let r = try DiscoverBinary.run(["bench", "--suite", suite, "--out", scratch.file("bench")])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("| ttt | 2 | 6 |") && r.stdout.contains("| ttt-lora | 2 | 6 |"))
        let summary = try lastJSON(r)
        #expect(summary["runs"] as? Int == 6 && summary["samples_per_run"] as? Int == 6)
        let lora = try #require(try loadableMetadata(scratch.file("bench/runs/toy_target-string-v0/ttt-lora/seed-0/ttt_latest.safetensors")))
        #expect(lora["lora_rank"] == "4" && lora["lora_alpha"] == "4.0")
        for file in ["results.json", "report.md", "report.html"] { #expect(scratch.exists("bench/" + file)) }
    }
}
