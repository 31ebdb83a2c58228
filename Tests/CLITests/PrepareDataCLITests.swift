import Foundation
import Testing

/// `discover prepare-data` and `discover tokenize` as a user runs them: exit codes, output, files.
@Suite(.serialized) struct PrepareDataCLITests {
    /// Errors are one line on stderr naming the file or flag, with a non-zero exit.
    private func expectOneLineError(_ result: DiscoverBinary.Result, naming name: String) {
        #expect(result.status != 0)
        let lines = result.stderr.split(separator: "\n").filter { $0.hasPrefix("Error:") }
        #expect(lines.count == 1, "stderr: \(result.stderr)")
        #expect(lines.first?.contains(name) == true, "stderr: \(result.stderr)")
    }

    private func expectNoShards(_ scratch: ScratchFolder) {
        #expect(!scratch.exists("data/packed/train.bin") && !scratch.exists("data/packed/val.bin"))
    }

    @Test func builtInCorpusEndToEndThenTokenizeRoundTrips() throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        let run = try DiscoverBinary.run(["prepare-data", "--out", scratch.file("data"), "--corpus-bytes", "50000", "--vocab-size", "400", "--seed", "3"])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        for label in ["documents", "bytes", "tokens", "tokens/byte", "vocab size", "time"] {
            #expect(run.stdout.contains(label), "summary lacks \(label): \(run.stdout)")
        }
        #expect(run.stderr.contains("encoding"))  // progress line
        #expect(scratch.exists("data/tokenizer/spm.model") && scratch.exists("data/packed/train.bin") && scratch.exists("data/packed/val.bin"))

        let model = scratch.file("data/tokenizer/spm.model")
        let text = "Solve for x:  2x + 3 = 7.\n\t🙂 漢字"
        let encoded = try DiscoverBinary.run(["tokenize", "--tokenizer", model, "--text", text])
        #expect(encoded.status == 0, "stderr: \(encoded.stderr)")
        #expect(encoded.stdout.hasPrefix("{\"ids\":"))
        let json = try JSONSerialization.jsonObject(with: Data(encoded.stdout.utf8)) as? [String: Any]
        #expect(json?["decoded"] as? String == text)
        let ids = (json?["ids"] as? [Int]) ?? []
        #expect(!ids.isEmpty)

        let decoded = try DiscoverBinary.run(["tokenize", "--tokenizer", model, "--ids", ids.map(String.init).joined(separator: ",")])
        let back = try JSONSerialization.jsonObject(with: Data(decoded.stdout.utf8)) as? [String: Any]
        #expect(back?["decoded"] as? String == text)
        #expect(back?["ids"] as? [Int] == ids)
    }

    @Test func missingInputFileFailsNamingIt() throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        let missing = scratch.file("missing.txt")
        expectOneLineError(try DiscoverBinary.run(["prepare-data", missing, "--out", scratch.file("data")]), naming: missing)
        expectNoShards(scratch)
    }

    @Test func emptyInputFileFailsNamingIt() throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        let empty = try scratch.write("empty.txt", "")
        expectOneLineError(try DiscoverBinary.run(["prepare-data", empty, "--out", scratch.file("data")]), naming: empty)
        expectNoShards(scratch)
    }

    @Test func corruptTokenizerFailsNamingIt() throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        let bad = try scratch.write("bad.model", "definitely not a sentencepiece model")
        expectOneLineError(try DiscoverBinary.run(["prepare-data", "--tokenizer", bad, "--out", scratch.file("data"), "--corpus-bytes", "10000"]),
                           naming: bad)
        expectNoShards(scratch)
        expectOneLineError(try DiscoverBinary.run(["tokenize", "--tokenizer", bad, "--text", "hi"]), naming: bad)
        expectOneLineError(try DiscoverBinary.run(["tokenize", "--tokenizer", scratch.file("none.model"), "--text", "hi"]),
                           naming: scratch.file("none.model"))
    }

    @Test func vocabTheCorpusCannotSupportFailsNamingTheInput() throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        let small = try scratch.write("small.txt", "only a handful of words here\n")
        let result = try DiscoverBinary.run(["prepare-data", small, "--out", scratch.file("data"), "--vocab-size", "4096"])
        expectOneLineError(result, naming: small)
        #expect(result.stderr.contains("vocab"))
        expectNoShards(scratch)
        #expect(!scratch.exists("data/tokenizer/spm.model"))
    }

    @Test func badFlagsFailNamingTheFlag() throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        expectOneLineError(try DiscoverBinary.run(["prepare-data", "--out", scratch.file("data"), "--vocab-size", "100"]), naming: "--vocab-size")
        expectOneLineError(try DiscoverBinary.run(["prepare-data", "--out", scratch.file("data"), "--model-type", "wordpiece"]), naming: "--model-type")
        expectOneLineError(try DiscoverBinary.run(["prepare-data", "--out", scratch.file("data"), "--val-fraction", "1"]), naming: "--val-fraction")
        expectOneLineError(try DiscoverBinary.run(["tokenize", "--ids", "1,x,3"]), naming: "--ids")
        let unknownKind = try DiscoverBinary.run(["prepare-data", "--out", scratch.file("data"), "--corpus-kinds", "targetString,poems"])
        expectOneLineError(unknownKind, naming: "--corpus-kinds")
        #expect(unknownKind.stderr.contains("'poems'") && unknownKind.stderr.contains("targetString"), "\(unknownKind.stderr)")
        expectNoShards(scratch)
    }
}
