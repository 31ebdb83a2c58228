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

    /// Results in job order.
    public static func run(_ jobs: [Job], environment: any Environment, parallelism: Int) async -> [Evaluation] {
        var results = [Evaluation?](repeating: nil, count: jobs.count)
        await withTaskGroup(of: (Int, Evaluation).self) { group in
            var next = 0
            func launch() {
                let i = next
                let job = jobs[i]
                next += 1
                group.addTask {
                    do {
                        return (i, try await environment.evaluate(completion: job.completion, from: job.state))
                    } catch {
                        return (i, Evaluation(reward: nil, status: .infraError, feedback: "\(error)"))
                    }
                }
            }
            while next < jobs.count && next < max(parallelism, 1) { launch() }
            while let (i, evaluation) = await group.next() {
                results[i] = evaluation
                if next < jobs.count { launch() }
            }
        }
        return results.map { $0! }
    }
}
