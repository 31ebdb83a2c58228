import CSentencePiece
import Dispatch
import Foundation

/// A SentencePiece model loaded through the C shim. Encoding is lossless for any UTF-8 text when the model
/// was trained by `TokenizerTrainer` (identity normalisation, no whitespace folding, byte fallback).
///
/// Fixed ids: pad 0 `<pad>`, unk 1 `<unk>`, bos 2 `<s>`, eos 3 `</s>`; loading a model with another layout
/// is an error. Encoding never adds bos/eos; callers add them.
///
/// Thread safety: the processor is immutable after loading and SentencePiece's encode/decode are const, so
/// one instance may be shared across threads.
public final class SentencePieceTokenizer: @unchecked Sendable {
    public static let padID: Int32 = 0
    public static let unkID: Int32 = 1
    public static let bosID: Int32 = 2
    public static let eosID: Int32 = 3

    /// The model file this tokenizer was loaded from.
    public let modelPath: String
    /// Number of pieces (ids are 0..<vocabSize).
    public let vocabSize: Int
    /// Hex SHA-256 of the model file's bytes: identifies the exact tokenizer a checkpoint or shard was made with.
    public let contentHash: String

    private let processor: OpaquePointer

    /// Loads `modelPath`. A missing, empty or corrupt file, or one whose special ids are not the fixed
    /// layout, is a `TokenizerError` naming the file.
    public init(modelPath: String) throws {
        let url = URL(fileURLWithPath: modelPath)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: modelPath, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw TokenizerError(file: modelPath, message: "no such tokenizer model file")
        }
        let bytes: [UInt8]
        do { bytes = [UInt8](try Data(contentsOf: url)) } catch {
            throw TokenizerError(file: modelPath, message: "cannot read tokenizer model: \(error.localizedDescription)")
        }
        guard !bytes.isEmpty else { throw TokenizerError(file: modelPath, message: "tokenizer model file is empty") }
        var cError: UnsafeMutablePointer<CChar>?
        let loaded = bytes.withUnsafeBytes { csp_load_from_bytes($0.baseAddress, $0.count, &cError) }
        guard let loaded else {
            let reason = SentencePieceMessage.clean(Self.takeString(cError) ?? "", fallback: "cannot parse the model")
            throw TokenizerError(file: modelPath, message: "not a valid SentencePiece model: \(reason)")
        }
        self.processor = loaded
        self.modelPath = modelPath
        self.vocabSize = Int(csp_vocab_size(loaded))
        self.contentHash = SHA256.hex(bytes)
        try checkSpecialIDs()
    }

    deinit { csp_processor_free(processor) }

    /// Token ids of `text` (no bos/eos added).
    public func encode(_ text: String) -> [Int32] {
        var text = text
        return text.withUTF8 { encode(utf8: UnsafeRawBufferPointer($0)) }
    }

    /// Token ids of UTF-8 bytes (no bos/eos added).
    public func encode(utf8 bytes: UnsafeRawBufferPointer) -> [Int32] {
        guard bytes.count > 0, let base = bytes.baseAddress else { return [] }
        var count = 0
        var cError: UnsafeMutablePointer<CChar>?
        let ids = csp_encode(processor, base.assumingMemoryBound(to: CChar.self), bytes.count, &count, &cError)
        defer { csp_free_buffer(ids) }
        // SentencePiece only fails to encode on an unloaded model; ours is always loaded.
        precondition(count >= 0, "SentencePiece encode failed: \(Self.takeString(cError) ?? "?")")
        guard let ids else { return [] }
        return Array(UnsafeBufferPointer(start: ids, count: count))
    }

    /// The text of `ids`. Control ids (pad/bos/eos) decode to nothing; ids outside 0..<vocabSize decode as unk;
    /// byte pieces that do not form valid UTF-8 become U+FFFD.
    public func decode(_ ids: [Int32]) -> String {
        guard !ids.isEmpty else { return "" }
        let vocab = Int32(vocabSize)
        let safe = ids.map { $0 >= 0 && $0 < vocab ? $0 : Self.unkID }
        var length = 0
        var cError: UnsafeMutablePointer<CChar>?
        let text = safe.withUnsafeBufferPointer { csp_decode(processor, $0.baseAddress, $0.count, &length, &cError) }
        guard let text else {
            preconditionFailure("SentencePiece decode failed: \(Self.takeString(cError) ?? "?")")
        }
        defer { csp_free_buffer(text) }
        return String(decoding: UnsafeRawBufferPointer(start: text, count: length), as: UTF8.self)
    }

    /// `encode` of every text, spread over all cores; results are in input order.
    public func encodeBatch(_ texts: [String]) -> [[Int32]] {
        parallelMap(texts.count) { self.encode(texts[$0]) }
    }

    /// `decode` of every id list, spread over all cores; results are in input order.
    public func decodeBatch(_ ids: [[Int32]]) -> [String] {
        parallelMap(ids.count) { self.decode(ids[$0]) }
    }

    /// The piece string of `id` (e.g. "<s>", "<0x0A>", "▁the"), nil when out of range.
    public func piece(_ id: Int32) -> String? { Self.takeString(csp_id_to_piece(processor, id)) }

    /// The id of `piece`, or unk when it is not in the vocabulary.
    public func id(ofPiece piece: String) -> Int32 {
        var piece = piece
        return piece.withUTF8 { buffer in
            buffer.withMemoryRebound(to: CChar.self) { csp_piece_to_id(processor, $0.baseAddress, $0.count) }
        }
    }

    /// True for pad/bos/eos (control pieces), which decode to no text.
    public func isControl(_ id: Int32) -> Bool { csp_is_control(processor, id) != 0 }

    /// True for the 256 byte-fallback pieces `<0x00>`...`<0xFF>`.
    public func isByte(_ id: Int32) -> Bool { csp_is_byte(processor, id) != 0 }

    // MARK: private

    private func checkSpecialIDs() throws {
        let expected: [(Int32, String)] = [(Self.padID, "<pad>"), (Self.unkID, "<unk>"), (Self.bosID, "<s>"), (Self.eosID, "</s>")]
        let ok = vocabSize > 4 && expected.allSatisfy { id, name in piece(id) == name }
            && csp_is_unknown(processor, Self.unkID) != 0
            && [Self.padID, Self.bosID, Self.eosID].allSatisfy { isControl($0) }
        if !ok {
            let found = (0..<Int32(min(vocabSize, 4))).map { "\($0)=\(piece($0) ?? "?")" }.joined(separator: " ")
            throw TokenizerError(file: modelPath,
                                 message: "special ids must be pad 0 <pad>, unk 1 <unk>, bos 2 <s>, eos 3 </s>; found \(found)")
        }
    }

    private func parallelMap<T>(_ count: Int, _ body: @escaping @Sendable (Int) -> T) -> [T] {
        let results = ResultSlots<T>(count: count)
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, count))
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            var i = worker
            while i < count {
                results.set(i, body(i))
                i += workers
            }
        }
        return results.values()
    }

    static func takeString(_ pointer: UnsafeMutablePointer<CChar>?) -> String? {
        guard let pointer else { return nil }
        defer { csp_free_buffer(pointer) }
        return String(cString: pointer)
    }
}

/// Slots written by distinct indices from concurrent workers (each index exactly once), read after all finish.
private final class ResultSlots<T>: @unchecked Sendable {
    private let storage: UnsafeMutablePointer<T?>
    private let count: Int

    init(count: Int) {
        self.count = count
        storage = .allocate(capacity: max(count, 1))
        storage.initialize(repeating: nil, count: count)
    }

    deinit {
        storage.deinitialize(count: count)
        storage.deallocate()
    }

    func set(_ i: Int, _ value: T) { storage[i] = value }
    func values() -> [T] { (0..<count).map { storage[$0]! } }
}
