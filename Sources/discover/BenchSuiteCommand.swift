// `discover bench suite`: environments × methods × seeds at equal sample budgets (docs/discover.md).
import ArgumentParser
import BuiltinEnvironments
import Discover
import EnvironmentKit
import Foundation
import Tensor

struct BenchSuiteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "suite",
        abstract: "Run a benchmark suite (TTT-Discover vs baselines); writes results.json, report.md, report.html.")

    @Option(help: "Suite file, e.g. configs/bench/toy.json.") var suite: String
    @Option(help: "Output directory (default: runs/bench/<suite name>).") var out: String?
    @Option(help: "Threads for the model.") var threads = 2
    @Option(help: "Sequences per forward/backward pass in the update.") var microBatch = 8

    func run() async throws {
        Parallel.setThreads(threads)
        let parsed = try BenchSuite.load(path: suite)
        guard case .string("model")? = parsed.policy["kind"], case .string(let ckpt)? = parsed.policy["ckpt"] else {
            throw CLIError("\(suite): field 'policy': expected {\"kind\": \"model\", \"ckpt\": PATH[, \"tokenizer\": PATH]}")
        }
        var tokenizer: String?
        if case .string(let t)? = parsed.policy["tokenizer"] { tokenizer = t }
        guard FileManager.default.fileExists(atPath: ckpt) else {
            throw CLIError("\(suite): field 'policy.ckpt': no such checkpoint '\(ckpt)'")
        }
        let dir = out ?? "runs/bench/\(parsed.name)"
        let registry = try BuiltinEnvironments.registry()
        let micro = microBatch
        let runner = BenchRunner<ModelPolicy>(
            suite: parsed, outputDirectory: dir,
            makeEnvironment: { entry in
                try registry.make(entry.id, options: EnvironmentOptions(taskPath: entry.task, args: entry.args ?? [:]))
            },
            makePolicy: { _, _ in
                // A fresh copy of the starting weights for every run.
                let loaded = try LoadedModel.load(checkpoint: ckpt, tokenizer: tokenizer)
                let policy = ModelPolicy(model: loaded.model, codec: loaded.tokenizer)
                policy.microBatch = micro
                return policy
            },
            log: { printProgress($0) })
        let results = try await runner.run()
        print("")
        print(BenchReport.markdown(results))
        print("results: \(dir)/results.json; report: \(dir)/report.md, \(dir)/report.html")
        print(BenchReport.summaryJSON(results))
    }
}
