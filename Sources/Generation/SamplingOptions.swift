// How to pick the next token. Temperature 0 is greedy; top-k and top-p filter before sampling.

public struct SamplingOptions: Sendable, Equatable {
    /// 0 = greedy (argmax); otherwise logits are divided by the temperature.
    public var temperature: Float
    /// Keep only the k most likely tokens (0 = no limit).
    public var topK: Int
    /// Keep the smallest set of most likely tokens whose probability reaches `topP` (1 = no limit).
    public var topP: Float
    /// New tokens per row at most.
    public var maxNewTokens: Int
    /// Generation of a row stops after it samples this id (the id is part of its output); nil never stops early.
    public var eosID: Int32?
    /// Ids that are never sampled. PAD (0) is always banned, whatever this holds.
    public var bannedIDs: Set<Int32>
    /// Seed of the per-row random streams: row r's draws depend only on (seed, r), never on other rows.
    public var seed: UInt64

    public static let padID: Int32 = 0

    public init(temperature: Float = 1, topK: Int = 0, topP: Float = 1, maxNewTokens: Int = 64, eosID: Int32? = 3,
                bannedIDs: Set<Int32> = [], seed: UInt64 = 0) {
        self.temperature = temperature
        self.topK = topK
        self.topP = topP
        self.maxNewTokens = maxNewTokens
        self.eosID = eosID
        self.bannedIDs = bannedIDs
        self.seed = seed
    }

    /// Checks ranges; the message names the option.
    public func validate() throws {
        guard temperature >= 0, temperature.isFinite else { throw GenerationError.badOption("temperature must be ≥ 0") }
        guard topK >= 0 else { throw GenerationError.badOption("top-k must be ≥ 0") }
        guard topP > 0, topP <= 1 else { throw GenerationError.badOption("top-p must be in (0, 1]") }
        guard maxNewTokens >= 1 else { throw GenerationError.badOption("max-new-tokens must be ≥ 1") }
    }
}

public enum GenerationError: Error, CustomStringConvertible, Equatable {
    case badOption(String)
    case badInput(String)

    public var description: String {
        switch self {
        case .badOption(let m), .badInput(let m): return m
        }
    }
}
