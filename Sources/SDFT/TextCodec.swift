import Tokenizer

/// Text ↔ token ids for the SDFT stage: a SentencePiece tokenizer in the CLI, a toy codec in tests.
/// `encode` returns the ids of the text alone (no BOS); the trainer adds BOS itself.
public struct TextCodec: Sendable {
    public let encode: @Sendable (String) -> [Int32]
    public let decode: @Sendable ([Int32]) -> String

    public init(encode: @escaping @Sendable (String) -> [Int32], decode: @escaping @Sendable ([Int32]) -> String) {
        self.encode = encode
        self.decode = decode
    }

    public init(_ tokenizer: SentencePieceTokenizer) {
        self.init(encode: { tokenizer.encode($0) }, decode: { tokenizer.decode($0) })
    }

    public static let bos: Int32 = SentencePieceTokenizer.bosID
    public static let eos: Int32 = SentencePieceTokenizer.eosID
    public static let pad: Int32 = SentencePieceTokenizer.padID

    /// BOS followed by the encoded text: how every document started in pretraining.
    public func promptIDs(_ text: String) -> [Int32] { [Self.bos] + encode(text) }

    /// Decoded completion up to (not including) the first EOS.
    public func completionText(_ ids: [Int32]) -> String {
        decode(ids.firstIndex(of: Self.eos).map { Array(ids[..<$0]) } ?? ids)
    }
}
