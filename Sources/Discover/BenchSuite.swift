import Foundation

/// A benchmark suite (`configs/bench/*.json`): environments × methods × seeds at one shared sample budget.
///
/// ```json
/// { "name": "toy", "seeds": [0, 1, 2, 3, 4],
///   "budget": { "steps": 20, "groups": 4, "group_size": 8, "max_new_tokens": 16 },
///   "policy": { "kind": "model", "ckpt": "runs/quickstart/sdft/latest.safetensors" },
///   "envs": [ { "id": "toy/target-string-v0", "task": "configs/tasks/toy/target.json",
///               "args": { "target": "discover" }, "thresholds": [0.5, 0.9] } ],
///   "methods": [ { "name": "ttt", "method": "ttt", "sampler": "puct", "objective": "entropic-adaptive",
///                  "lr": 0.0001, "kl_coef": 0.1, "lora_rank": 0 },
///                { "name": "best-of-n", "method": "best-of-n" } ] }
/// ```
/// The budget is suite-wide, so every method draws the same number of samples. `policy` is passed
/// untouched to whoever builds the policy (the CLI); unknown keys elsewhere are errors.
public struct BenchSuite: Sendable, Codable, Hashable {
    public var name: String
    public var description: String?
    public var seeds: [UInt64]
    public var budget: Budget
    public var policy: [String: SuiteValue]
    public var envs: [EnvEntry]
    public var methods: [MethodEntry]
    /// The method the others are compared against (default: the first best-of-n method).
    public var baseline: String?

    public struct Budget: Sendable, Codable, Hashable {
        public var steps: Int
        public var groups: Int
        public var groupSize: Int
        public var maxNewTokens: Int?
        public var temperature: Double?
        enum CodingKeys: String, CodingKey {
            case steps, groups, groupSize = "group_size", maxNewTokens = "max_new_tokens", temperature
        }
        public var samples: Int { steps * groups * groupSize }
    }

    public struct EnvEntry: Sendable, Codable, Hashable {
        public var id: String
        public var task: String?
        public var args: [String: String]?
        /// Rewards for which "samples to reach" is reported.
        public var thresholds: [Double]?
    }

    public struct MethodEntry: Sendable, Codable, Hashable {
        public var name: String
        public var method: DiscoverMethod
        public var sampler: String?
        public var objective: String?
        public var beta: Double?
        public var lr: Double?
        public var klCoef: Double?
        /// LoRA rank of the model policy (0 or absent: full fine-tuning) and its α (absent: 2·rank).
        public var loraRank: Int?
        public var loraAlpha: Double?
        enum CodingKeys: String, CodingKey {
            case name, method, sampler, objective, beta, lr, klCoef = "kl_coef", loraRank = "lora_rank", loraAlpha = "lora_alpha"
        }
    }

    static let topKeys: Set<String> = ["name", "description", "seeds", "budget", "policy", "envs", "methods", "baseline"]
    static let budgetKeys: Set<String> = ["steps", "groups", "group_size", "max_new_tokens", "temperature"]
    static let envKeys: Set<String> = ["id", "task", "args", "thresholds"]
    static let methodKeys: Set<String> = ["name", "method", "sampler", "objective", "beta", "lr", "kl_coef",
                                          "lora_rank", "lora_alpha"]

    public static func load(path: String) throws -> BenchSuite {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DiscoverError("\(path): cannot read suite file")
        }
        return try parse(String(decoding: data, as: UTF8.self), file: path)
    }

    /// Parses and validates a suite; errors name the file and the field (`envs[1].id`).
    public static func parse(_ text: String, file: String) throws -> BenchSuite {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(text.utf8))
        } catch {
            throw DiscoverError("\(file): invalid JSON: \((error as NSError).userInfo["NSDebugDescription"] ?? error)")
        }
        guard let top = object as? [String: Any] else { throw DiscoverError("\(file): expected a JSON object") }
        try checkKeys(top, Self.topKeys, at: "", file: file)
        if let b = top["budget"] as? [String: Any] { try checkKeys(b, Self.budgetKeys, at: "budget", file: file) }
        for (i, e) in (top["envs"] as? [Any] ?? []).enumerated() {
            if let e = e as? [String: Any] { try checkKeys(e, Self.envKeys, at: "envs[\(i)]", file: file) }
        }
        for (i, m) in (top["methods"] as? [Any] ?? []).enumerated() {
            if let m = m as? [String: Any] { try checkKeys(m, Self.methodKeys, at: "methods[\(i)]", file: file) }
        }
        let suite = try JSONText.decode(BenchSuite.self, from: text, source: file)
        try suite.validate(file: file)
        return suite
    }

    static func checkKeys(_ object: [String: Any], _ allowed: Set<String>, at path: String, file: String) throws {
        for key in object.keys.sorted() where !allowed.contains(key) {
            let field = path.isEmpty ? key : "\(path).\(key)"
            throw DiscoverError("\(file): field '\(field)': unknown key (expected one of \(allowed.sorted().joined(separator: ", ")))")
        }
    }

    func validate(file: String) throws {
        func fail(_ field: String, _ message: String) -> DiscoverError {
            DiscoverError("\(file): field '\(field)': \(message)")
        }
        if seeds.isEmpty { throw fail("seeds", "at least one seed is needed") }
        if Set(seeds).count != seeds.count { throw fail("seeds", "seeds repeat") }
        if budget.steps < 1 { throw fail("budget.steps", "must be at least 1") }
        if budget.groups < 1 { throw fail("budget.groups", "must be at least 1") }
        if budget.groupSize < 2 { throw fail("budget.group_size", "must be at least 2") }
        if envs.isEmpty { throw fail("envs", "at least one environment is needed") }
        if methods.isEmpty { throw fail("methods", "at least one method is needed") }
        for (i, e) in envs.enumerated() where e.id.isEmpty { throw fail("envs[\(i)].id", "empty id") }
        var names = Set<String>()
        for (i, m) in methods.enumerated() {
            if m.name.isEmpty || m.name.contains("/") { throw fail("methods[\(i)].name", "must be a non-empty name without '/'") }
            if !names.insert(m.name).inserted { throw fail("methods[\(i)].name", "'\(m.name)' is used twice") }
            do {
                _ = try config(for: m, seed: 0)
            } catch let error as DiscoverError {
                throw fail("methods[\(i)]", error.description)
            }
        }
        if let b = baseline, !names.contains(b) { throw fail("baseline", "no method named '\(b)'") }
    }

    /// The loop settings of one run: the suite's budget plus the method's overrides.
    public func config(for method: MethodEntry, seed: UInt64) throws -> TTTConfig {
        var c = TTTConfig()
        c.method = method.method
        c.steps = budget.steps
        c.groups = budget.groups
        c.groupSize = budget.groupSize
        if let n = budget.maxNewTokens { c.sampling.maxNewTokens = n }
        if let t = budget.temperature { c.sampling.temperature = t }
        if let s = method.sampler { c.sampler = try StateSampler(name: s) }
        if let o = method.objective { c.objective = try Objective(name: o, beta: method.beta ?? 1) }
        if let lr = method.lr { c.learningRate = lr }
        if let kl = method.klCoef { c.klCoefficient = kl }
        if let r = method.loraRank { c.loraRank = r }
        c.loraAlpha = method.loraAlpha
        c.seed = seed
        try c.validate()
        return c
    }

    /// The baseline method's name: `baseline`, else the first best-of-n method, else nil.
    public var baselineName: String? {
        baseline ?? methods.first { $0.method == .bestOfN }?.name
    }
}

/// A scalar in a suite's free-form `policy` object.
public enum SuiteValue: Sendable, Codable, Hashable, CustomStringConvertible {
    case string(String)
    case number(Double)
    case bool(Bool)

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let d = try? c.decode(Double.self) { self = .number(d) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else {
            throw DecodingError.typeMismatch(SuiteValue.self, .init(codingPath: decoder.codingPath,
                                                                    debugDescription: "expected a string, number or bool"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .string(let s): try c.encode(s)
        case .number(let d): try c.encode(d)
        case .bool(let b): try c.encode(b)
        }
    }

    public var description: String {
        switch self {
        case .string(let s): s
        case .number(let d): d == d.rounded() && abs(d) < 1e15 ? String(Int(d)) : String(d)
        case .bool(let b): String(b)
        }
    }
}
