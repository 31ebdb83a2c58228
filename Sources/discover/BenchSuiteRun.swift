import BuiltinEnvironments
import Discover
import EnvironmentKit
import Foundation
import Model
import Tensor

/// Runs a benchmark suite (`discover bench --suite FILE`) with the policy its `policy` object names:
/// `{"kind": "model", "ckpt": FILE, "tokenizer": FILE?}` (the default kind) or `{"kind": "table", "length": 8}`
/// (the tabular test policy over a–z, no model needed). Prints the markdown table, then one JSON line.
func runBenchSuite(path: String, out: String?, threads: Int?, microBatch: Int = 8) async throws {
    Parallel.setThreads(threads ?? ProcessInfo.processInfo.activeProcessorCount)
    let suite: BenchSuite
    do { suite = try BenchSuite.load(path: path) } catch { throw CLIError("\(error)") }
    let outDir = out ?? "runs/bench/\(suite.name)"
    try FileManager.default.createDirectory(atPath: outDir, withIntermediateDirectories: true)
    let registry = try BuiltinEnvironments.registry()
    let makeEnvironment: (BenchSuite.EnvEntry) async throws -> any Environment = { entry in
        do {
            return try registry.make(entry.id, options: EnvironmentOptions(taskPath: entry.task, args: entry.args ?? [:]))
        } catch {
            throw CLIError("\(path): environment '\(entry.id)': \(error)")
        }
    }
    let progress = ProgressLine()
    let log: (String) -> Void = { line in
        if line.contains("| samples") { progress.show(line, stage: "run") } else { progress.finish(); print(line) }
    }
    let kind = suite.policy["kind"]?.description ?? "model"
    let results: BenchResults
    do {
        switch kind {
        case "model":
            guard let ckpt = suite.policy["ckpt"]?.description else {
                throw CLIError("\(path): field 'policy.ckpt': the model policy needs a checkpoint path")
            }
            guard FileManager.default.fileExists(atPath: ckpt) else {
                throw CLIError("\(path): field 'policy.ckpt': no such checkpoint '\(ckpt)'")
            }
            let tokenizer = suite.policy["tokenizer"]?.description
            results = try await BenchRunner<ModelPolicy>(
                suite: suite, outputDirectory: outDir, makeEnvironment: makeEnvironment,
                makePolicy: { context, _ in
                    // A fresh copy of the starting weights for every run.
                    let policy: ModelPolicy
                    do {
                        policy = try makeModelPolicy(checkpoint: ckpt, tokenizer: tokenizer, lora: context.config.lora)
                    } catch let error as LoRAError {
                        throw CLIError("\(path): method '\(context.method.name)': field 'lora_rank': \(error.description)")
                    }
                    policy.microBatch = microBatch
                    return policy
                }, log: log).run()
        case "table":
            let length: Int
            if case .number(let n)? = suite.policy["length"] { length = Int(n) } else { length = 8 }
            guard length > 0 else { throw CLIError("\(path): field 'policy.length': must be positive") }
            results = try await BenchRunner<CharacterTablePolicy>(
                suite: suite, outputDirectory: outDir, makeEnvironment: makeEnvironment,
                makePolicy: { _, _ in CharacterTablePolicy(alphabet: Array("abcdefghijklmnopqrstuvwxyz"), length: length) },
                log: log).run()
        default:
            throw CLIError("\(path): field 'policy.kind': unknown policy kind '\(kind)' (expected model or table)")
        }
    } catch let error as DiscoverError {
        progress.finish()
        throw CLIError(error.description)
    }
    progress.finish()
    print("")
    print(BenchReport.markdown(results))
    print("results: \(outDir)/results.json  table: \(outDir)/report.md  plots: \(outDir)/report.html")
    print(BenchReport.summaryJSON(results))
}
