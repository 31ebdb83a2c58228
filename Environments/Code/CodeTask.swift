// The task kinds of code/python-v0, as loaded from task files (formats in docs/env-code.md).
import JSONLines

/// A trusted Python file shipped with a task (scorer, driver or a module they import).
public struct TaskModule: Sendable, Hashable {
    /// File name inside the sandbox work directory (no directories).
    public var name: String
    public var bytes: [UInt8]

    public init(name: String, bytes: [UInt8]) {
        self.name = name
        self.bytes = bytes
    }
}

/// Time and memory granted to one sandboxed step.
public struct CodeLimits: Sendable, Hashable {
    /// Wall-clock limit of the whole sandboxed run (harness + candidate).
    public var wallSeconds: Double = 10
    public var cpuSeconds: Int = 10
    public var memoryBytes: Int = 1 << 30
    /// Wall-clock limit of one call into the candidate (loading it may take until the harness deadline).
    public var callTimeoutSeconds: Double = 5

    public init() {}
}

/// A completion with a known reward, listed in a task file for the self-check.
public struct TaskReference: Sendable, Hashable {
    public var name: String
    public var completion: String
    public var reward: ClosedRange<Double>
    /// The state's construction JSON to evaluate from; nil means the first initial state.
    public var state: String?

    public init(name: String, completion: String, reward: ClosedRange<Double>, state: String? = nil) {
        self.name = name
        self.completion = completion
        self.reward = reward
        self.state = state
    }
}

/// One HumanEval-format record: `prompt` + `canonical_solution` is a reference program and
/// `test` defines `check(candidate)`.
public struct FunctionTask: Sendable, Hashable {
    public var taskID: String
    public var prompt: String
    public var canonicalSolution: String
    public var test: String
    public var entryPoint: String
    /// Deliberately wrong completions and the exact reward each must get (self-check).
    public var brokenSolutions: [TaskReference]

    public init(taskID: String, prompt: String, canonicalSolution: String, test: String, entryPoint: String,
                brokenSolutions: [TaskReference] = []) {
        self.taskID = taskID
        self.prompt = prompt
        self.canonicalSolution = canonicalSolution
        self.test = test
        self.entryPoint = entryPoint
        self.brokenSolutions = brokenSolutions
    }
}

/// A starting point of an optimisation task: a program and/or the construction it produced.
public struct InitialCodeState: Sendable, Hashable {
    public var code: String
    public var construction: JSONValue

    public init(code: String, construction: JSONValue = .null) {
        self.code = code
        self.construction = construction
    }
}

/// An optimisation task: the candidate produces a construction (via `run(current)` or a task driver)
/// and a trusted scorer recomputes its value in a separate sandboxed step.
public struct OptimizeTask: Sendable, Hashable {
    public var taskID: String
    public var problem: String
    /// The function the default driver calls: `run(current)` (or `run()`).
    public var entryPoint: String
    public var scorer: TaskModule
    /// A trusted driver module (`drive(call, current, params)`) replacing the single `run` call.
    public var driver: TaskModule?
    /// Further trusted modules the scorer or driver import.
    public var support: [TaskModule]
    /// Passed to the driver and the scorer as `params`.
    public var params: JSONValue
    public var target: Double?
    /// Whether prompts show the state's construction (off when it is bulky and useless to read, as the
    /// bin-packing assignments are).
    public var showConstruction: Bool
    public var maxConstructionBytes: Int
    public var limits: CodeLimits
    public var scoreLimits: CodeLimits
    public var initialStates: [InitialCodeState]
    public var references: [TaskReference]
}

/// What a task file holds.
public enum CodeTaskSet: Sendable {
    case functions([FunctionTask])
    case optimize(OptimizeTask)
}
