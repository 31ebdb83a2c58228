import Foundation
import JSONLines
import Testing
import TokenData
import Tokenizer

@Suite struct DataPreparationTests {
    private func options(_ dir: TemporaryDirectory, bytes: Int = 60_000, vocab: Int = 400) -> DataPreparation.Options {
        var o = DataPreparation.Options()
        o.outputDirectory = dir.file("data")
        o.corpusBytes = bytes
        o.tokenizer.vocabSize = vocab
        o.tokenizer.threads = 1
        o.valFraction = 0.1
        o.seed = 11
        return o
    }

    /// Splits a shard's tokens into documents at bos, dropping the bos/eos framing.
    private func documents(in shard: ShardReader) -> [[Int32]] {
        var docs: [[Int32]] = []
        for t in shard.tokens(from: 0, count: shard.count) {
            if t == SentencePieceTokenizer.bosID { docs.append([]) } else if t != SentencePieceTokenizer.eosID { docs[docs.count - 1].append(t) }
        }
        return docs
    }

    @Test func builtInCorpusEndToEndReproducesEveryDocument() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let o = options(dir)
        let summary = try DataPreparation.run(o)
        let corpus = SyntheticCorpus(seed: 11).documents(totalBytes: 60_000)

        let tokenizer = try SentencePieceTokenizer(modelPath: o.tokenizerOutputPath)
        let train = try ShardReader(path: o.trainPath), val = try ShardReader(path: o.valPath)
        #expect(summary.documents == corpus.count)
        #expect(summary.bytes == corpus.reduce(0) { $0 + $1.utf8.count })
        #expect(summary.vocabSize == 400 && tokenizer.vocabSize == 400 && train.width == 2)
        #expect(train.count == summary.trainTokens && val.count == summary.valTokens)
        #expect(summary.trainTokens + summary.valTokens == summary.tokens)
        #expect(summary.valDocuments > 0 && summary.trainDocuments > summary.valDocuments)

        let decoded = (documents(in: train) + documents(in: val)).map { tokenizer.decode($0) }
        #expect(decoded.count == corpus.count)
        #expect(decoded.sorted() == corpus.sorted())
        #expect(try FileManager.default.contentsOfDirectory(atPath: o.outputDirectory + "/packed").sorted() == ["meta.json", "train.bin", "val.bin"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: o.outputDirectory + "/tokenizer") == ["spm.model"])

        let meta = try JSONL.readDocument(path: o.metadataPath)
        #expect(try meta.string("tokenizer_sha256") == tokenizer.contentHash)
        #expect(try meta.int("train_tokens") == train.count && meta.int("val_tokens") == val.count)
        #expect(try meta.int("vocab_size") == 400 && meta.int("token_width") == 2 && meta.int("format_version") == 1)
    }

    @Test func sameSeedGivesIdenticalShards() throws {
        let a = try TemporaryDirectory(), b = try TemporaryDirectory()
        defer { a.remove(); b.remove() }
        _ = try DataPreparation.run(options(a, bytes: 20_000))
        _ = try DataPreparation.run(options(b, bytes: 20_000))
        for name in ["/packed/train.bin", "/packed/val.bin", "/tokenizer/spm.model"] {
            #expect(FileManager.default.contents(atPath: a.file("data") + name) == FileManager.default.contents(atPath: b.file("data") + name))
        }
    }

    @Test func userFilesAndFoldersAreReadAndAnExistingTokenizerIsReused() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var o = options(dir)
        _ = try DataPreparation.run(o)  // provides a tokenizer to reuse
        let model = dir.file("reuse.model")
        try FileManager.default.copyItem(atPath: o.tokenizerOutputPath, toPath: model)

        try FileManager.default.createDirectory(atPath: dir.file("texts/sub"), withIntermediateDirectories: true)
        try dir.write("texts/a.txt", "first document\nwith two lines\n")
        try dir.write("texts/sub/b.md", "second  document\t🙂\n")
        try dir.write("texts/.hidden", "skipped\n")
        let single = try dir.write("c.txt", "third document 漢字")
        o.inputs = [dir.file("texts"), single]
        o.tokenizerPath = model
        o.outputDirectory = dir.file("out")
        let summary = try DataPreparation.run(o)
        #expect(summary.documents == 3 && !summary.tokenizerTrained)
        #expect(FileManager.default.contents(atPath: o.tokenizerOutputPath) == FileManager.default.contents(atPath: model))
        let tokenizer = try SentencePieceTokenizer(modelPath: model)
        let all = documents(in: try ShardReader(path: o.trainPath)) + documents(in: try ShardReader(path: o.valPath))
        #expect(all.map { tokenizer.decode($0) }.sorted() == ["first document\nwith two lines\n", "second  document\t🙂\n", "third document 漢字"])
    }

    @Test func singleDocumentIsSplitByTokens() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var o = options(dir)
        _ = try DataPreparation.run(o)
        o.tokenizerPath = o.tokenizerOutputPath
        o.inputs = [try dir.write("one.txt", String(repeating: "Question: What is 2 + 2? Answer: 4.\n", count: 50))]
        let summary = try DataPreparation.run(o)
        #expect(summary.trainTokens > 0 && summary.valTokens > 0)
        #expect(summary.valTokens == Int((Double(summary.tokens) * 0.1).rounded(.up)))
    }

    @Test func longDocumentsEncodeInSegmentsToExactlyTheWholeDocumentIds() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let o = options(dir, bytes: 30_000)
        _ = try DataPreparation.run(o)
        let tokenizer = try SentencePieceTokenizer(modelPath: o.tokenizerOutputPath)
        let long = SyntheticCorpus(seed: 99).documents(totalBytes: 30_000).joined()
        let segments = TextSegments.split(long, maxBytes: 1000)
        #expect(segments.count > 20)
        #expect(segments.joined() == long)
        #expect(segments.dropLast().allSatisfy { $0.hasSuffix("\n") && $0.utf8.count <= 1000 })
        #expect(segments.flatMap { tokenizer.encode($0) } == tokenizer.encode(long))
    }
}

@Suite struct DataPreparationErrorTests {
    private func failure(_ o: DataPreparation.Options) -> String? {
        do { _ = try DataPreparation.run(o) } catch { return String(describing: error) }
        return nil
    }

    private func baseOptions(_ dir: TemporaryDirectory) -> DataPreparation.Options {
        var o = DataPreparation.Options()
        o.outputDirectory = dir.file("data")
        o.tokenizer.vocabSize = 400
        o.corpusBytes = 20_000
        return o
    }

    private func leavesNoShards(_ dir: TemporaryDirectory) -> Bool {
        !FileManager.default.fileExists(atPath: dir.file("data/packed/train.bin"))
            && !FileManager.default.fileExists(atPath: dir.file("data/packed/val.bin"))
    }

    @Test func missingInputFileIsNamed() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var o = baseOptions(dir)
        o.inputs = [dir.file("nope.txt")]
        #expect(failure(o) == "\(dir.file("nope.txt")): no such input file or folder")
        #expect(leavesNoShards(dir))
    }

    @Test func emptyWhitespaceOnlyAndBinaryInputsAreNamed() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var o = baseOptions(dir)
        let empty = try dir.write("empty.txt", "")
        o.inputs = [empty]
        #expect(failure(o) == "\(empty): input file is empty")
        let blank = try dir.write("blank.txt", " \n\t\n")
        o.inputs = [blank]
        #expect(failure(o)?.hasPrefix(blank) == true)
        let binary = try dir.write("bin.txt", bytes: [0x66, 0xFF, 0xFE, 0x00])
        o.inputs = [binary]
        #expect(failure(o) == "\(binary): input file is not valid UTF-8 text")
        try FileManager.default.createDirectory(atPath: dir.file("none"), withIntermediateDirectories: true)
        o.inputs = [dir.file("none")]
        #expect(failure(o) == "\(dir.file("none")): input folder holds no files")
        #expect(leavesNoShards(dir))
    }

    @Test func corruptTokenizerIsNamedAndNothingIsWritten() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var o = baseOptions(dir)
        o.tokenizerPath = try dir.write("bad.model", "this is not a model")
        #expect(failure(o)?.hasPrefix(dir.file("bad.model") + ": ") == true)
        #expect(leavesNoShards(dir))
        #expect(!FileManager.default.fileExists(atPath: o.tokenizerOutputPath))
    }

    @Test func vocabTheCorpusCannotSupportIsAnErrorAndNothingIsWritten() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var o = baseOptions(dir)
        o.inputs = [try dir.write("small.txt", "just a few words of text\n")]
        o.tokenizer.vocabSize = 4096
        let message = failure(o)
        #expect(message?.hasPrefix(dir.file("small.txt")) == true)
        #expect(message?.contains("vocab") == true)
        #expect(leavesNoShards(dir))
        #expect(!FileManager.default.fileExists(atPath: o.tokenizerOutputPath))
    }

    @Test func failureWhileWritingShardsLeavesNoTokenizerBehind() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try FileManager.default.createDirectory(atPath: dir.file("data"), withIntermediateDirectories: true)
        try dir.write("data/packed", "a file where the packed folder should be")
        let message = failure(baseOptions(dir))
        #expect(message?.contains(dir.file("data/packed")) == true)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.file("data/tokenizer")).isEmpty)
    }

    @Test func failedRunKeepsThePreviousOutputsIntact() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var o = baseOptions(dir)
        _ = try DataPreparation.run(o)
        let before = ["tokenizer/spm.model", "packed/train.bin", "packed/val.bin"].map { FileManager.default.contents(atPath: dir.file("data/" + $0)) }
        o.tokenizerPath = try dir.write("bad.model", "corrupt")
        #expect(failure(o) != nil)
        let after = ["tokenizer/spm.model", "packed/train.bin", "packed/val.bin"].map { FileManager.default.contents(atPath: dir.file("data/" + $0)) }
        #expect(before == after)
    }

    @Test func badOptionsAreNamedByFlag() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var o = baseOptions(dir)
        o.valFraction = 1.5
        #expect(failure(o)?.hasPrefix("--val-fraction: ") == true)
        o = baseOptions(dir)
        o.tokenizer.vocabSize = 100
        #expect(failure(o)?.hasPrefix("--vocab-size: ") == true)
        #expect(leavesNoShards(dir))
    }
}
