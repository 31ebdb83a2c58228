import Foundation
import Testing
import Tokenizer

@Suite struct TokenizerBehaviourTests {
    let tokenizer = try! SentencePieceTokenizer(modelPath: FixtureFiles.path("tiny.model"))

    @Test func specialIdsHaveTheFixedLayout() {
        #expect(SentencePieceTokenizer.padID == 0 && SentencePieceTokenizer.unkID == 1)
        #expect(SentencePieceTokenizer.bosID == 2 && SentencePieceTokenizer.eosID == 3)
        #expect((0..<4).map { tokenizer.piece(Int32($0)) } == ["<pad>", "<unk>", "<s>", "</s>"])
        #expect(tokenizer.isControl(0) && tokenizer.isControl(2) && tokenizer.isControl(3))
        #expect(tokenizer.id(ofPiece: "\n") == 4)
        #expect(tokenizer.isByte(tokenizer.id(ofPiece: "<0x0A>")))
    }

    @Test func hardStringsRoundTripLosslessly() {
        for s in hardStrings {
            let ids = tokenizer.encode(s)
            #expect(tokenizer.decode(ids) == s, "round trip of \(s.debugDescription)")
            #expect(!ids.contains(SentencePieceTokenizer.unkID), "byte fallback leaves no unk in \(s.debugDescription)")
        }
        #expect(tokenizer.encode("").isEmpty)
    }

    @Test func encodingAddsNoBosOrEosAndControlIdsDecodeToNothing() {
        let ids = tokenizer.encode("hello")
        #expect(!ids.contains(SentencePieceTokenizer.bosID) && !ids.contains(SentencePieceTokenizer.eosID))
        let framed = [SentencePieceTokenizer.bosID] + ids + [SentencePieceTokenizer.eosID, SentencePieceTokenizer.padID]
        #expect(tokenizer.decode(framed) == "hello")
    }

    @Test func outOfRangeIdsDecodeAsUnknownInsteadOfCrashing() {
        let unk = tokenizer.decode([SentencePieceTokenizer.unkID])
        #expect(!unk.isEmpty)
        #expect(tokenizer.decode([-5]) == unk)
        #expect(tokenizer.decode([Int32(tokenizer.vocabSize)]) == unk)
    }

    @Test func incompleteUTF8FromBytePiecesDecodesToReplacementCharacter() {
        let firstByteOfEmoji = tokenizer.id(ofPiece: "<0xF0>")
        #expect(tokenizer.decode([firstByteOfEmoji]).unicodeScalars.allSatisfy { $0 == "\u{FFFD}" })
    }
}

@Suite struct TokenizerLoadingErrorTests {
    private func loadError(_ path: String) -> TokenizerError? {
        do { _ = try SentencePieceTokenizer(modelPath: path) } catch let e as TokenizerError { return e } catch { return nil }
        return nil
    }

    @Test func missingModelFileIsAnErrorNamingIt() {
        let error = loadError("/nonexistent/spm.model")
        #expect(error?.file == "/nonexistent/spm.model")
        #expect(error?.description.hasPrefix("/nonexistent/spm.model: ") == true)
    }

    @Test func corruptOrEmptyModelFileIsAnErrorNamingIt() throws {
        let folder = try FixtureFiles.scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let corrupt = folder + "/corrupt.model"
        var bytes = [UInt8](FileManager.default.contents(atPath: FixtureFiles.path("tiny.model"))!)
        bytes = Array(bytes.prefix(bytes.count / 3)) + Array("garbage".utf8)
        _ = FileManager.default.createFile(atPath: corrupt, contents: Data(bytes))
        #expect(loadError(corrupt)?.file == corrupt)
        let text = folder + "/text.model"
        _ = FileManager.default.createFile(atPath: text, contents: Data("not a model at all\n".utf8))
        #expect(loadError(text)?.file == text)
        let empty = folder + "/empty.model"
        _ = FileManager.default.createFile(atPath: empty, contents: Data())
        #expect(loadError(empty)?.message.contains("empty") == true)
    }

    @Test func modelWithOtherSpecialIdsIsRejected() {
        let path = FixtureFiles.path("default-ids.model")
        let error = loadError(path)
        #expect(error?.file == path)
        #expect(error?.message.contains("special ids") == true)
    }
}

@Suite struct SHA256Tests {
    // FIPS 180-4 examples: one block, empty, and a message whose padding spills into a second block.
    @Test func knownDigests() {
        #expect(SHA256.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hex([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }
}
