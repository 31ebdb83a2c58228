import Testing
@testable import MathEnvironment

@Suite struct AnswerExtractionTests {
    @Test func lastBoxedWinsAndNestedBracesAreMatched() throws {
        let r = try #require(AnswerExtractor.extract(from: "First \\boxed{1}, finally $\\boxed{\\frac{1}{2}}$."))
        #expect(r.answer == "\\frac{1}{2}")
        #expect(r.method == .boxed)
    }

    @Test func fboxAndSpaceFormCount() {
        #expect(AnswerExtractor.extract(from: "so \\fbox{42} done")?.answer == "42")
        #expect(AnswerExtractor.extract(from: "so $\\boxed 7$")?.answer == "7")
    }

    @Test func unbalancedLastBoxFallsBackToTheLastBalancedOne() {
        #expect(AnswerExtractor.extract(from: "\\boxed{3} and then \\boxed{4")?.answer == "3")
    }

    @Test func escapedBracesInsideBoxStayInTheAnswer() {
        #expect(AnswerExtractor.extract(from: "\\boxed{\\{1, 2\\}}")?.answer == "\\{1, 2\\}")
    }

    @Test func answerIsPhraseIsTheSecondChoice() {
        #expect(AnswerExtractor.extract(from: "Thus the answer is 42. Done")?.answer == "42")
        #expect(AnswerExtractor.extract(from: "Answer: $\\frac{1}{2}$\nthanks")?.answer == "\\frac{1}{2}")
        #expect(AnswerExtractor.extract(from: "The final answer is 3.5.")?.answer == "3.5")
        #expect(AnswerExtractor.extract(from: "So the answer is 12 and 13 is wrong")?.method == .answerIs)
        #expect(AnswerExtractor.extract(from: "**Answer:** 42")?.answer == "42")
        #expect(AnswerExtractor.extract(from: "The answer is **7/2**.")?.answer == "7/2")
        #expect(AnswerExtractor.extract(from: "Final Answer: The final answer is $5$. I hope it is correct.")?.answer == "5")
    }

    @Test func lastNumberIsTheLastResort() throws {
        #expect(AnswerExtractor.extract(from: "we get 12 apples and then 1,234 more")?.answer == "1,234")
        #expect(AnswerExtractor.extract(from: "so x equals -7")?.answer == "-7")
        #expect(AnswerExtractor.extract(from: "ratio 3/4 overall")?.answer == "3/4")
        #expect(AnswerExtractor.extract(from: "about 2.5e3 metres")?.answer == "2.5e3")
        #expect(AnswerExtractor.extract(from: "growth of 15% today")?.answer == "15%")
        #expect(AnswerExtractor.extract(from: "the range 3-5")?.answer == "5")
        let r = try #require(AnswerExtractor.extract(from: "ends with 8"))
        #expect(r.method == .lastNumber)
    }

    @Test func nothingToExtractGivesNil() {
        #expect(AnswerExtractor.extract(from: "I have no idea.") == nil)
        #expect(AnswerExtractor.extract(from: "") == nil)
    }

    @Test func hostileCompletionsExtractQuickly() {
        let unclosed = String(repeating: "\\boxed{", count: 20_000)
        let braces = String(repeating: "{", count: 50_000) + "\\boxed{5}" + String(repeating: "}", count: 50_000)
        for text in [unclosed, braces, String(repeating: "answer is ", count: 20_000)] {
            let start = ContinuousClock.now
            _ = AnswerExtractor.extract(from: text)
            #expect(ContinuousClock.now - start < .seconds(1))
        }
        #expect(AnswerExtractor.extract(from: braces)?.answer == "5")
    }
}

@Suite struct EmptyBoxTests {
    @Test func anEmptyBoxIsSkipped() {
        #expect(AnswerExtractor.extract(from: "\\boxed{7} but then \\boxed{ }")?.answer == "7")
        #expect(AnswerExtractor.extract(from: "\\boxed{}") == nil)
    }
}
