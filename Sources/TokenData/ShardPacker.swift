import Foundation
import Tokenizer
import Randomness

/// The encode stage of `prepare-data`: documents → `<s> ids </s>` → train/val shards, on all cores.
enum ShardPacker {
    static func pack(_ documents: [TextDocument], tokenizer: SentencePieceTokenizer, options: DataPreparation.Options,
                     summary: inout DataPreparation.Summary, progress: (DataPreparation.Progress) -> Void) throws {
        summary.width = ShardFormat.width(forVocabSize: tokenizer.vocabSize)
        let train = try ShardWriter(path: options.trainPath, width: summary.width)
        let val = try ShardWriter(path: options.valPath, width: summary.width)
        let isVal = assignValidation(count: documents.count, fraction: options.valFraction, seed: options.seed)
        var done = 0
        for chunk in chunks(of: documents, bytes: 1 << 20) {
            for (j, ids) in zip(chunk, encode(chunk.map { documents[$0].text }, tokenizer)) {
                let framed = [SentencePieceTokenizer.bosID] + ids + [SentencePieceTokenizer.eosID]
                if documents.count == 1 {
                    let valCount = Int((Double(framed.count) * options.valFraction).rounded(.up))
                    train.append(Array(framed.dropLast(valCount)))
                    val.append(Array(framed.suffix(valCount)))
                    summary.trainDocuments = 1
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
            progress(DataPreparation.Progress(stage: .encoding, done: done, total: summary.bytes))
        }
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
    }

    /// Ids of each text. Long texts are cut into newline-ended segments so that all cores share them;
    /// "\n" is always a piece of its own, so the segments' ids concatenate to exactly the whole text's ids.
    static func encode(_ texts: [String], _ tokenizer: SentencePieceTokenizer) -> [[Int32]] {
        var owners: [Int] = []
        var segments: [String] = []
        for (i, text) in texts.enumerated() {
            for segment in TextSegments.split(text, maxBytes: 1 << 16) {
                owners.append(i)
                segments.append(segment)
            }
        }
        var result = [[Int32]](repeating: [], count: texts.count)
        for (owner, ids) in zip(owners, tokenizer.encodeBatch(segments)) { result[owner] += ids }
        return result
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
    static func chunks(of documents: [TextDocument], bytes: Int) -> [[Int]] {
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
}
