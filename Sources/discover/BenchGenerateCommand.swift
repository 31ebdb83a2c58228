import ArgumentParser
import Foundation
import Generation
import JSONLines
import Model
import Tensor
import TokenData
import Randomness

/// `discover bench generate`: generated tokens per second of KV-cached batched sampling.
struct BenchGenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Generated tokens/s of KV-cached batched sampling (use a release build).")

    @Option(help: "Model config JSON (a freshly initialised model).") var model: String?
    @Option(help: "Checkpoint instead of a config.") var ckpt: String?
    @Option(help: "Rows sampled together.") var batch: Int = 16
    @Option(help: "Prompt tokens per row.") var promptLen: Int = 32
    @Option(help: "New tokens per row (EOS disabled, so every row generates them all).") var newTokens: Int = 128
    @Option(help: "Threads.") var threads: Int = 2
    @Option(help: "Timed repetitions (the best is reported).") var repeats: Int = 3

    func validate() throws {
        guard (model == nil) != (ckpt == nil) else { throw ValidationError("give exactly one of --model or --ckpt") }
        guard batch >= 1, promptLen >= 1, newTokens >= 1, repeats >= 1 else { throw ValidationError("sizes must be ≥ 1") }
    }

    func run() throws {
        Parallel.setThreads(threads)
        let m: MHCModel
        if let model { m = MHCModel(config: try ModelConfig.load(path: model), seed: 1) }
        else { m = try CheckpointLoader.model(path: ckpt!) }
        let V = m.config.vocabSize
        var rng = SplitMix64(seed: 42)
        let prompts = (0..<batch).map { _ in [Int32(2)] + (1..<promptLen).map { _ in Int32(4 + rng.next() % UInt64(V - 4)) } }
        let options = SamplingOptions(temperature: 1, maxNewTokens: newTokens, eosID: nil, seed: 1)
        _ = try Generator.generate(model: m, prompts: prompts, options: SamplingOptions(temperature: 1, maxNewTokens: 4, eosID: nil))
        var best = Double.infinity
        for _ in 0..<repeats {
            let start = DispatchTime.now().uptimeNanoseconds
            let out = try Generator.generate(model: m, prompts: prompts, options: options)
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            precondition(out.allSatisfy { $0.tokens.count == newTokens })
            best = min(best, seconds)
        }
        let tokensPerSecond = Double(batch * newTokens) / best
        print("| model | params | batch | prompt | new tokens | threads | seconds | tokens/s |")
        print("|---|---|---|---|---|---|---|---|")
        print("| \(model ?? ckpt!) | \(m.parameterCount) | \(batch) | \(promptLen) | \(newTokens) | \(threads) | \(String(format: "%.3f", best)) | \(String(format: "%.0f", tokensPerSecond)) |")
        print(JSONL.serialize(.object([
            "bench": .string("generate"), "params": .int(Int64(m.parameterCount)), "batch": .int(Int64(batch)),
            "prompt_len": .int(Int64(promptLen)), "new_tokens": .int(Int64(newTokens)), "threads": .int(Int64(threads)),
            "seconds": .double(best), "tokens_per_second": .double(tokensPerSecond),
        ])))
    }
}

/// Weights only, for benchmarks.
enum CheckpointLoader {
    static func model(path: String) throws -> MHCModel { try Checkpoint.load(path: path).model }
}
