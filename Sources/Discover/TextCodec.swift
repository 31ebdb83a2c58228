import Tokenizer

/// Text ↔ token ids, as the model-backed policy needs them. `SentencePieceTokenizer` is one; tests use a
/// tiny character codec so they need no tokenizer model file.
public protocol TextCodec: Sendable {
    func encode(_ text: String) -> [Int32]
    func decode(_ ids: [Int32]) -> String
}

extension SentencePieceTokenizer: TextCodec {}
