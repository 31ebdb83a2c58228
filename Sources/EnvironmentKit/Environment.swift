// The contract between the harness and a reward environment (../shared/spec/environments.md).
//
// An environment turns (problem, state, completion) into an `Evaluation`. It also provides the problem
// statement, the initial states, the prompt for a state, whether higher is better, and reference
// completions for its self-check. Environments are values shared across tasks: they must be `Sendable`
// and `evaluate` must be safe to call concurrently.
//
// Defaults (PromptLayout.swift): `prompt(for:)` renders the spec's layout; `shutdown()` does nothing.
// Around the protocol: EnvironmentRegistry (ids), EnvironmentConfig (task file + --env-arg),
// EvaluationCache/CachedEnvironment, EnvironmentSelfCheck, ExternalEnvironment (JSON lines).

/// What an environment says about itself.
public struct EnvironmentSpec: Sendable, Codable, Hashable {
    /// Full id, e.g. `toy/target-string-v0` (`[namespace/]name-vN`).
    public var id: String
    /// One-line description shown by `discover envs list`.
    public var summary: String
    /// Whether larger rewards are better (the harness always maximises `reward`; an environment whose
    /// natural objective is minimised reports a negated or transformed reward and says so here).
    public var higherIsBetter: Bool
    /// False when evaluating the same completion twice may legitimately give different results.
    public var deterministic: Bool
    /// A public reference value to beat, when one exists (e.g. best known circle packing).
    public var target: Double?

    public init(id: String, summary: String, higherIsBetter: Bool = true, deterministic: Bool = true,
                target: Double? = nil) {
        self.id = id
        self.summary = summary
        self.higherIsBetter = higherIsBetter
        self.deterministic = deterministic
        self.target = target
    }
}

/// A candidate solution the search can continue from.
public struct EnvState: Sendable, Codable, Hashable {
    /// What the environment needs to continue from this state: code, or a JSON construction.
    public var construction: String
    /// The state's value (its reward when it was produced); nil for an initial state with no score.
    public var value: Double?
    /// The environment's feedback from the evaluation that produced this state (may be empty).
    public var feedback: String

    public init(construction: String, value: Double? = nil, feedback: String = "") {
        self.construction = construction
        self.value = value
        self.feedback = feedback
    }
}

/// How an evaluation ended. Infrastructure errors are never trained on.
public enum EvaluationStatus: String, Sendable, Codable, CaseIterable {
    case ok
    case invalid
    case timeout
    case crash
    case resourceLimit = "resource-limit"
    case infraError = "infra-error"
}

/// The result of evaluating one completion from one state.
public struct Evaluation: Sendable, Codable, Hashable {
    /// The reward, or nil when not applicable (e.g. infrastructure error).
    public var reward: Double?
    public var status: EvaluationStatus
    /// Logged, never rewarded.
    public var metrics: [String: Double]
    /// Text for the next prompt: score, the (truncated) error, or which checks failed.
    public var feedback: String
    /// The child state when the candidate is valid.
    public var child: EnvState?

    public init(reward: Double?, status: EvaluationStatus, metrics: [String: Double] = [:],
                feedback: String = "", child: EnvState? = nil) {
        self.reward = reward
        self.status = status
        self.metrics = metrics
        self.feedback = feedback
        self.child = child
    }
}

/// A completion with the reward it must receive, used by the self-check (`discover envs check`).
public struct ReferenceCase: Sendable {
    public var name: String
    /// The state to evaluate from; nil means the first initial state.
    public var state: EnvState?
    public var completion: String
    /// Accepted reward range (use `x...x` for an exact value).
    public var expectedReward: ClosedRange<Double>

    public init(name: String, state: EnvState? = nil, completion: String, expectedReward: ClosedRange<Double>) {
        self.name = name
        self.state = state
        self.completion = completion
        self.expectedReward = expectedReward
    }
}

/// A reward environment bound to one task.
public protocol Environment: Sendable {
    var spec: EnvironmentSpec { get }
    /// The problem statement, as shown at the top of every prompt.
    var problem: String { get }
    /// The states the search starts from (at least one).
    func initialStates() async throws -> [EnvState]
    /// The prompt the policy sees for a state. A default implementation follows the spec's layout.
    func prompt(for state: EnvState) -> String
    /// Evaluate one completion produced from `state`. Must not throw for bad candidates: those are
    /// `invalid`/`crash`/`timeout` evaluations. Throwing means an infrastructure failure.
    func evaluate(completion: String, from state: EnvState) async throws -> Evaluation
    /// Completions with known rewards, for the self-check.
    func references() -> [ReferenceCase]
    /// Release external resources (processes). Called once when the harness is done.
    func shutdown() async
}

/// Options for building an environment: a task file and `--env-arg key=value` pairs.
public struct EnvironmentOptions: Sendable, Hashable {
    /// Path of the task file (JSON or JSONL), if any.
    public var taskPath: String?
    /// `--env-arg key=value` pairs; these override the task file's fields of the same name.
    public var args: [String: String]

    public init(taskPath: String? = nil, args: [String: String] = [:]) {
        self.taskPath = taskPath
        self.args = args
    }
}

/// Builds an environment from options; registered under an id in the `EnvironmentRegistry`.
public typealias EnvironmentFactory = @Sendable (EnvironmentOptions) throws -> any Environment
