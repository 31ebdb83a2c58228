import Foundation
import Testing
import Tokenizer

/// tiny.model and expected-ids.json were produced by the reference SentencePiece (Python package) by
/// Fixtures/make_fixture.py; our C shim over the C++ library must give exactly the same ids.
@Suite struct ReferenceImplementationTests {
    struct Case { let text: String; let ids: [Int32] }

    let expected: (vocab: Int, sha256: String, cases: [Case]) = {
        let data = FileManager.default.contents(atPath: FixtureFiles.path("expected-ids.json"))!
        let root = try! JSONSerialization.jsonObject(with: data) as! [String: Any]
        let cases = (root["cases"] as! [[String: Any]]).map {
            Case(text: $0["text"] as! String, ids: ($0["ids"] as! [NSNumber]).map(\.int32Value))
        }
        return (root["vocab_size"] as! Int, root["sha256"] as! String, cases)
    }()

    @Test func idsEqualThoseOfTheReferenceImplementation() throws {
        let tokenizer = try SentencePieceTokenizer(modelPath: FixtureFiles.path("tiny.model"))
        #expect(tokenizer.vocabSize == expected.vocab)
        #expect(expected.cases.count >= 10)
        for c in expected.cases {
            #expect(tokenizer.encode(c.text) == c.ids, "ids of \(c.text.debugDescription)")
            #expect(tokenizer.decode(c.ids) == c.text, "decode of \(c.text.debugDescription)")
        }
    }

    @Test func batchEncodingMatchesTheReferenceInOrder() throws {
        let tokenizer = try SentencePieceTokenizer(modelPath: FixtureFiles.path("tiny.model"))
        let texts = Array(repeating: expected.cases.map(\.text), count: 5).flatMap { $0 }
        let batch = tokenizer.encodeBatch(texts)
        #expect(batch == Array(repeating: expected.cases.map(\.ids), count: 5).flatMap { $0 })
        #expect(tokenizer.decodeBatch(batch) == texts)
    }

    @Test func contentHashIsTheSHA256OfTheModelFile() throws {
        let tokenizer = try SentencePieceTokenizer(modelPath: FixtureFiles.path("tiny.model"))
        #expect(tokenizer.contentHash == expected.sha256)  // computed by Python's hashlib
    }
}
