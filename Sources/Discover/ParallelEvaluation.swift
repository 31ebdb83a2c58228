import Foundation
import EnvironmentKit

/// Evaluates completions concurrently (a task group with at most `parallelism` evaluations in flight).
/// A thrown error is an infrastructure failure: it becomes an `infra-error` evaluation, never trained on.
public enum ParallelEvaluation {
    public struct Job: Sendable {
        public var completion: String
        public var state: EnvState
        public init(completion: String, state: EnvState) {
            self.completion = completion
            self.state = state
        }
    }

    /// A struct rather than a tuple: a task group of `(Int, Evaluation)` returned a garbage index under
    /// Swift 6.3.1 with -O (reproduced in this repository), a named struct does not.
    struct Indexed: Sendable {
        var index: Int
        var evaluation: Evaluation
    }

    /// Results in job order.
    public static func run(_ jobs: [Job], environment: any Environment, parallelism: Int) async -> [Evaluation] {
        await withTaskGroup(of: Indexed.self, returning: [Evaluation].self) { group in
            var results = [Evaluation?](repeating: nil, count: jobs.count)
            var next = 0
            var inFlight = 0
            while next < jobs.count || inFlight > 0 {
                while next < jobs.count && inFlight < max(parallelism, 1) {
                    let index = next
                    let job = jobs[index]
                    group.addTask {
                        do {
                            let e = try await environment.evaluate(completion: job.completion, from: job.state)
                            return Indexed(index: index, evaluation: e)
                        } catch {
                            return Indexed(index: index, evaluation: Evaluation(reward: nil, status: .infraError, feedback: "\(error)"))
                        }
                    }
                    next += 1
                    inFlight += 1
                }
                guard let done = await group.next() else { break }
                inFlight -= 1
                results[done.index] = done.evaluation
            }
            return results.map { $0! }
        }
    }
}
