// toy/target-string-v0: reward = fraction of positions where the candidate matches a hidden target string.
// Deterministic and instant: for plumbing tests, benchmarks and a first TTT-Discover run that a small model
// can make progress on by editing the current best string one letter at a time.
import EnvironmentKit
import Foundation

public struct TargetStringEnvironment: Environment {
    /// The default hidden target: 8 lowercase letters (easy to tokenise, 1/26 chance per position).
    public static let defaultTarget = "discover"

    public let target: String
    /// The construction of the initial state.
    public let initial: String
    /// Whether feedback shows which positions match (`#`) and which do not (`.`).
    public let showMask: Bool
    /// How prompts are written.
    public let promptStyle: PromptStyle

    /// `layout`: the spec's sectioned prompt (problem, current solution, score, feedback, task).
    /// `echo`: the same facts in three short lines ending in the edit form of the built-in corpus's echo
    /// documents (`Change one or two letters of the target string.` / `Target: d i s c o v e r` / `Reply:`), so a
    /// small model trained on that corpus answers with a small variation of the current string (and a prompt
    /// costs ~5× fewer tokens). Strings are spelled letter by letter with single spaces, as in the corpus: each
    /// letter is then one token, so the model copies and edits position by position and the policy gradient
    /// credits each position's letter on its own. A reply spelled that way is read without its spaces.
    public enum PromptStyle: String, Sendable, CaseIterable {
        case layout, echo
    }

    public init(target: String = TargetStringEnvironment.defaultTarget, initial: String? = nil, showMask: Bool = true,
                promptStyle: PromptStyle = .layout) {
        self.target = target
        self.initial = initial ?? String(repeating: "a", count: target.count)
        self.showMask = showMask
        self.promptStyle = promptStyle
    }

    public var spec: EnvironmentSpec {
        EnvironmentSpec(id: "toy/target-string-v0", summary: "guess a hidden string; reward = fraction of matching positions",
                        higherIsBetter: true, deterministic: true, target: 1)
    }

    public var problem: String {
        "Find the hidden string of \(target.count) characters. A guess scores the fraction of positions where it "
            + "matches the hidden string (a guess of another length scores against the longer of the two)."
    }

    public func initialStates() async throws -> [EnvState] {
        let (reward, hits) = Self.score(initial, against: target)
        return [EnvState(construction: initial, value: reward, feedback: feedback(for: initial, hits: hits))]
    }

    /// The spec layout, with an instruction that asks for the string alone.
    public func prompt(for state: EnvState) -> String {
        if promptStyle == .echo {
            let value = state.value.map { String(format: "%.4f", $0) } ?? "not scored yet"
            let feedback = state.feedback.trimmingCharacters(in: .whitespacesAndNewlines)
            return "Find the hidden string of \(target.count) characters; change some letters to match more positions. "
                + "Score: \(value) (best 1).\(feedback.isEmpty ? "" : " " + feedback)\n"
                + "Change one or two letters of the target string.\nTarget: \(Self.spell(state.construction))\nReply:"
        }
        var layout = PromptLayout()
        layout.instruction = "Change some letters to match more positions. Reply with the new string only."
        return layout.render(problem: problem, state: state, spec: spec)
    }

    public func evaluate(completion: String, from state: EnvState) async throws -> Evaluation {
        let extracted = Self.extractGuess(completion)
        let guess = promptStyle == .echo ? Self.unspell(extracted) : extracted
        guard !guess.isEmpty else {
            return Evaluation(reward: 0, status: .invalid, feedback: "empty guess: reply with the string only")
        }
        guard guess.count <= 4 * max(target.count, 1) else {
            return Evaluation(reward: 0, status: .invalid,
                              feedback: "guess of \(guess.count) characters; the hidden string has \(target.count)")
        }
        let (reward, hits) = Self.score(guess, against: target)
        let text = feedback(for: guess, hits: hits)
        return Evaluation(reward: reward, status: .ok,
                          metrics: ["matches": Double(hits), "length": Double(guess.count)],
                          feedback: text, child: EnvState(construction: guess, value: reward, feedback: text))
    }

    public func references() -> [ReferenceCase] {
        // A filler character the target does not contain, so the second half cannot match by accident.
        let filler = "#~_*0".first { !target.contains($0) } ?? "\u{1}"
        let half = String(target.prefix(target.count / 2)) + String(repeating: filler, count: target.count - target.count / 2)
        let expectedHalf = Double(target.count / 2) / Double(max(target.count, 1))
        return [
            ReferenceCase(name: "exact", completion: target, expectedReward: 1...1),
            ReferenceCase(name: "first half", completion: half, expectedReward: expectedHalf...expectedHalf),
            ReferenceCase(name: "surrounded by whitespace and quotes", completion: "  \"\(target)\"\n", expectedReward: 1...1),
            ReferenceCase(name: "empty", completion: "   ", expectedReward: 0...0),
        ]
    }

    /// Matches over positions / the longer length (so padding or truncating never helps).
    public static func score(_ guess: String, against target: String) -> (reward: Double, hits: Int) {
        let hits = zip(guess, target).reduce(0) { $0 + ($1.0 == $1.1 ? 1 : 0) }
        let denominator = max(guess.count, target.count)
        return (denominator == 0 ? 1 : Double(hits) / Double(denominator), hits)
    }

    /// `"abc"` → `"a b c"`: the echo prompt's spelling.
    public static func spell(_ text: String) -> String {
        text.map(String.init).joined(separator: " ")
    }

    /// `"a b c"` → `"abc"` when the text is single non-space characters separated by single spaces; any other
    /// text is returned as it is.
    public static func unspell(_ text: String) -> String {
        let chars = Array(text)
        guard chars.count >= 3, chars.count % 2 == 1 else { return text }
        for (i, c) in chars.enumerated() where (i % 2 == 1) != (c == " ") { return text }
        return String(chars.enumerated().filter { $0.offset % 2 == 0 }.map(\.element))
    }

    /// The first non-empty line of the completion, trimmed of whitespace and of surrounding quotes/backticks.
    public static func extractGuess(_ completion: String) -> String {
        let line = completion.split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .first { !$0.isEmpty && !$0.hasPrefix("```") } ?? ""
        return line.trimmingCharacters(in: CharacterSet(charactersIn: "\"'`").union(.whitespaces))
    }

    private func feedback(for guess: String, hits: Int) -> String {
        var text = "\(hits) of \(target.count) positions match."
        if showMask {
            let mask = String(zip(guess, target).map { $0 == $1 ? "#" : "." })
                + String(repeating: ".", count: max(0, max(guess.count, target.count) - min(guess.count, target.count)))
            text += " Mask (# = match): \(mask)"
        }
        return text
    }
}
