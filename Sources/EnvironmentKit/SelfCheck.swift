// The generic self-check behind `discover envs check`, after Gymnasium's env checker: the environment
// describes itself sensibly, its references score inside their expected ranges, evaluating again gives the
// same result (unless it declares itself nondeterministic), and concurrent evaluation agrees with
// sequential evaluation.

/// One line of a self-check.
public struct SelfCheckItem: Sendable, Hashable {
    public var name: String
    public var passed: Bool
    public var detail: String
}

/// The outcome of a self-check.
public struct SelfCheckReport: Sendable {
    public var environmentID: String
    public var items: [SelfCheckItem]
    public var passed: Bool { !items.isEmpty && items.allSatisfy(\.passed) }
}

public enum EnvironmentSelfCheck {
    /// Runs every check; never throws (a thrown error is a failed item).
    /// - Parameter repeats: evaluations per reference (≥ 2 to test repeatability).
    public static func run(_ env: any Environment, repeats: Int = 2) async -> SelfCheckReport {
        var items: [SelfCheckItem] = []
        func add(_ name: String, _ passed: Bool, _ detail: String) {
            items.append(SelfCheckItem(name: name, passed: passed, detail: detail))
        }
        let spec = env.spec
        let parsed = try? EnvironmentID(parsing: spec.id)
        add("id", parsed?.version != nil, parsed?.version != nil ? spec.id : "'\(spec.id)' is not [namespace/]name-vN")
        add("problem", !env.problem.isEmpty, "\(env.problem.count) characters")

        var firstState: EnvState? = nil
        do {
            let states = try await env.initialStates()
            firstState = states.first
            add("initial states", !states.isEmpty, "\(states.count) state(s)")
        } catch {
            add("initial states", false, "threw: \(error)")
        }
        if let state = firstState {
            let prompt = env.prompt(for: state)
            add("prompt", !prompt.isEmpty, "\(prompt.count) characters for the first initial state")
        }

        let references = env.references()
        add("references", !references.isEmpty, "\(references.count) reference case(s)")
        var sequential: [Evaluation?] = []
        for ref in references {
            guard let state = ref.state ?? firstState else {
                add("reference '\(ref.name)'", false, "no state to evaluate from"); sequential.append(nil); continue
            }
            var results: [Evaluation] = []
            do {
                for _ in 0 ..< max(1, repeats) { results.append(try await env.evaluate(completion: ref.completion, from: state)) }
            } catch {
                add("reference '\(ref.name)'", false, "evaluate threw: \(error)"); sequential.append(nil); continue
            }
            let first = results[0]
            sequential.append(first)
            let rewardOK = first.reward.map { $0.isFinite && ref.expectedReward.contains($0) } ?? false
            add("reference '\(ref.name)'", rewardOK,
                "reward \(first.reward.map(formatScore) ?? "none") (\(first.status.rawValue)), expected "
                + "\(formatScore(ref.expectedReward.lowerBound))...\(formatScore(ref.expectedReward.upperBound))")
            if spec.deterministic && results.count > 1 {
                let same = results.dropFirst().allSatisfy { $0 == first }
                add("repeatable '\(ref.name)'", same, same ? "\(results.count) evaluations agree"
                    : "evaluations differ: " + results.map { "\($0.reward.map(formatScore) ?? "none")/\($0.status.rawValue)" }.joined(separator: ", "))
            }
        }

        // Concurrent evaluation must agree with sequential evaluation (environments are shared values).
        if spec.deterministic, let firstState, references.count > 0 {
            let concurrent: [Evaluation?] = await withTaskGroup(of: IndexedEvaluation.self) { group in
                for (i, ref) in references.enumerated() {
                    group.addTask {
                        IndexedEvaluation(index: i, evaluation: try? await env.evaluate(completion: ref.completion,
                                                                                         from: ref.state ?? firstState))
                    }
                }
                var out = [Evaluation?](repeating: nil, count: references.count)
                for await done in group { out[done.index] = done.evaluation }
                return out
            }
            let agree = zip(sequential, concurrent).allSatisfy { $0 == nil || $0 == $1 }
            add("concurrent", agree, agree ? "concurrent evaluations agree with sequential ones"
                : "concurrent evaluations differ from sequential ones")
        }
        return SelfCheckReport(environmentID: spec.id, items: items)
    }
}

/// A named struct, not a tuple: tuple results of task groups were seen garbled under Swift 6.3.1 -O.
private struct IndexedEvaluation: Sendable {
    var index: Int
    var evaluation: Evaluation?
}
