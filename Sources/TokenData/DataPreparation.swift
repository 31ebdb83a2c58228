import Foundation
import JSONLines
import Tokenizer

/// What `discover prepare-data` does, as a library: documents (user files or the synthetic corpus) →
/// tokenizer (trained, or an existing one copied in) → `packed/train.bin` and `packed/val.bin`.
///
/// Each document is written as `<s> ids </s>`. Documents are assigned to validation at random (seeded) with
/// probability `valFraction` (at least one each way when there are two or more documents); a single
/// document is split by tokens instead, its last `valFraction` going to validation.
public enum DataPreparation {
    public struct Options: Sendable {
        /// Text files or folders; empty means the built-in synthetic corpus.
        public var inputs: [String] = []
        public var outputDirectory = "data"
        public var tokenizer = TokenizerTrainingOptions()
        /// An existing model to use instead of training one.
        public var tokenizerPath: String?
        public var valFraction = 0.05
        /// Size of the synthetic corpus when there are no inputs.
        public var corpusBytes = 4_000_000
        /// Document kinds of the synthetic corpus (all by default).
        public var corpusKinds = SyntheticCorpus.Kind.allCases
        public var seed: UInt64 = 0

        public init() {}

        public var tokenizerOutputPath: String { outputDirectory + "/tokenizer/spm.model" }
        public var trainPath: String { outputDirectory + "/packed/train.bin" }
        public var valPath: String { outputDirectory + "/packed/val.bin" }
        public var metadataPath: String { outputDirectory + "/packed/meta.json" }
    }

    public enum Stage: String, Sendable { case reading, training, encoding }

    /// Progress: the stage, and for encoding the bytes done out of the total.
    public struct Progress: Sendable {
        public let stage: Stage
        public let done: Int
        public let total: Int
    }

    public struct Summary: Sendable {
        public var documents = 0, trainDocuments = 0, valDocuments = 0
        public var bytes = 0, tokens = 0, trainTokens = 0, valTokens = 0
        public var vocabSize = 0, width = 0
        public var tokenizerTrained = false
        public var tokenizerHash = ""
        public var readSeconds = 0.0, trainSeconds = 0.0, encodeSeconds = 0.0, totalSeconds = 0.0
        /// Process CPU time spent encoding (all threads): on a shared machine wall time overstates the cost.
        public var encodeCPUSeconds = 0.0

        /// Tokens per UTF-8 byte (counting the bos/eos framing).
        public var tokensPerByte: Double { bytes == 0 ? 0 : Double(tokens) / Double(bytes) }
        /// Encoding throughput (bytes of text per second, all cores).
        public var encodeBytesPerSecond: Double { encodeSeconds == 0 ? 0 : Double(bytes) / encodeSeconds }
        /// Encoding bytes per CPU-second (per core actually obtained).
        public var encodeBytesPerCPUSecond: Double { encodeCPUSeconds == 0 ? 0 : Double(bytes) / encodeCPUSeconds }
    }

    public static func run(_ options: Options, progress: (Progress) -> Void = { _ in }) throws -> Summary {
        try validate(options)
        let start = Date()
        var summary = Summary()

        progress(Progress(stage: .reading, done: 0, total: 0))
        let documents: [TextDocument] = options.inputs.isEmpty
            ? SyntheticCorpus(seed: options.seed, kinds: options.corpusKinds).documents(totalBytes: options.corpusBytes)
                .map { TextDocument(source: "<synthetic corpus>", text: $0) }
            : try TextInputs.documents(from: options.inputs)
        summary.documents = documents.count
        summary.bytes = documents.reduce(0) { $0 + $1.text.utf8.count }
        summary.readSeconds = Date().timeIntervalSince(start)

        // The tokenizer is staged under a temporary name and moved into place only after both shards are
        // complete, so a failed run never pairs old shards with a new tokenizer.
        let trainStart = Date()
        let modelBytes: [UInt8]
        if let existing = options.tokenizerPath {
            _ = try SentencePieceTokenizer(modelPath: existing)  // a missing or corrupt model fails here, naming it
            modelBytes = [UInt8](FileManager.default.contents(atPath: existing) ?? Data())
        } else {
            progress(Progress(stage: .training, done: 0, total: 0))
            let source = options.inputs.isEmpty ? "<synthetic corpus>" : options.inputs.joined(separator: ", ")
            modelBytes = try TokenizerTrainer.train(documents: documents.map(\.text), options: options.tokenizer, source: source)
            summary.tokenizerTrained = true
        }
        let stagedModel = (options.outputDirectory as NSString).appendingPathComponent("tokenizer/.spm.model.staged-\(getpid())")
        defer { try? FileManager.default.removeItem(atPath: stagedModel) }
        try TokenizerTrainer.writeAtomically(modelBytes, to: stagedModel)
        let tokenizer = try SentencePieceTokenizer(modelPath: stagedModel)
        summary.vocabSize = tokenizer.vocabSize
        summary.tokenizerHash = tokenizer.contentHash
        summary.trainSeconds = Date().timeIntervalSince(trainStart)

        let encodeStart = Date(), encodeCPUStart = Self.processCPUSeconds()
        try ShardPacker.pack(documents, tokenizer: tokenizer, options: options, summary: &summary, progress: progress)
        summary.encodeSeconds = Date().timeIntervalSince(encodeStart)
        summary.encodeCPUSeconds = Self.processCPUSeconds() - encodeCPUStart

        try TokenizerTrainer.writeAtomically(modelBytes, to: options.tokenizerOutputPath)
        try writeMetadata(summary, options: options)
        summary.totalSeconds = Date().timeIntervalSince(start)
        return summary
    }

    /// `packed/meta.json`: what the shards were made with, so a trainer can check it has the right tokenizer.
    private static func writeMetadata(_ s: Summary, options: Options) throws {
        let meta: JSONValue = .object([
            "format_version": .int(Int64(ShardFormat.version)), "token_width": .int(Int64(s.width)),
            "vocab_size": .int(Int64(s.vocabSize)), "tokenizer_sha256": .string(s.tokenizerHash),
            "train_tokens": .int(Int64(s.trainTokens)), "val_tokens": .int(Int64(s.valTokens)),
            "documents": .int(Int64(s.documents)), "bytes": .int(Int64(s.bytes)), "seed": .int(Int64(bitPattern: options.seed)),
            "val_fraction": .double(options.valFraction),
            "source": .string(options.inputs.isEmpty ? "synthetic corpus" : options.inputs.joined(separator: ", ")),
        ])
        do {
            try Data((JSONL.serialize(meta) + "\n").utf8).write(to: URL(fileURLWithPath: options.metadataPath), options: .atomic)
        } catch {
            throw DataInputError(file: options.metadataPath, message: "cannot write: \(error.localizedDescription)")
        }
    }

    public static func validate(_ options: Options) throws {
        guard options.valFraction >= 0, options.valFraction < 1 else {
            throw DataInputError(file: "--val-fraction", message: "must be in [0, 1), got \(options.valFraction)")
        }
        guard options.corpusBytes > 0 else {
            throw DataInputError(file: "--corpus-bytes", message: "must be positive, got \(options.corpusBytes)")
        }
        guard options.tokenizerPath != nil || options.tokenizer.vocabSize > 261 else {
            throw DataInputError(file: "--vocab-size", message:
                "\(options.tokenizer.vocabSize) is too small: 4 special ids and 256 byte pieces come first")
        }
    }

    /// CPU seconds used by this process so far, all threads.
    public static func processCPUSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }
}
