import ArgumentParser
import Foundation
import JSONLines
import TokenData
import Tokenizer

/// `discover bench tokenize`: tokenizer encode throughput on the built-in corpus, one core and all cores.
struct BenchTokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize",
        abstract: "Tokenizer encode throughput (MB of text per second), single-threaded and on all cores.")

    @Option(help: "Existing SentencePiece model; by default one is trained on the built-in corpus first (not timed).")
    var tokenizer: String?

    @Option(help: "Megabytes of built-in corpus text to encode per measurement.")
    var megabytes = 16

    @Option(help: "Vocabulary size of the tokenizer trained when --tokenizer is not given.")
    var vocabSize = 4096

    @Option(help: "Repetitions; the best is reported.")
    var repeats = 3

    func run() throws {
        let corpus = SyntheticCorpus(seed: 1).documents(totalBytes: megabytes * 1_000_000)
        let bytes = corpus.reduce(0) { $0 + $1.utf8.count }
        let model: SentencePieceTokenizer
        let folder = NSTemporaryDirectory() + "discover-bench-tokenize-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        do {
            if let tokenizer {
                model = try SentencePieceTokenizer(modelPath: tokenizer)
            } else {
                var options = TokenizerTrainingOptions()
                options.vocabSize = vocabSize
                let path = folder + "/spm.model"
                try TokenizerTrainer.train(documents: Array(corpus.prefix(20_000)), options: options, source: "<synthetic corpus>", writeTo: path)
                model = try SentencePieceTokenizer(modelPath: path)
            }
        } catch { throw CLIError(String(describing: error)) }

        let loadBefore = Self.loadAverage()
        let single = best(repeats) { corpus.reduce(0) { $0 + model.encode($1).count } }
        let parallel = best(repeats) { model.encodeBatch(corpus).reduce(0) { $0 + $1.count } }
        // The whole prepare-data encode stage (segmenting, both cores, bos/eos framing, shard writing).
        var pipelineOptions = DataPreparation.Options()
        pipelineOptions.tokenizerPath = model.modelPath
        pipelineOptions.corpusBytes = megabytes * 1_000_000
        pipelineOptions.seed = 1
        pipelineOptions.outputDirectory = folder + "/prepared"
        let pipeline: DataPreparation.Summary
        do { pipeline = try DataPreparation.run(pipelineOptions) } catch { throw CLIError(String(describing: error)) }

        let cores = ProcessInfo.processInfo.activeProcessorCount
        let mb = Double(bytes) / 1e6

        print("tokenizer encode throughput: \(corpus.count) documents, \(String(format: "%.1f", mb)) MB, vocab \(model.vocabSize), "
              + "load average \(String(format: "%.1f", loadBefore)) on \(cores) cores")
        print("what                     threads   wall s   MB/s (wall)   CPU s   MB per CPU-s")
        let rows = [("encode", 1, single.wall, single.cpu), ("encodeBatch", cores, parallel.wall, parallel.cpu),
                    ("prepare-data encode", cores, pipeline.encodeSeconds, pipeline.encodeCPUSeconds)]
        for (what, threads, wall, cpu) in rows {
            print(what.padding(toLength: 23, withPad: " ", startingAt: 0)
                  + String(format: "  %7d  %7.3f  %12.2f  %6.3f  %13.2f", threads, wall, mb / wall, cpu, mb / cpu))
        }
        print("(MB per CPU-second is what the code does per core when it gets the core; wall MB/s drops when other work shares the machine.)")
        func rounded(_ x: Double) -> JSONValue { .double((x * 100).rounded() / 100) }
        let figures: JSONValue = .object([
            "bench": .string("tokenize"), "bytes": .int(Int64(bytes)), "documents": .int(Int64(corpus.count)),
            "vocab_size": .int(Int64(model.vocabSize)), "tokens": .int(Int64(parallel.tokens)), "cores": .int(Int64(cores)),
            "load_average": rounded(loadBefore),
            "single_thread_mb_per_s": rounded(mb / single.wall), "all_cores_mb_per_s": rounded(mb / parallel.wall),
            "single_thread_mb_per_cpu_s": rounded(mb / single.cpu), "all_cores_mb_per_cpu_s": rounded(mb / parallel.cpu),
            "prepare_data_mb_per_s": rounded(pipeline.encodeBytesPerSecond / 1e6),
            "prepare_data_mb_per_cpu_s": rounded(pipeline.encodeBytesPerCPUSecond / 1e6),
            "tokens_per_byte": .double((Double(parallel.tokens) / Double(bytes) * 1000).rounded() / 1000),
        ])
        print(JSONL.serialize(figures))
    }

    /// Best wall time over `repeats` runs of `body` (which returns a token count), with that run's CPU time.
    private func best(_ repeats: Int, _ body: () -> Int) -> (wall: Double, cpu: Double, tokens: Int) {
        var result = (wall: Double.infinity, cpu: 0.0, tokens: 0)
        for _ in 0..<max(1, repeats) {
            let (wall0, cpu0) = (Date(), Self.processCPUSeconds())
            let tokens = body()
            let wall = Date().timeIntervalSince(wall0)
            if wall < result.wall { result = (wall, Self.processCPUSeconds() - cpu0, tokens) }
        }
        return result
    }

    static func processCPUSeconds() -> Double { DataPreparation.processCPUSeconds() }

    /// The 1-minute load average (0 where /proc is missing).
    static func loadAverage() -> Double {
        guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return 0 }
        return Double(text.split(separator: " ").first ?? "") ?? 0
    }
}
