/// One line of `metrics.jsonl`: what happened in one step.
public struct StepMetrics: Sendable, Codable, Hashable {
    public var step: Int
    public var method: String
    /// Samples drawn so far (all steps up to and including this one).
    public var samples: Int
    /// Archive ids the groups started from.
    public var startStates: [Int]
    /// Rewards per group (nil for infrastructure errors, which are never trained on).
    public var rewards: [[Double?]]
    public var meanReward: Double
    public var maxReward: Double?
    /// The best reward of a valid candidate seen so far (nil until one appears).
    public var bestSoFar: Double?
    /// β per group (nil when the group was dropped or the objective has no β).
    public var betas: [Double?]
    public var droppedGroups: Int
    /// Mean per-token Δ = log π_sampler − log π_base over the trained tokens (a KL estimate).
    public var kl: Double?
    public var loss: Double?
    public var meanRatio: Double?
    public var gradNorm: Double?
    /// max |log π_θ − log π_sampler| over the trained tokens before the update (only on check steps).
    public var samplerLogProbError: Double?
    public var completionTokens: Int
    public var tokensPerSecond: Double
    public var evaluationsPerSecond: Double
    /// Count per evaluation status.
    public var statuses: [String: Int]
    public var archiveSize: Int
    public var stepSeconds: Double
    /// Wall time since the run started (continued across resumes).
    public var elapsedSeconds: Double

    enum CodingKeys: String, CodingKey {
        case step, method, samples, startStates = "start_states", rewards, meanReward = "mean_reward"
        case maxReward = "max_reward", bestSoFar = "best_so_far", betas, droppedGroups = "dropped_groups"
        case kl, loss, meanRatio = "mean_ratio", gradNorm = "grad_norm", samplerLogProbError = "sampler_logprob_error"
        case completionTokens = "completion_tokens"
        case tokensPerSecond = "tokens_per_s", evaluationsPerSecond = "evaluations_per_s", statuses
        case archiveSize = "archive_size", stepSeconds = "step_s", elapsedSeconds = "elapsed_s"
    }

    /// The live progress line.
    public var progressLine: String {
        func f(_ x: Double?, _ digits: Int = 4) -> String {
            guard let x else { return "-" }
            return String(format: "%.\(digits)f", x)
        }
        let ok = statuses["ok"] ?? 0
        return "step \(step) | samples \(samples) | best \(f(bestSoFar)) | max \(f(maxReward)) | mean \(f(meanReward))"
            + " | ok \(ok)/\(rewards.reduce(0) { $0 + $1.count }) | kl \(f(kl)) | \(f(tokensPerSecond, 1)) tok/s"
            + " | \(f(evaluationsPerSecond, 1)) eval/s | \(f(stepSeconds, 2)) s"
    }
}

/// The best candidate found (`best.json`).
public struct BestCandidate: Sendable, Codable, Hashable {
    public var reward: Double
    public var step: Int
    /// Index of the sample in the whole run (0-based).
    public var sample: Int
    public var startState: Int
    public var completion: String
    /// The candidate the environment built (the child state's construction), if any.
    public var construction: String?
    public var feedback: String
    public var metrics: [String: Double]
    public var env: String

    enum CodingKeys: String, CodingKey {
        case reward, step, sample, startState = "start_state", completion, construction, feedback, metrics, env
    }

    /// The candidate's text as written to `best.txt`: the construction when there is one, else the completion.
    public var text: String { construction ?? completion }
}
