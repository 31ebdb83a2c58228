import Randomness

/// Deterministic random windows into a token stream of `count` tokens. Each offset `o` names the window
/// `o ..< o + seqLen + 1`: inputs are its first `seqLen` tokens, targets the last `seqLen` (shifted by one).
/// Offsets are uniform over every valid start, drawn from SplitMix64.
///
/// Exact resume: save `state` with a checkpoint and assign it back; the sampler then continues with the
/// same offsets it would have produced without the interruption.
public struct BatchSampler: Sendable {
    public let count: Int
    public let seqLen: Int
    /// The generator state (the seed before the first draw). Assign a saved value to resume.
    public var state: UInt64 {
        get { rng.state }
        set { rng.state = newValue }
    }

    private var rng: SplitMix64

    /// Requires `count > seqLen` (one window of seqLen + 1 tokens); check first with `validate` for a friendly error.
    public init(count: Int, seqLen: Int, seed: UInt64) {
        precondition(seqLen > 0 && count > seqLen, "a batch sampler needs more than seqLen=\(seqLen) tokens, got \(count)")
        self.count = count
        self.seqLen = seqLen
        rng = SplitMix64(seed: seed)
    }

    /// Throws unless a shard of `count` tokens holds at least one window of `seqLen + 1` tokens.
    public static func validate(count: Int, seqLen: Int, file: String) throws {
        guard seqLen > 0 else { throw ShardError(file: file, message: "sequence length must be positive, got \(seqLen)") }
        guard count > seqLen else {
            throw ShardError(file: file, message: "\(count) tokens is too few for one sequence of \(seqLen) tokens plus its target (need at least \(seqLen + 1))")
        }
    }

    /// `batch` window offsets, each in 0 ... count − seqLen − 1.
    public mutating func nextOffsets(batch: Int) -> [Int] {
        let starts = UInt64(count - seqLen)
        return (0..<batch).map { _ in Int(rng.next(below: starts)) }
    }

    /// Fills `inputs` and `targets` (each [batch, seqLen] row-major) with windows from `shard`;
    /// returns the offsets used.
    @discardableResult
    public mutating func nextBatch(from shard: ShardReader, batch: Int,
                                   inputs: UnsafeMutablePointer<Int32>, targets: UnsafeMutablePointer<Int32>) -> [Int] {
        precondition(shard.count == count, "sampler built for \(count) tokens, shard \(shard.path) has \(shard.count)")
        let offsets = nextOffsets(batch: batch)
        for (b, offset) in offsets.enumerated() {
            shard.copy(from: offset, count: seqLen, into: inputs + b * seqLen)
            shard.copy(from: offset + 1, count: seqLen, into: targets + b * seqLen)
        }
        return offsets
    }
}
