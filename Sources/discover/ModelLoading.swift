import Foundation
import Model
import Tokenizer

/// Loads a checkpoint and the tokenizer that belongs to it, for the stages that start from a checkpoint.
///
/// The tokenizer is `--tokenizer` when given, else the path recorded in the checkpoint (`tokenizer_path`).
/// When the checkpoint records a hash (`tokenizer_sha256`) and the tokenizer's differs, this is an error:
/// a model must never be driven by a tokenizer it was not trained with.
struct LoadedModel {
    let model: MHCModel
    let metadata: [String: String]
    let tokenizer: SentencePieceTokenizer
    let tokenizerPath: String

    static func load(checkpoint: String, tokenizer explicit: String?) throws -> LoadedModel {
        guard FileManager.default.fileExists(atPath: checkpoint) else { throw CLIError("\(checkpoint): no such checkpoint") }
        let (model, metadata, _) = try Checkpoint.load(path: checkpoint)
        guard let path = explicit ?? metadata["tokenizer_path"] else {
            throw CLIError("\(checkpoint) records no tokenizer: pass --tokenizer PATH/spm.model")
        }
        guard FileManager.default.fileExists(atPath: path) else {
            throw CLIError("\(path): tokenizer not found (recorded in \(checkpoint)); pass --tokenizer")
        }
        let tokenizer = try SentencePieceTokenizer(modelPath: path)
        if let stored = metadata["tokenizer_sha256"], stored != tokenizer.contentHash {
            throw CLIError("tokenizer mismatch: \(checkpoint) was trained with sha256 \(stored), \(path) has \(tokenizer.contentHash)")
        }
        guard tokenizer.vocabSize <= model.config.vocabSize else {
            throw CLIError("\(path): tokenizer has \(tokenizer.vocabSize) pieces but the model's vocab_size is \(model.config.vocabSize)")
        }
        return LoadedModel(model: model, metadata: metadata, tokenizer: tokenizer, tokenizerPath: path)
    }

    /// Prompt ids as the model saw text in training: BOS, then the encoded text.
    func promptIDs(_ text: String) -> [Int32] { [SentencePieceTokenizer.bosID] + tokenizer.encode(text) }

    /// Completion text: decoded up to (not including) EOS.
    func completionText(_ ids: [Int32]) -> String {
        let cut = ids.firstIndex(of: SentencePieceTokenizer.eosID).map { Array(ids[..<$0]) } ?? ids
        return tokenizer.decode(cut)
    }
}
