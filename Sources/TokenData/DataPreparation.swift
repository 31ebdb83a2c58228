import Foundation
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
        public var seed: UInt64 = 0

        public init() {}

        public var tokenizerOutputPath: String { outputDirectory + "/tokenizer/spm.model" }
        public var trainPath: String { outputDirectory + "/packed/train.bin" }
        public var valPath: String { outputDirectory + "/packed/val.bin" }
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
            ? SyntheticCorpus(seed: options.seed).documents(totalBytes: options.corpusBytes)
                .map { TextDocument(source: "<synthetic corpus>", text: $0) }
            : try TextInputs.documents(from: options.inputs)
        summary.documents = documents.count
        summary.bytes = documents.reduce(0) { $0 + $1.text.utf8.count }
        summary.readSeconds = Date().timeIntervalSince(start)

        let trainStart = Date()
        let modelPath = options.tokenizerOutputPath
        if let existing = options.tokenizerPath {
            _ = try SentencePieceTokenizer(modelPath: existing)  // validate before copying
            if URL(fileURLWithPath: existing).standardizedFileURL != URL(fileURLWithPath: modelPath).standardizedFileURL {
                let bytes = [UInt8](FileManager.default.contents(atPath: existing) ?? Data())
                try TokenizerTrainer.writeAtomically(bytes, to: modelPath)
            }
        } else {
            progress(Progress(stage: .training, done: 0, total: 0))
            let source = options.inputs.isEmpty ? "<synthetic corpus>" : options.inputs.joined(separator: ", ")
            try TokenizerTrainer.train(documents: documents.map(\.text), options: options.tokenizer, source: source, writeTo: modelPath)
            summary.tokenizerTrained = true
        }
        let tokenizer = try SentencePieceTokenizer(modelPath: modelPath)
        summary.vocabSize = tokenizer.vocabSize
        summary.tokenizerHash = tokenizer.contentHash
        summary.trainSeconds = Date().timeIntervalSince(trainStart)

        let encodeStart = Date(), encodeCPUStart = Self.processCPUSeconds()
        summary.width = ShardFormat.width(forVocabSize: tokenizer.vocabSize)
        let train = try ShardWriter(path: options.trainPath, width: summary.width)
        let val = try ShardWriter(path: options.valPath, width: summary.width)
        let isVal = assignValidation(count: documents.count, fraction: options.valFraction, seed: options.seed)
        var done = 0
        for chunk in chunks(of: documents, bytes: 1 << 20) {
            // Long documents are cut into newline-ended segments so both cores share them; "\n" is always a
            // piece of its own, so encoding the segments gives exactly the ids of the whole document.
            var owners: [Int] = []
            var segments: [String] = []
            for j in chunk {
                for segment in TextSegments.split(documents[j].text, maxBytes: 1 << 16) {
                    owners.append(j)
                    segments.append(segment)
                }
            }
            var encodedByDocument: [Int: [Int32]] = [:]
            for (owner, ids) in zip(owners, tokenizer.encodeBatch(segments)) { encodedByDocument[owner, default: []] += ids }
            for j in chunk {
                let ids = encodedByDocument[j] ?? []
                let framed = [SentencePieceTokenizer.bosID] + ids + [SentencePieceTokenizer.eosID]
                if documents.count == 1 {
                    let valCount = Int((Double(framed.count) * options.valFraction).rounded(.up))
                    train.append(Array(framed.dropLast(valCount)))
                    val.append(Array(framed.suffix(valCount)))
                } else if isVal[j] {
                    val.append(framed)
                    summary.valDocuments += 1
                } else {
                    train.append(framed)
                    summary.trainDocuments += 1
                }
                summary.tokens += framed.count
                done += documents[j].text.utf8.count
            }
            progress(Progress(stage: .encoding, done: done, total: summary.bytes))
        }
        if documents.count == 1 { summary.trainDocuments = 1 }
        summary.encodeSeconds = Date().timeIntervalSince(encodeStart)
        summary.encodeCPUSeconds = Self.processCPUSeconds() - encodeCPUStart
        do {
            try train.finish()
            try val.finish()
        } catch {
            train.cancel()
            val.cancel()
            try? FileManager.default.removeItem(atPath: options.trainPath)
            throw error
        }
        summary.trainTokens = Int(train.count)
        summary.valTokens = Int(val.count)
        summary.totalSeconds = Date().timeIntervalSince(start)
        return summary
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

    /// Seeded Bernoulli(fraction) per document, forcing at least one validation and one training document
    /// when there are two or more documents and fraction > 0.
    static func assignValidation(count: Int, fraction: Double, seed: UInt64) -> [Bool] {
        var rng = SplitMix64(seed: seed ^ 0x5641_4C49_4441_5445)  // "VALIDATE": independent of the corpus stream
        var isVal = (0..<count).map { _ in Double(rng.next() >> 11) * 0x1p-53 < fraction }
        guard count >= 2, fraction > 0 else { return isVal }
        if !isVal.contains(true) { isVal[count - 1] = true }
        if !isVal.contains(false) { isVal[0] = false }
        return isVal
    }

    /// Consecutive index ranges of about `bytes` bytes of text each.
    private static func chunks(of documents: [TextDocument], bytes: Int) -> [[Int]] {
        var result: [[Int]] = []
        var current: [Int] = []
        var size = 0
        for (i, document) in documents.enumerated() {
            current.append(i)
            size += document.text.utf8.count
            if size >= bytes {
                result.append(current)
                current = []
                size = 0
            }
        }
        if !current.isEmpty { result.append(current) }
        return result
    }

    /// CPU seconds used by this process so far, all threads.
    public static func processCPUSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }
}
