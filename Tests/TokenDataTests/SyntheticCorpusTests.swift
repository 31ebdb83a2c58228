import Foundation
import Testing
import TokenData

@Suite struct SyntheticCorpusTests {
    @Test func sameSeedSameDocumentsAndSmallerSizeIsAPrefix() {
        let big = SyntheticCorpus(seed: 5).documents(totalBytes: 40_000)
        #expect(big == SyntheticCorpus(seed: 5).documents(totalBytes: 40_000))
        let small = SyntheticCorpus(seed: 5).documents(totalBytes: 10_000)
        #expect(Array(big.prefix(small.count)) == small)
        #expect(SyntheticCorpus(seed: 6).documents(totalBytes: 10_000) != small)
    }

    @Test(arguments: [1, 1_000, 123_457])
    func sizeReachesTheRequestWithoutOvershootingMuch(totalBytes: Int) {
        let bytes = SyntheticCorpus(seed: 1).documents(totalBytes: totalBytes).reduce(0) { $0 + $1.utf8.count }
        #expect(bytes >= totalBytes && bytes < totalBytes + 1024)
    }

    @Test func containsEveryFormat() {
        let text = SyntheticCorpus(seed: 2).documents(totalBytes: 30_000).joined()
        for marker in ["\\boxed{", "Solve for", "\\frac{", "```python\ndef ", "name: ", "\"city\": ", "Target: "] {
            #expect(text.contains(marker), "corpus lacks \(marker.debugDescription)")
        }
    }

    /// Parses "Question: What is A op B?" documents and checks the boxed answer is right.
    @Test func arithmeticAnswersAreCorrect() throws {
        let pattern = try NSRegularExpression(pattern: #"What is (\d+) ([-+*]) (\d+)\?\n.*\n.*\\boxed\{(-?\d+)\}"#)
        var checked = 0
        for doc in SyntheticCorpus(seed: 3).documents(totalBytes: 50_000) {
            guard let m = pattern.firstMatch(in: doc, range: NSRange(doc.startIndex..., in: doc)) else { continue }
            let part = { (i: Int) in String(doc[Range(m.range(at: i), in: doc)!]) }
            let a = Int(part(1))!, b = Int(part(3))!, boxed = Int(part(4))!
            let expected = part(2) == "+" ? a + b : part(2) == "-" ? a - b : a * b
            #expect(boxed == expected, "\(doc)")
            checked += 1
        }
        #expect(checked > 50)
    }

    /// Parses "Solve for v: A v ± B = C." and checks the boxed root satisfies the equation.
    @Test func algebraAnswersSolveTheEquation() throws {
        let pattern = try NSRegularExpression(pattern: #"Solve for ([a-z]): (\d+)[a-z] ([-+]) (\d+) = (-?\d+)\.\n.*\n.*\\boxed\{(-?\d+)\}"#)
        var checked = 0
        for doc in SyntheticCorpus(seed: 4).documents(totalBytes: 50_000) {
            guard let m = pattern.firstMatch(in: doc, range: NSRange(doc.startIndex..., in: doc)) else { continue }
            let part = { (i: Int) in String(doc[Range(m.range(at: i), in: doc)!]) }
            let a = Int(part(2))!, b = Int(part(4))!, c = Int(part(5))!, x = Int(part(6))!
            #expect(a * x + (part(3) == "+" ? b : -b) == c, "\(doc)")
            checked += 1
        }
        #expect(checked > 20)
    }

    @Test func everyDocumentEndsWithANewlineAndIsASCII() {
        for doc in SyntheticCorpus(seed: 8).documents(totalBytes: 20_000) {
            #expect(doc.hasSuffix("\n"))
            #expect(doc.utf8.allSatisfy { $0 < 0x80 })
        }
    }
}

@Suite struct SyntheticCorpusKindsTests {
    @Test func aKindSubsetDrawsOnlyThoseKinds() {
        let echo = SyntheticCorpus(seed: 3, kinds: [.targetString]).documents(totalBytes: 20_000)
        #expect(echo.count > 50)
        for doc in echo {
            #expect(doc.contains("\nTarget: ") && doc.contains("\nReply: "), "\(doc)")
            #expect(!doc.contains("\\boxed{") && !doc.contains("def "))
        }
        let records = SyntheticCorpus(seed: 3, kinds: [.record, .record]).documents(totalBytes: 5_000)
        #expect(records.allSatisfy { $0.contains("name") && $0.contains("city") })
    }

    /// Copy documents repeat each target; edit documents change one or two letters and keep the length; the
    /// spelled kind writes every string letter by letter with single spaces, the plain kind without spaces.
    @Test(arguments: [SyntheticCorpus.Kind.targetString, .spelledTarget])
    func echoDocumentsCopyOrEditTheirTargets(kind: SyntheticCorpus.Kind) throws {
        var copies = 0, edits = 0
        for doc in SyntheticCorpus(seed: 9, kinds: [kind]).documents(totalBytes: 30_000) {
            let lines = doc.split(separator: "\n").map(String.init)
            let edit = lines[0] == RecordTemplates.editInstruction
            #expect(edit || lines[0] == RecordTemplates.copyInstruction, "\(doc)")
            #expect(lines.count >= 3 && lines.count % 2 == 1, "\(doc)")
            for i in stride(from: 1, to: lines.count, by: 2) {
                #expect(lines[i].hasPrefix("Target: ") && lines[i + 1].hasPrefix("Reply: "))
                let written = [lines[i].dropFirst("Target: ".count), lines[i + 1].dropFirst("Reply: ".count)]
                for w in written {
                    if kind == .spelledTarget {
                        #expect(w.enumerated().allSatisfy { ($0.offset % 2 == 1) == ($0.element == " ") }, "\(doc)")
                    } else {
                        #expect(!w.contains(" "), "\(doc)")
                    }
                }
                let target = Array(written[0].filter { $0 != " " }), reply = Array(written[1].filter { $0 != " " })
                #expect(target.count == reply.count && (3...12).contains(target.count))
                let changed = zip(target, reply).filter { $0 != $1 }.count
                if edit { #expect((1...2).contains(changed), "\(doc)"); edits += 1 } else { #expect(changed == 0); copies += 1 }
            }
        }
        #expect(copies > 20 && edits > 20)
    }
}
