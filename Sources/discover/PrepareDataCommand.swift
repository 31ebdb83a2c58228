import ArgumentParser
import Foundation
import TokenData
import Tokenizer

/// `discover prepare-data`: text files/folders (or the built-in corpus) → tokenizer + packed token shards.
struct PrepareDataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prepare-data",
        abstract: "Train a tokenizer and pack token shards from text files, folders, or the built-in corpus.",
        discussion: """
            Writes DIR/tokenizer/spm.model, DIR/packed/train.bin and DIR/packed/val.bin (each written to a \
            temporary name and renamed when complete). With no INPUT, uses the deterministic synthetic corpus.
            """)

    @Argument(help: "Text files or folders (searched recursively). None: the built-in synthetic corpus.")
    var inputs: [String] = []

    @Option(name: .customLong("out"), help: "Output folder.")
    var out = "data"

    @Option(help: "Tokenizer vocabulary size (includes 4 special ids and 256 byte pieces).")
    var vocabSize = 4096

    @Option(help: "Tokenizer model type: bpe or unigram.")
    var modelType = "bpe"

    @Option(help: "Fraction of documents held out for validation, in [0, 1).")
    var valFraction = 0.05

    @Option(help: "Use this SentencePiece model instead of training one (copied to DIR/tokenizer/spm.model).")
    var tokenizer: String?

    @Option(help: "Size in bytes of the built-in corpus (used when no INPUT is given).")
    var corpusBytes = 4_000_000

    @Option(help: "Comma-separated document kinds of the built-in corpus, e.g. targetString (default: all of \(SyntheticCorpus.Kind.allCases.map(\.rawValue).joined(separator: ", "))).")
    var corpusKinds: String?

    @Option(help: "Seed for the built-in corpus and the train/validation split.")
    var seed: UInt64 = 0

    func validate() throws {
        guard TokenizerTrainingOptions.ModelType(rawValue: modelType) != nil else {
            throw ValidationError("--model-type must be bpe or unigram, got '\(modelType)'")
        }
        guard valFraction >= 0 && valFraction < 1 else { throw ValidationError("--val-fraction must be in [0, 1), got \(valFraction)") }
        guard corpusBytes > 0 else { throw ValidationError("--corpus-bytes must be positive, got \(corpusBytes)") }
        _ = try parsedKinds()
        if corpusKinds != nil && !inputs.isEmpty {
            throw ValidationError("--corpus-kinds selects documents of the built-in corpus; it cannot be used with INPUT files")
        }
        guard tokenizer != nil || vocabSize > 261 else {
            throw ValidationError("--vocab-size \(vocabSize) is too small: 4 special ids and 256 byte pieces come first (need > 261)")
        }
    }

    func run() throws {
        var options = DataPreparation.Options()
        options.inputs = inputs
        options.outputDirectory = out
        options.tokenizer.vocabSize = vocabSize
        options.tokenizer.modelType = TokenizerTrainingOptions.ModelType(rawValue: modelType)!
        options.tokenizerPath = tokenizer
        options.valFraction = valFraction
        options.corpusBytes = corpusBytes
        options.seed = seed
        options.corpusKinds = try parsedKinds()

        let line = ProgressLine()
        let summary: DataPreparation.Summary
        do {
            summary = try DataPreparation.run(options) { progress in
                switch progress.stage {
                case .reading: line.show(inputs.isEmpty ? "generating built-in corpus (\(corpusBytes) bytes)" : "reading inputs", stage: "reading")
                case .training: line.show("training \(modelType) tokenizer, vocab \(vocabSize)", stage: "training")
                case .encoding:
                    let percent = progress.total == 0 ? 100 : 100 * progress.done / progress.total
                    line.show(String(format: "encoding %3d%%  %.1f / %.1f MB", percent,
                                     Double(progress.done) / 1e6, Double(progress.total) / 1e6), stage: "encoding")
                }
            }
        } catch {
            line.finish()
            throw CLIError(String(describing: error))
        }
        line.finish()
        print(Self.describe(summary, options: options))
    }

    static func describe(_ s: DataPreparation.Summary, options: DataPreparation.Options) -> String {
        func mb(_ bytes: Int) -> String { String(format: "%.2f MB", Double(bytes) / 1e6) }
        let rows: [(String, String)] = [
            ("documents", "\(s.documents) (train \(s.trainDocuments), val \(s.valDocuments))"),
            ("bytes", "\(s.bytes) (\(mb(s.bytes)))"),
            ("tokens", "\(s.tokens) (train \(s.trainTokens), val \(s.valTokens))"),
            ("tokens/byte", String(format: "%.3f", s.tokensPerByte)),
            ("vocab size", "\(s.vocabSize) (\(s.width)-byte tokens)"),
            ("tokenizer", "\(options.tokenizerOutputPath) (\(s.tokenizerTrained ? "trained" : "reused"), sha256 \(s.tokenizerHash.prefix(12)))"),
            ("shards", "\(options.trainPath), \(options.valPath)"),
            ("time", String(format: "%.2f s (read %.2f, tokenizer %.2f, encode %.2f s)", s.totalSeconds,
                            s.readSeconds, s.trainSeconds, s.encodeSeconds)),
            ("encode rate", String(format: "%.1f MB/s wall, %.1f MB per CPU-second", s.encodeBytesPerSecond / 1e6,
                                   s.encodeBytesPerCPUSecond / 1e6)),
        ]
        return rows.map { $0.0.padding(toLength: 12, withPad: " ", startingAt: 0) + $0.1 }.joined(separator: "\n")
    }

    /// `--corpus-kinds` as kinds (all when absent); unknown names are an error that lists the known ones.
    func parsedKinds() throws -> [SyntheticCorpus.Kind] {
        guard let corpusKinds else { return SyntheticCorpus.Kind.allCases }
        let names = corpusKinds.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !names.isEmpty else { throw ValidationError("--corpus-kinds is empty") }
        return try names.map { name in
            guard let kind = SyntheticCorpus.Kind(rawValue: name) else {
                throw ValidationError("--corpus-kinds: unknown kind '\(name)'; known: \(SyntheticCorpus.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return kind
        }
    }
}
