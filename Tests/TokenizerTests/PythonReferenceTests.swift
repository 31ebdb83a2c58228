import Foundation
import Testing
import Tokenizer

/// A model trained by *our* trainer, encoded by the reference implementation (Python `sentencepiece`) and by
/// our shim: the ids must agree on every string. Needs python3 with sentencepiece (scripts/setup-debian.sh).
@Suite struct PythonReferenceTests {
    @Test func referenceImplementationAgreesOnAModelWeTrained() throws {
        let folder = try FixtureFiles.scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var options = TokenizerTrainingOptions()
        options.vocabSize = 420
        options.threads = 1
        let model = folder + "/spm.model"
        try TokenizerTrainer.train(documents: TokenizerTrainingTests.documents, options: options, source: "<test>", writeTo: model)
        let tokenizer = try SentencePieceTokenizer(modelPath: model)

        let texts = hardStrings + Array(TokenizerTrainingTests.documents.prefix(5))
        let input = folder + "/texts.json"
        try JSONSerialization.data(withJSONObject: texts).write(to: URL(fileURLWithPath: input))
        let script = """
            import json, sys, sentencepiece as spm
            sp = spm.SentencePieceProcessor(model_file=sys.argv[1])
            print(json.dumps([sp.encode(t) for t in json.load(open(sys.argv[2], encoding="utf-8"))]))
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, model, input]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "python3 with sentencepiece is needed: bash scripts/setup-debian.sh")
        let reference = (try JSONSerialization.jsonObject(with: data) as? [[Int]]) ?? []
        #expect(reference.count == texts.count)
        for (text, ids) in zip(texts, reference) {
            #expect(tokenizer.encode(text) == ids.map { Int32($0) }, "ids of \(text.debugDescription)")
        }
    }
}
