import Foundation
import Testing
import Tokenizer

@Suite struct TokenizerTrainingTests {
    /// A small varied text: enough distinct characters and pairs for a few hundred pieces.
    static let words = ["the", "answer", "value", "return", "number", "string", "function", "model", "token", "square"]
    static let documents: [String] = (0..<80).map { i in
        "Question \(i): what is \(i) + \(2 * i + 1)? Answer: \(3 * i + 1). \\boxed{\(3 * i + 1)}\n"
            + (0..<12).map { words[($0 * 7 + i) % words.count] }.joined(separator: " ") + ".\n"
            + "def f\(i)(x):\n    return x * \(i) + \(i % 7)\n"
            + "key\(i % 5): value \(i)\tflag=\(i % 2 == 0)\n"
            + "Emoji 🙂 and 漢字 line \(i).   Spaces   kept.\n"
    }

    private func options(_ type: TokenizerTrainingOptions.ModelType, vocab: Int) -> TokenizerTrainingOptions {
        var o = TokenizerTrainingOptions()
        o.modelType = type
        o.vocabSize = vocab
        o.threads = 1
        return o
    }

    private func trainError(_ body: () throws -> Void) -> TokenizerError? {
        do { try body() } catch let e as TokenizerError { return e } catch { return nil }
        return nil
    }

    @Test(arguments: TokenizerTrainingOptions.ModelType.allCases)
    func trainedModelIsLosslessWithFixedIds(type: TokenizerTrainingOptions.ModelType) throws {
        let folder = try FixtureFiles.scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/tokenizer/spm.model"
        let vocab = type == .bpe ? 420 : 330  // unigram on this little text supports at most ~340 pieces
        try TokenizerTrainer.train(documents: Self.documents, options: options(type, vocab: vocab), source: "<test>", writeTo: path)
        let tokenizer = try SentencePieceTokenizer(modelPath: path)
        #expect(tokenizer.vocabSize == vocab)
        #expect(tokenizer.piece(4) == "\n")
        for s in hardStrings + Self.documents.prefix(3) {
            #expect(tokenizer.decode(tokenizer.encode(s)) == s, "\(type) round trip of \(s.debugDescription)")
        }
        // Learned merges compress the training text well below one token per byte.
        let sample = Self.documents[7]
        #expect(Double(tokenizer.encode(sample).count) < 0.8 * Double(sample.utf8.count))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder + "/tokenizer").count == 1)  // no temp left
    }

    @Test func trainingIsDeterministic() throws {
        let a = try TokenizerTrainer.train(documents: Self.documents, options: options(.bpe, vocab: 330), source: "<test>")
        let b = try TokenizerTrainer.train(documents: Self.documents, options: options(.bpe, vocab: 330), source: "<test>")
        #expect(a == b)
    }

    @Test func vocabLargerThanTheCorpusSupportsIsAnErrorNamingTheSource() {
        let error = trainError {
            _ = try TokenizerTrainer.train(documents: ["tiny corpus\n"], options: options(.unigram, vocab: 4096), source: "in.txt")
        }
        #expect(error?.file == "in.txt")
        #expect(error?.message.contains("vocab") == true)
        #expect(error?.message.contains(".cc(") == false, "SentencePiece's source location is stripped")
        let bpe = trainError {
            _ = try TokenizerTrainer.train(documents: ["tiny corpus\n"], options: options(.bpe, vocab: 4096), source: "in.txt")
        }
        #expect(bpe?.file == "in.txt")
    }

    @Test func vocabTooSmallForBytePiecesIsAnError() {
        let error = trainError {
            _ = try TokenizerTrainer.train(documents: Self.documents, options: options(.bpe, vocab: 200), source: "corpus")
        }
        #expect(error?.message.contains("too small") == true)
    }

    @Test func emptyInputIsAnError() {
        let error = trainError { _ = try TokenizerTrainer.train(documents: ["", "\n\n"], options: options(.bpe, vocab: 300), source: "empty.txt") }
        #expect(error?.description == "empty.txt: no training text (input is empty)")
    }
}
