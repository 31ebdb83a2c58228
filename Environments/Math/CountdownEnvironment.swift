import EnvironmentKit

/// `math/countdown-v0`: reach a target with the given numbers (each at most once) and `+ − × ÷`.
///
/// Reward (`CountdownEnvironment.reward`): 1 for an exact hit; otherwise
/// `0.9 · max(0, 1 − |value − target| / max(|target|, 1))`, so a near miss earns up to 0.9, an answer off by
/// the target's size or more earns 0, and nothing but an exact hit reaches 1. An expression that uses a
/// number not given, uses one more often than given, divides by zero, or does not parse is `invalid`
/// (reward 0, no child state). The value is computed exactly; a result the completion claims is ignored.
///
/// Task file: JSONL `{"numbers": [..], "target": N}` with optional `"id"` and `"solution"` (a reference
/// expression used by the self-check). Options: `index`, `task_id`, `numbers=3,7,25`, `target=N`, `solution`.
public struct CountdownEnvironment: Environment {
    public static let id = "math/countdown-v0"
    static let maxNumbers = 12

    public let spec: EnvironmentSpec
    public let numbers: [Int]
    public let target: Int
    let solution: String?

    public init(numbers: [Int], target: Int, solution: String? = nil) throws {
        guard !numbers.isEmpty, numbers.count <= CountdownEnvironment.maxNumbers else {
            throw MathEnvironmentError("countdown needs 1...\(CountdownEnvironment.maxNumbers) numbers, got \(numbers.count)")
        }
        guard numbers.allSatisfy({ $0 >= 0 && $0 <= 1_000_000 }), target >= -1_000_000_000, target <= 1_000_000_000 else {
            throw MathEnvironmentError("countdown numbers must be in 0...1000000 and the target within ±1e9")
        }
        self.spec = EnvironmentSpec(id: CountdownEnvironment.id,
                                    summary: "countdown arithmetic: combine the numbers to hit the target "
                                        + "(1 for exact, partial for close)",
                                    higherIsBetter: true, deterministic: true, target: 1)
        self.numbers = numbers
        self.target = target
        self.solution = solution
    }

    public init(options: EnvironmentOptions) throws {
        let task = try MathTask(options: options, environment: CountdownEnvironment.id)
        guard let numbers = try task.intList("numbers") else { throw task.missing("numbers") }
        guard let target = try task.int("target") else { throw task.missing("target") }
        do {
            try self.init(numbers: numbers, target: target, solution: try task.text("solution"))
        } catch let e as MathEnvironmentError {
            throw MathEnvironmentError("\(task.origin): \(e.message)")
        }
    }

    public var problem: String {
        "Using the numbers \(numbers.map(String.init).joined(separator: ", ")) (each at most once; you need not use all) "
            + "and the operations +, -, *, / with parentheses, write an expression equal to \(target)."
    }

    public func initialStates() async throws -> [EnvState] { [EnvState(construction: "")] }

    /// The spec's layout: problem; current expression; its value and the target; feedback; the instruction.
    public func prompt(for state: EnvState) -> String {
        statePrompt(problem: problem, state: state, solutionHeading: "Current expression",
                    instruction: "Give an expression that equals \(target), or comes closer than the current one, "
                        + "using only the given numbers and + - * / with parentheses, as \\boxed{...}.")
    }

    /// The closeness reward for an exact `value` (see the type's documentation).
    public static func reward(value: Double, target: Int) -> Double {
        let t = Double(target)
        if value == t { return 1 }
        return 0.9 * max(0, 1 - abs(value - t) / max(abs(t), 1))
    }

    /// Checks that `literals` draws from `numbers` without reuse; returns the first offending literal.
    static func overused(_ literals: [Int], from numbers: [Int]) -> Int? {
        var available: [Int: Int] = [:]
        for n in numbers { available[n, default: 0] += 1 }
        for l in literals {
            guard let k = available[l], k > 0 else { return l }
            available[l] = k - 1
        }
        return nil
    }

    public func evaluate(completion: String, from state: EnvState) async throws -> Evaluation {
        guard let text = CountdownExtractor.extract(from: completion) else {
            return invalid("No expression found: end with \\boxed{expression}.")
        }
        let expr: CountdownExpression
        do { expr = try CountdownExpression.parse(text) } catch let e as CountdownExpression.Invalid {
            return invalid("Invalid expression \(truncated(text, 200)): \(e.message).")
        }
        if let bad = CountdownEnvironment.overused(expr.literals, from: numbers) {
            let given = numbers.contains(bad) ? "is used more often than it is given" : "is not among the given numbers"
            return invalid("Invalid expression \(truncated(text, 200)): \(bad) \(given).")
        }
        let value = expr.value.doubleValue
        let hit = expr.value == Rational(target)
        let reward = hit ? 1 : CountdownEnvironment.reward(value: value, target: target)
        let shown = expr.value.isInteger ? "\(expr.value)" : "\(expr.value) (≈\(value))"
        let off = expr.value.subtracting(Rational(target)).map { $0.num < 0 ? ($0.negated() ?? $0) : $0 }
        let feedback = hit
            ? "Exact: \(truncated(text, 200)) = \(target)."
            : "\(truncated(text, 200)) = \(shown); the target is \(target), off by "
                + (off.map { "\($0)" } ?? "\(abs(value - Double(target)))") + "."
        let metrics: [String: Double] = ["distance": abs(value - Double(target)), "numbers_used": Double(expr.literals.count),
                                         "exact": hit ? 1 : 0]
        return Evaluation(reward: reward, status: .ok, metrics: metrics, feedback: feedback,
                          child: EnvState(construction: text, value: reward, feedback: feedback))
    }

    private func invalid(_ feedback: String) -> Evaluation {
        Evaluation(reward: 0, status: .invalid, metrics: [:], feedback: feedback)
    }

    public func references() -> [ReferenceCase] {
        var refs: [ReferenceCase] = []
        if let s = solution {
            refs.append(ReferenceCase(name: "reference solution", completion: "Try: \\boxed{\(s)}", expectedReward: 1...1))
        }
        let first = numbers[0]
        if first != target {
            let r = CountdownEnvironment.reward(value: Double(first), target: target)
            refs.append(ReferenceCase(name: "first number alone (partial credit)", completion: "\\boxed{\(first)}",
                                      expectedReward: r...r))
        }
        let missing = (numbers.max() ?? 0) + 1
        refs.append(ReferenceCase(name: "number not given", completion: "\\boxed{\(missing) + \(first)}",
                                  expectedReward: 0...0))
        if numbers.filter({ $0 == first }).count == 1 {
            refs.append(ReferenceCase(name: "number used twice", completion: "\\boxed{\(first) + \(first)}",
                                      expectedReward: 0...0))
        }
        return refs
    }

    public func shutdown() async {}
}
