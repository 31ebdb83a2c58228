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
