import ArgumentParser
import Foundation
import JSONLines
import Model
import SafeTensors
import Tensor
import TokenData

/// `discover eval`: mean next-token cross-entropy of a checkpoint over the first N windows of a shard,
/// optionally with the gradient of that mean loss for every parameter (the parity aid of docs/model.md).
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Mean cross-entropy of a checkpoint on a token shard, printed as JSON (optionally its gradients).",
        discussion: """
        Window i has inputs tokens[i·T ..< (i+1)·T] and targets tokens[i·T+1 ..< (i+1)·T+1]. Every target \
        counts (no ignore index). With --gradients the gradient of the mean loss over all windows is written \
        for every parameter under the parameter's own name (safetensors, F32), ready to compare with another framework.
        """)

    @Option(help: "Checkpoint (.safetensors).") var ckpt: String
    @Option(help: "Token shard (.bin).") var data: String
    @Option(help: "Tokens per window (default: the model's max_seq_len).") var seqLen: Int?
    @Option(help: "Number of windows from the start of the shard.") var windows: Int = 8
    @Option(help: "Windows per forward pass.") var batch: Int = 8
    @Option(help: "Write parameter gradients of the mean loss to this safetensors file.") var gradients: String?
    @Option(help: "Compute threads (default: all cores).") var threads: Int?

    func validate() throws {
        if windows < 1 { throw ValidationError("--windows must be at least 1 (got \(windows))") }
        if batch < 1 { throw ValidationError("--batch must be at least 1 (got \(batch))") }
        if let t = seqLen, t < 1 { throw ValidationError("--seq-len must be at least 1 (got \(t))") }
        if let t = threads, t < 1 { throw ValidationError("--threads must be at least 1 (got \(t))") }
    }

    func run() throws {
        Parallel.setThreads(threads ?? ProcessInfo.processInfo.activeProcessorCount)
        let model: MHCModel
        let shard: ShardReader
        do {
            model = try Checkpoint.load(path: ckpt).model
            shard = try ShardReader(path: data)
        } catch {
            throw ModelCommandError("\(error)")
        }
        let config = model.config
        let T = seqLen ?? config.maxSeqLen
        if T > config.maxSeqLen {
            throw ModelCommandError("--seq-len \(T) exceeds the model's max_seq_len \(config.maxSeqLen)")
        }
        let needed = windows * T + 1
        if shard.count < needed {
            throw ModelCommandError("\(data): \(shard.count) tokens, but \(windows) windows of \(T) need \(needed)")
        }
        let mean: Double
        do {
            mean = try WindowEvaluation.meanLoss(
                model: model, windows: windows, seqLen: T, batch: batch, gradients: gradients != nil,
                read: { shard.tokens(from: $0, count: $1) },
                progress: { done in
                    if windows > batch { FileHandle.standardError.write(Data("eval: \(done)/\(windows) windows\n".utf8)) }
                })
        } catch {
            throw ModelCommandError("\(data): \(error)")
        }
        let total = windows * T
        var fields: [(String, String)] = [
            ("ckpt", quoted(ckpt)), ("data", quoted(data)), ("windows", "\(windows)"), ("seq_len", "\(T)"),
            ("tokens", "\(total)"), ("loss", "\(mean)"), ("perplexity", "\(exp(mean))"),
        ]
        if let gradients {
            let tensors = model.grads.infos.map {
                ($0.name, $0.shape, UnsafeBufferPointer(start: model.grads.data + $0.offset, count: $0.count))
            }
            do {
                try SafeTensors.write(path: gradients, tensors: tensors, metadata: [
                    "config": config.jsonString(), "kind": "gradients of mean cross-entropy",
                    "ckpt": ckpt, "data": data, "windows": "\(windows)", "seq_len": "\(T)", "loss": "\(mean)",
                ])
            } catch {
                throw ModelCommandError("\(error)")
            }
            fields.append(("gradients", quoted(gradients)))
        }
        print("{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}")
    }

    private func quoted(_ s: String) -> String { JSONL.serialize(.string(s)) }
}
