import ArgumentParser
import Foundation
import JSONLines
import Tokenizer

/// `discover tokenize`: encode text or decode ids with a trained tokenizer, printing one JSON object.
struct TokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize",
        abstract: "Encode --text or decode --ids; prints {\"ids\": [...], \"decoded\": \"...\"}.")

    @Option(help: "SentencePiece model file.")
    var tokenizer = "data/tokenizer/spm.model"

    @Option(help: "Text to encode.")
    var text: String?

    @Option(help: "Comma-separated token ids to decode, e.g. 2,345,17,3.")
    var ids: String?

    func validate() throws {
        guard (text == nil) != (ids == nil) else { throw ValidationError("give exactly one of --text or --ids") }
        if let ids { _ = try Self.parseIDs(ids) }
    }

    func run() throws {
        let model: SentencePieceTokenizer
        do { model = try SentencePieceTokenizer(modelPath: tokenizer) } catch { throw CLIError(String(describing: error)) }
        let tokenIDs: [Int32]
        if let text {
            tokenIDs = model.encode(text)
        } else {
            tokenIDs = try Self.parseIDs(ids!)
            if let bad = tokenIDs.first(where: { $0 < 0 || Int($0) >= model.vocabSize }) {
                throw CLIError("--ids: id \(bad) is outside the vocabulary 0..<\(model.vocabSize) of \(tokenizer)")
            }
        }
        // Written by hand to keep "ids" first, as documented; the values go through the JSON serializer.
        let idList = JSONL.serialize(.array(tokenIDs.map { .int(Int64($0)) }))
        print("{\"ids\":\(idList),\"decoded\":\(JSONL.serialize(.string(model.decode(tokenIDs))))}")
    }

    static func parseIDs(_ list: String) throws -> [Int32] {
        let parts = list.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        if parts == [""] { return [] }
        return try parts.map { part in
            guard let id = Int32(part) else { throw ValidationError("--ids: '\(part)' is not an integer token id") }
            return id
        }
    }
}
