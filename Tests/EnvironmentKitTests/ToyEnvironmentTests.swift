import EnvironmentKit
import Foundation
import Testing
import ToyEnvironment

struct ToyEnvironmentTests {
    @Test func rewardIsTheFractionOfMatchingPositions() async throws {
        let env = TargetStringEnvironment(target: "abcd")
        let state = try await env.initialStates()[0]
        #expect(state.construction == "aaaa" && state.value == 0.25)
        let e = try await env.evaluate(completion: "abzz", from: state)
        #expect(e.status == .ok && e.reward == 0.5)
        #expect(e.child?.construction == "abzz" && e.child?.value == 0.5)
        #expect(e.feedback == "2 of 4 positions match. Mask (# = match): ##..")
        #expect(e.metrics["matches"] == 2)
    }

    @Test func otherLengthsScoreAgainstTheLongerString() async throws {
        #expect(TargetStringEnvironment.score("abcdef", against: "abcd").reward == 4.0 / 6.0)
        #expect(TargetStringEnvironment.score("ab", against: "abcd").reward == 0.5)
    }

    @Test func guessIsTheFirstNonEmptyLineWithoutQuotes() {
        #expect(TargetStringEnvironment.extractGuess("\n  \"hello\"  \nworld") == "hello")
        #expect(TargetStringEnvironment.extractGuess("```\ncode\n```") == "code")
        #expect(TargetStringEnvironment.extractGuess("  \n ") == "")
    }

    @Test func emptyOrOverlongGuessesAreInvalid() async throws {
        let env = TargetStringEnvironment(target: "ab")
        let state = EnvState(construction: "aa")
        let empty = try await env.evaluate(completion: "   ", from: state)
        #expect(empty.status == .invalid && empty.reward == 0 && empty.child == nil)
        let long = try await env.evaluate(completion: String(repeating: "a", count: 9), from: state)
        #expect(long.status == .invalid && long.child == nil)
    }

    @Test func factoryReadsTargetFromTaskFileAndArgs() throws {
        let factory = try #require(ToyEnvironments.factories["toy/target-string-v0"])
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("toy-\(UInt32.random(in: 0 ..< .max)).json").path
        try #"{"target": "xyz", "initial": "xxx"}"#.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let fromFile = try #require(factory(EnvironmentOptions(taskPath: path)) as? TargetStringEnvironment)
        #expect(fromFile.target == "xyz" && fromFile.initial == "xxx")
        let overridden = try #require(factory(EnvironmentOptions(taskPath: path, args: ["target": "qq", "initial": "ab"]))
                                      as? TargetStringEnvironment)
        #expect(overridden.target == "qq" && overridden.initial == "ab")
        let defaults = try #require(factory(EnvironmentOptions()) as? TargetStringEnvironment)
        #expect(defaults.target == "discover" && defaults.initial == "aaaaaaaa")
        #expect(throws: EnvironmentOptionError.self) { try factory(EnvironmentOptions(args: ["targt": "x"])) }
        #expect(throws: EnvironmentOptionError.self) { try factory(EnvironmentOptions(args: ["target": ""])) }
    }

    @Test func promptShowsTheCurrentStringItsValueAndTheMask() async throws {
        let env = TargetStringEnvironment(target: "abcd")
        let prompt = env.prompt(for: try await env.initialStates()[0])
        #expect(prompt.contains("## Current solution\naaaa\n"))
        #expect(prompt.contains("Value: 0.25 (higher is better). Target to beat: 1."))
        #expect(prompt.contains("Mask (# = match): #..."))
        #expect(prompt.hasSuffix("Reply with the new string only.\n"))
    }

    @Test func echoPromptEndsInTheCorpusEchoFormWithTheCurrentStringAndScore() async throws {
        let env = try ToyEnvironments.factories["toy/target-string-v0"]!(
            EnvironmentOptions(args: ["target": "abcd", "prompt": "echo"]))
        let state = EnvState(construction: "abxx", value: 0.5, feedback: "2 of 4 positions match.")
        let prompt = env.prompt(for: state)
        #expect(prompt.hasSuffix("\nChange one or two letters of the target string.\nTarget: a b x x\nReply:"))
        #expect(prompt.contains("Score: 0.5000 (best 1). 2 of 4 positions match."))
        #expect(prompt.contains("hidden string of 4 characters"))
        #expect(throws: EnvironmentOptionError.self) {
            try ToyEnvironments.factories["toy/target-string-v0"]!(EnvironmentOptions(args: ["prompt": "fancy"]))
        }
    }

    /// The echo style spells strings letter by letter and reads spelled replies without their spaces; a plain
    /// reply still counts, and the layout style takes replies literally.
    @Test func echoStyleReadsSpelledRepliesAndLayoutTakesThemLiterally() async throws {
        let make = { (style: String) in
            try ToyEnvironments.factories["toy/target-string-v0"]!(EnvironmentOptions(args: ["target": "abcd", "prompt": style]))
        }
        let echo = try make("echo"), layout = try make("layout")
        let start = try await echo.initialStates()[0]
        #expect(try await echo.evaluate(completion: " a b x d\n", from: start).reward == 0.75)
        #expect(try await echo.evaluate(completion: "abxd", from: start).reward == 0.75)
        let child = try await echo.evaluate(completion: "a b c d", from: start)
        #expect(child.reward == 1 && child.child?.construction == "abcd")
        // "a b c d" is 7 characters matching only the first: 1/7 when taken literally.
        #expect(try await layout.evaluate(completion: "a b c d", from: start).reward == 1.0 / 7)
        #expect(TargetStringEnvironment.unspell("a bc d") == "a bc d")
        #expect(TargetStringEnvironment.unspell("ab") == "ab")
        #expect(TargetStringEnvironment.unspell(TargetStringEnvironment.spell("x#y?")) == "x#y?")
        #expect(throws: EnvironmentOptionError.self) {
            try ToyEnvironments.factories["toy/target-string-v0"]!(EnvironmentOptions(args: ["target": "a b", "prompt": "echo"]))
        }
    }
}
