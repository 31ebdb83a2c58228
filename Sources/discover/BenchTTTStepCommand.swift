import ArgumentParser
import Discover
import Foundation
import JSONLines
import Model
import Tensor

/// `discover bench ttt-step`: the phases of one TTT-Discover step on the model-backed policy — sampling
/// (KV-cached), the frozen base policy's log-probs, and the policy-gradient update — without an environment.
struct BenchTTTStepCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ttt-step",
        abstract: "Seconds per phase of one TTT step on the model-backed policy (use a release build).")

    @Option(help: "Model config JSON (a freshly initialised model).") var model: String?
    @Option(help: "Checkpoint instead of a config.") var ckpt: String?
    @Option(help: "Groups (start states) per step.") var groups: Int = 8
    @Option(help: "Rollouts per group.") var groupSize: Int = 8
    @Option(help: "Prompt tokens (after BOS).") var promptLen: Int = 64
    @Option(help: "Max new tokens per rollout.") var maxNewTokens: Int = 128
    @Option(help: "Sequences per forward/backward pass in the update.") var microBatch: Int = 8
    @Option(help: "Threads.") var threads: Int = 2
    @Option(help: "Timed steps (the best of each phase is reported).") var repeats: Int = 2
    @Option(help: "LoRA rank of the update (0: full fine-tuning).") var loraRank: Int = 0

    func validate() throws {
        guard (model == nil) != (ckpt == nil) else { throw ValidationError("give exactly one of --model or --ckpt") }
        guard groups >= 1, groupSize >= 2, promptLen >= 1, maxNewTokens >= 1, microBatch >= 1, repeats >= 1 else {
            throw ValidationError("--groups, --prompt-len, --max-new-tokens, --micro-batch, --repeats must be ≥ 1 and --group-size ≥ 2")
        }
    }

    /// Each character becomes one id in 4..<V, so the prompt length in tokens is exact.
    struct ByteCodec: TextCodec {
        let vocab: Int
        func encode(_ text: String) -> [Int32] { text.utf8.map { Int32(4 + Int($0) % (vocab - 4)) } }
        func decode(_ ids: [Int32]) -> String { String(repeating: "x", count: ids.count) }
    }

    func run() async throws {
        Parallel.setThreads(threads)
        let m: MHCModel
        if let model { m = MHCModel(config: try ModelConfig.load(path: model), seed: 1) }
        else { m = try Checkpoint.load(path: ckpt!).model }
        guard promptLen + 1 + maxNewTokens <= m.config.maxSeqLen else {
            throw ValidationError("--prompt-len + 1 + --max-new-tokens must fit max_seq_len \(m.config.maxSeqLen)")
        }
        let codec = ByteCodec(vocab: m.config.vocabSize)
        let policy: ModelPolicy
        do {
            policy = loraRank == 0 ? ModelPolicy(model: m, codec: codec)
                : try ModelPolicy(model: m, codec: codec, lora: LoRAConfig(rank: loraRank))
        } catch { throw CLIError("\(error)") }
        policy.microBatch = microBatch
        let prompts = (0..<groups).map { g in String((0..<promptLen).map { Character(UnicodeScalar(97 + ($0 * 7 + g) % 26)!) }) }
        let options = RolloutOptions(maxNewTokens: maxNewTokens)
        var best = (sample: Double.infinity, base: Double.infinity, update: Double.infinity)
        var tokens = 0
        func time<T>(_ body: () async throws -> T) async rethrows -> (T, Double) {
            let start = DispatchTime.now().uptimeNanoseconds
            let value = try await body()
            return (value, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        for r in 0..<repeats {
            let (groupsOut, ts) = try await time { try await policy.sample(prompts: prompts, count: groupSize, options: options, seed: UInt64(r)) }
            let flat = Array(groupsOut.joined())
            tokens = flat.reduce(0) { $0 + $1.tokens.count }
            let (_, tb) = try await time { try await policy.baseLogProbs(flat) }
            // Alternating-sign advantages: a representative update without an environment.
            let batch = flat.enumerated().map { i, c in
                PolicyExample(completion: c, advantages: [Float](repeating: i % 2 == 0 ? 0.5 : -0.5, count: c.tokens.count))
            }
            let (_, tu) = try await time { try await policy.step(batch, learningRate: 1e-5) }
            best = (min(best.sample, ts), min(best.base, tb), min(best.update, tu))
        }
        let rollouts = groups * groupSize
        let total = best.sample + best.base + best.update
        func f(_ x: Double) -> String { String(format: "%.3f", x) }
        print("| model | params | rollouts | completion tokens | sample s | base log-probs s | update s | step s | sampled tokens/s |")
        print("|---|---|---|---|---|---|---|---|---|")
        print("| \(model ?? ckpt!) | \(m.parameterCount) | \(rollouts) | \(tokens) | \(f(best.sample)) | \(f(best.base)) | \(f(best.update)) | \(f(total)) | \(String(format: "%.0f", Double(tokens) / best.sample)) |")
        print(JSONL.serialize(.object([
            "bench": .string("ttt-step"), "params": .int(Int64(m.parameterCount)), "groups": .int(Int64(groups)),
            "group_size": .int(Int64(groupSize)), "prompt_len": .int(Int64(promptLen)),
            "max_new_tokens": .int(Int64(maxNewTokens)), "completion_tokens": .int(Int64(tokens)),
            "threads": .int(Int64(threads)), "micro_batch": .int(Int64(microBatch)), "lora_rank": .int(Int64(loraRank)),
            "sample_seconds": .double(best.sample), "base_logprobs_seconds": .double(best.base),
            "update_seconds": .double(best.update), "step_seconds": .double(total),
            "sampled_tokens_per_second": .double(Double(tokens) / best.sample),
        ])))
    }
}
