import ArgumentParser
import Foundation
import Generation
import JSONLines
import Tensor

/// `discover sample`: completions from a checkpoint.
struct SampleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample",
        abstract: "Sample completions from a checkpoint (KV-cached, batched).")

    @Option(help: "Checkpoint (.safetensors).") var ckpt: String
    @Option(help: "SentencePiece model (default: the one recorded in the checkpoint).") var tokenizer: String?
    @Option(help: "A single prompt.") var prompt: String?
    @Option(help: "JSONL file of {\"prompt\": ...} records.") var prompts: String?
    @Option(help: "New tokens per completion at most.") var maxNewTokens: Int = 128
    @Option(help: "Sampling temperature (0 = greedy).") var temperature: Float = 1
    @Option(help: "Keep the k most likely tokens (0 = all).") var topK: Int = 0
    @Option(help: "Nucleus probability mass (1 = all).") var topP: Float = 1
    @Option(help: "Random seed.") var seed: UInt64 = 0
    @Option(help: "Completions per prompt.") var n: Int = 1
    @Option(help: "Threads for kernels and OpenBLAS.") var threads: Int = ProcessInfo.processInfo.activeProcessorCount
    @Flag(help: "Print JSON lines {\"prompt\", \"completion\", \"tokens\", \"logprob\", \"stopped_at_eos\"}.") var json = false

    func validate() throws {
        guard (prompt == nil) != (prompts == nil) else { throw ValidationError("give exactly one of --prompt or --prompts") }
        guard n >= 1 else { throw ValidationError("--n must be ≥ 1") }
        guard threads >= 1 else { throw ValidationError("--threads must be ≥ 1") }
    }

    func run() throws {
        Parallel.setThreads(threads)
        let loaded = try LoadedModel.load(checkpoint: ckpt, tokenizer: tokenizer)
        let texts: [String]
        if let prompt { texts = [prompt] } else { texts = try JSONL.readLines(path: prompts!).map { try $0.string("prompt") } }
        let options = SamplingOptions(temperature: temperature, topK: topK, topP: topP, maxNewTokens: maxNewTokens,
                                      eosID: 3, seed: seed)
        do { try options.validate() } catch { throw ValidationError(String(describing: error)) }
        let expanded = texts.flatMap { Array(repeating: $0, count: n) }
        let ids = expanded.map(loaded.promptIDs)
        let out = try Generator.generate(model: loaded.model, prompts: ids, options: options)
        for (text, completion) in zip(expanded, out) {
            let decoded = loaded.completionText(completion.tokens)
            if json {
                let record: JSONValue = .object([
                    "prompt": .string(text), "completion": .string(decoded),
                    "tokens": .int(Int64(completion.tokens.count)),
                    "logprob": .double(completion.logprobs.reduce(0) { $0 + Double($1) }),
                    "stopped_at_eos": .bool(completion.stoppedAtEOS),
                ])
                print(JSONL.serialize(record))
            } else {
                print("=== \(text)")
                print(decoded)
            }
        }
    }
}
