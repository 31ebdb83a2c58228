import CSentencePiece
import Foundation

/// How to train a tokenizer. Defaults give a lossless byte-fallback BPE model with the fixed special ids.
public struct TokenizerTrainingOptions: Sendable {
    public enum ModelType: String, Sendable, CaseIterable { case bpe, unigram }

    /// Total pieces, including the 4 specials, the 256 byte pieces and user-defined symbols.
    public var vocabSize: Int = 4096
    public var modelType: ModelType = .bpe
    /// Fraction of characters covered by pieces; the rest go through byte fallback.
    public var characterCoverage: Double = 0.9995
    /// Digits become single-digit pieces, which helps a small model do arithmetic.
    public var splitDigits: Bool = true
    /// Extra symbols always kept as one piece. "\n" is always added (training sees one line at a time,
    /// so a newline would otherwise only be reachable as the byte piece <0x0A>).
    public var userDefinedSymbols: [String] = []
    /// At most this many training sentences (lines) are used; SentencePiece samples when there are more.
    public var maxSentences: Int = 2_000_000
    /// Training threads.
    public var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    public init() {}

    /// The SentencePiece trainer options. Normalisation is the identity with no dummy prefix and no
    /// whitespace folding, so that decode(encode(s)) == s for every UTF-8 string.
    var sentencePieceOptions: [(String, String)] {
        let symbols = ["\n"] + userDefinedSymbols.filter { $0 != "\n" }
        return [
            ("model_type", modelType.rawValue),
            ("vocab_size", String(vocabSize)),
            ("character_coverage", String(characterCoverage)),
            ("byte_fallback", "true"),
            ("normalization_rule_name", "identity"),
            ("add_dummy_prefix", "false"),
            ("remove_extra_whitespaces", "false"),
            ("allow_whitespace_only_pieces", "true"),
            ("split_digits", splitDigits ? "true" : "false"),
            ("user_defined_symbols", symbols.joined(separator: ",")),
            ("pad_id", "0"), ("unk_id", "1"), ("bos_id", "2"), ("eos_id", "3"),
            ("pad_piece", "<pad>"), ("unk_piece", "<unk>"), ("bos_piece", "<s>"), ("eos_piece", "</s>"),
            ("input_sentence_size", String(maxSentences)),
            ("shuffle_input_sentence", "true"),
            ("max_sentence_length", "16384"),
            ("num_threads", String(max(1, threads))),
            ("hard_vocab_limit", "true"),
        ]
    }
}

/// Trains SentencePiece models from text.
public enum TokenizerTrainer {
    /// Trains on `documents` (each split into lines; blank lines are skipped) and returns the serialized model.
    /// `source` names the input in errors (e.g. the corpus or the first input file).
    public static func train(documents: [String], options: TokenizerTrainingOptions, source: String) throws -> [UInt8] {
        var lines: [String] = []
        for document in documents {
            for line in document.split(separator: "\n", omittingEmptySubsequences: true) where !line.isEmpty {
                lines.append(String(line))
            }
        }
        return try train(sentences: lines, options: options, source: source)
    }

    /// Trains on `sentences` (one SentencePiece sentence each) and returns the serialized model.
    public static func train(sentences: [String], options: TokenizerTrainingOptions, source: String) throws -> [UInt8] {
        let sentences = sentences.filter { !$0.isEmpty }
        guard !sentences.isEmpty else { throw TokenizerError(file: source, message: "no training text (input is empty)") }
        let minimum = 4 + 256 + 1 + options.userDefinedSymbols.count
        guard options.vocabSize > minimum else {
            throw TokenizerError(file: source, message:
                "vocab size \(options.vocabSize) is too small: 4 special ids, 256 byte pieces and user symbols need more than \(minimum)")
        }
        csp_set_min_log_level(2)  // keep SentencePiece's per-iteration log off the terminal
        let utf8 = sentences.map { Array($0.utf8) }
        let options = options.sentencePieceOptions
        var cError: UnsafeMutablePointer<CChar>?
        var length = 0
        let model: UnsafeMutablePointer<CChar>? = withCStrings(options.map(\.0)) { keys in
            withCStrings(options.map(\.1)) { values in
                withByteBuffers(utf8) { pointers, lengths in
                    csp_train(keys, values, options.count, pointers, lengths, utf8.count, &length, &cError)
                }
            }
        }
        guard let model else {
            let reason = SentencePieceMessage.clean(SentencePieceTokenizer.takeString(cError) ?? "", fallback: "unknown error")
            throw TokenizerError(file: source, message: "tokenizer training failed: \(explain(reason))")
        }
        defer { csp_free_buffer(model) }
        return Array(UnsafeRawBufferPointer(start: model, count: length).bindMemory(to: UInt8.self))
    }

    /// Trains and writes the model to `path` atomically (temporary file, then rename).
    public static func train(documents: [String], options: TokenizerTrainingOptions, source: String, writeTo path: String) throws {
        let model = try train(documents: documents, options: options, source: source)
        try writeAtomically(model, to: path)
    }

    /// Writes `bytes` to `path` through a temporary sibling file and a rename, creating parent folders.
    public static func writeAtomically(_ bytes: [UInt8], to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try Data(bytes).write(to: url, options: .atomic)
        } catch {
            throw TokenizerError(file: path, message: "cannot write tokenizer model: \(error.localizedDescription)")
        }
    }

    /// SentencePiece's messages are terse; add what to do for the common vocab-size failure.
    private static func explain(_ reason: String) -> String {
        if reason.contains("Vocabulary size too high") || reason.contains("Vocabulary size is too high") {
            return reason + " (the corpus is too small for this vocab size: lower --vocab-size or add text)"
        }
        return reason
    }
}

/// Calls `body` with a C array of NUL-terminated copies of `strings`.
private func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
    let copies = strings.map { strdup($0) }
    defer { copies.forEach { free($0) } }
    let pointers = copies.map { UnsafePointer($0) }
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}

/// Calls `body` with parallel arrays of byte pointers and lengths for `buffers` (no NUL terminator needed).
/// The buffers are packed into one contiguous allocation so that every pointer stays valid during `body`.
private func withByteBuffers<R>(_ buffers: [[UInt8]],
                                _ body: (UnsafePointer<UnsafePointer<CChar>?>, UnsafePointer<Int>) -> R) -> R {
    var packed: [UInt8] = []
    packed.reserveCapacity(buffers.reduce(0) { $0 + $1.count })
    var offsets: [Int] = []
    offsets.reserveCapacity(buffers.count)
    for buffer in buffers {
        offsets.append(packed.count)
        packed.append(contentsOf: buffer)
    }
    let lengths = buffers.map(\.count)
    return packed.withUnsafeBufferPointer { all in
        let base = UnsafeRawPointer(all.baseAddress!).assumingMemoryBound(to: CChar.self)
        let pointers: [UnsafePointer<CChar>?] = offsets.map { base + $0 }
        return pointers.withUnsafeBufferPointer { p in lengths.withUnsafeBufferPointer { body(p.baseAddress!, $0.baseAddress!) } }
    }
}
