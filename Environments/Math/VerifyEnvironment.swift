import EnvironmentKit

/// `math/verify-v0`: one problem with a gold final answer. Reward 1 when the answer extracted from the
/// completion (`AnswerExtractor`) is equivalent to the gold one (`MathVerifier`), else 0. A completion with
/// no extractable answer is `invalid` (reward 0, no child state). Feedback never reveals the gold answer.
///
/// Task file: JSONL, one `{"problem": …, "answer": …}` per line, optional `"id"` and `"tolerance"`
/// (relative, default 0). Options: `index`, `task_id` (see `MathTask`), `problem`, `answer`, `tolerance`.
public struct VerifyEnvironment: Environment {
    public static let id = "math/verify-v0"

    public let spec: EnvironmentSpec
    public let problem: String
    let gold: String
    let verifier: MathVerifier

    public init(problem: String, answer: String, tolerance: Double = 0) {
        self.spec = EnvironmentSpec(id: VerifyEnvironment.id,
                                    summary: "final-answer math: reward 1 when the \\boxed answer is equivalent to the gold answer",
                                    higherIsBetter: true, deterministic: true, target: 1)
        self.problem = problem
        self.gold = answer
        self.verifier = MathVerifier(options: .init(tolerance: tolerance))
    }

    public init(options: EnvironmentOptions) throws {
        let task = try MathTask(options: options, environment: VerifyEnvironment.id)
        let problem = try task.requiredText("problem"), answer = try task.requiredText("answer")
        let tolerance = try task.double("tolerance") ?? 0
        guard tolerance >= 0 && tolerance < 1 else {
            throw MathEnvironmentError("\(task.origin): field 'tolerance' must be in [0, 1), got \(tolerance)")
        }
        self.init(problem: problem, answer: answer, tolerance: tolerance)
        if let why = verifier.unreadableReason(answer) {
            throw MathEnvironmentError("\(task.origin): field 'answer' (\(truncated(answer, 80))) cannot be read: \(why)")
        }
    }

    public func initialStates() async throws -> [EnvState] { [EnvState(construction: "")] }

    /// The spec's layout: problem; current answer; its value and the target; feedback; the instruction.
    public func prompt(for state: EnvState) -> String {
        statePrompt(problem: problem, state: state, solutionHeading: "Current answer",
                    instruction: "Solve the problem step by step, then give the final answer as \\boxed{...}.")
    }

    public func evaluate(completion: String, from state: EnvState) async throws -> Evaluation {
        guard let (answer, method) = AnswerExtractor.extract(from: completion) else {
            return Evaluation(reward: 0, status: .invalid, metrics: ["extracted": 0],
                              feedback: "No final answer found: end with \\boxed{your answer}.")
        }
        let verdict = verifier.compare(gold: gold, predicted: answer)
        let reward: Double = verdict.equivalent ? 1 : 0
        let feedback = verdict.equivalent
            ? "Correct."
            : "Incorrect: the final answer \(truncated(answer, 200)) is not the expected answer."
        let metrics: [String: Double] = ["extracted": 1, "boxed": method == .boxed ? 1 : 0,
                                         "answer_chars": Double(answer.count)]
        return Evaluation(reward: reward, status: .ok, metrics: metrics, feedback: feedback,
                          child: EnvState(construction: answer, value: reward, feedback: feedback))
    }

    public func references() -> [ReferenceCase] {
        [
            ReferenceCase(name: "gold answer boxed", completion: "Working omitted. The result is \\boxed{\(gold)}.",
                          expectedReward: 1...1),
            ReferenceCase(name: "gold answer after 'the answer is'", completion: "So the answer is $\(gold)$",
                          expectedReward: 1...1),
            ReferenceCase(name: "wrong answer boxed", completion: "I am not sure. \\boxed{\\text{no idea at all}}",
                          expectedReward: 0...0),
            ReferenceCase(name: "no answer", completion: "I cannot solve this.", expectedReward: 0...0),
        ]
    }

    public func shutdown() async {}
}
