import CodeEnvironment
import Testing

@Suite struct CodeBlockExtractorTests {
    @Test func lastFencedBlockIsTheCandidate() {
        let text = "First try:\n```python\nx = 1\n```\nBetter:\n```python\nx = 2\n```\nDone."
        #expect(CodeBlockExtractor.extract(text) == ExtractedCode(code: "x = 2", origin: .fencedBlock))
    }

    @Test func pythonOrUntaggedBlockIsPreferredOverALaterOtherLanguage() {
        let text = "```\ny = 3\n```\nOutput:\n```text\n3\n```"
        #expect(CodeBlockExtractor.extract(text)?.code == "y = 3")
    }

    @Test func anyLanguageIsUsedWhenNoBlockIsPython() {
        let text = "```js\nlet a = 1\n```"
        #expect(CodeBlockExtractor.extract(text) == ExtractedCode(code: "let a = 1", origin: .fencedBlock))
    }

    @Test func unterminatedFenceIsTheFallbackWhenNoBlockIsComplete() {
        let text = "Here:\n```python\ndef f():\n    return 1"
        #expect(CodeBlockExtractor.extract(text) == ExtractedCode(code: "def f():\n    return 1", origin: .unterminatedFence))
    }

    @Test func completeBlockWinsOverALaterUnterminatedFence() {
        let text = "```python\na = 1\n```\nand then\n```python\nb = "
        #expect(CodeBlockExtractor.extract(text) == ExtractedCode(code: "a = 1", origin: .fencedBlock))
    }

    @Test func wholeTextIsTheLastFallback() {
        let text = "def f(x):\n    return x\n"
        #expect(CodeBlockExtractor.extract(text) == ExtractedCode(code: text, origin: .wholeText))
    }

    @Test func blankCompletionHasNoCandidate() {
        #expect(CodeBlockExtractor.extract("  \n\t\n") == nil)
        #expect(CodeBlockExtractor.extract("") == nil)
    }

    @Test func longerAndTildeFencesNestShorterOnes() {
        let text = "````python\ns = '''\n```\n'''\n````\n"
        #expect(CodeBlockExtractor.extract(text)?.code == "s = '''\n```\n'''")
        let tilde = "~~~py\nprint(1)\n~~~"
        #expect(CodeBlockExtractor.extract(tilde) == ExtractedCode(code: "print(1)", origin: .fencedBlock))
    }

    @Test func windowsLineEndingsAreHandled() {
        let text = "```python\r\nx = 1\r\ny = 2\r\n```\r\n"
        #expect(CodeBlockExtractor.extract(text)?.code == "x = 1\ny = 2")
    }

    @Test func inlineTripleBackticksAreNotAFence() {
        let text = "Use ```x``` inline.\nx = 5"
        #expect(CodeBlockExtractor.extract(text)?.origin == .wholeText)
    }

    @Test func fenceIndentedFourSpacesIsNotAFence() {
        let text = "    ```python\n    x = 1\n    ```"
        #expect(CodeBlockExtractor.extract(text)?.origin == .wholeText)
    }
}
