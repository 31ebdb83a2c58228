import Foundation
import Randomness

/// A tabular policy: an independent categorical over an alphabet at each of `length` positions,
/// `π(a_t) = softmax(W[t] / temperature)[a_t]`, ignoring the prompt. It has no model behind it; it exists
/// so that the loop, the objectives and the benchmark runner can be exercised and tested end to end
/// (`discover bench` with `"policy": {"kind": "table"}`), and it trains through the same
/// `PolicyGradientLoss` head as the model-backed policy, with Adam (β 0.9/0.95, ε 1e-8).
public final class CharacterTablePolicy: Policy {
    public let alphabet: [Character]
    public let length: Int
    /// W: [length, V] current logits; base: the frozen starting logits.
    public private(set) var weights: [Float]
    public let base: [Float]
    private var m: [Float]
    private var v: [Float]
    private var adamStep = 0
    public var vocab: Int { alphabet.count }

    /// Starts from uniform logits (all zero).
    public init(alphabet: [Character], length: Int) {
        precondition(!alphabet.isEmpty && length > 0)
        self.alphabet = alphabet
        self.length = length
        weights = [Float](repeating: 0, count: length * alphabet.count)
        base = weights
        m = weights
        v = weights
    }

    public var checkpointExtension: String { "json" }

    /// log-softmax of row t of `table` at the given temperature: [V].
    func logSoftmax(_ table: [Float], row t: Int, temperature: Double = 1) -> [Double] {
        let row = (0..<vocab).map { Double(table[t * vocab + $0]) / temperature }
        let top = row.max()!
        let logZ = top + log(row.reduce(0) { $0 + exp($1 - top) })
        return row.map { $0 - logZ }
    }

    public func sample(prompts: [String], count: Int, options: RolloutOptions, seed: UInt64) async throws
        -> [[SampledCompletion]] {
        var rng = SplitMix64(seed: seed)
        let n = min(length, options.maxNewTokens)
        let dists = (0..<n).map { logSoftmax(weights, row: $0, temperature: options.temperature) }
        return prompts.map { _ in
            (0..<count).map { _ in
                var tokens: [Int32] = []
                var logps: [Float] = []
                for t in 0..<n {
                    let u = rng.nextUnit()
                    var acc = 0.0
                    var pick = vocab - 1
                    for j in 0..<vocab {
                        acc += exp(dists[t][j])
                        if u < acc { pick = j; break }
                    }
                    tokens.append(Int32(pick))
                    logps.append(Float(dists[t][pick]))
                }
                return SampledCompletion(text: String(tokens.map { alphabet[Int($0)] }), promptTokens: [],
                                         tokens: tokens, samplerLogProbs: logps)
            }
        }
    }

    func logProbs(_ table: [Float], _ completions: [SampledCompletion]) -> [[Float]] {
        let dists = (0..<length).map { logSoftmax(table, row: $0) }
        return completions.map { c in c.tokens.enumerated().map { Float(dists[$0.offset][Int($0.element)]) } }
    }

    public func baseLogProbs(_ completions: [SampledCompletion]) async throws -> [[Float]] {
        logProbs(base, completions)
    }

    public func currentLogProbs(_ completions: [SampledCompletion]) async throws -> [[Float]] {
        logProbs(weights, completions)
    }

    public func step(_ batch: [PolicyExample], learningRate: Double) async throws -> PolicyStepStats {
        // Gather one logits row per completion token: [N, V].
        var logits: [Float] = []
        var targets: [Int32] = [], advantages: [Float] = [], samplerLogProbs: [Float] = [], positions: [Int] = []
        for ex in batch {
            for (t, a) in ex.completion.tokens.enumerated() {
                logits.append(contentsOf: weights[(t * vocab)..<((t + 1) * vocab)])
                targets.append(a)
                advantages.append(ex.advantages[t])
                samplerLogProbs.append(ex.completion.samplerLogProbs[t])
                positions.append(t)
            }
        }
        let n = targets.count
        guard n > 0 else { return PolicyStepStats(loss: 0, meanRatio: 1, gradNorm: 0, tokens: 0) }
        var dLogits = [Float](repeating: 0, count: n * vocab)
        let result = logits.withUnsafeBufferPointer { l in
            dLogits.withUnsafeMutableBufferPointer { d in
                PolicyGradientLoss.compute(logits: l.baseAddress!, rows: n, vocab: vocab, targets: targets,
                                           advantages: advantages, samplerLogProbs: samplerLogProbs,
                                           tokenCount: n, dLogits: d.baseAddress!)
            }
        }
        // Scatter the row gradients back onto the table: [length, V].
        var grad = [Float](repeating: 0, count: weights.count)
        for (r, t) in positions.enumerated() {
            for j in 0..<vocab { grad[t * vocab + j] += dLogits[r * vocab + j] }
        }
        let gradNorm = grad.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
        adamStep += 1
        let (b1, b2, eps): (Float, Float, Float) = (0.9, 0.95, 1e-8)
        let c1 = 1 - pow(b1, Float(adamStep)), c2 = 1 - pow(b2, Float(adamStep))
        let lr = Float(learningRate)
        for i in 0..<weights.count {
            m[i] = b1 * m[i] + (1 - b1) * grad[i]
            v[i] = b2 * v[i] + (1 - b2) * grad[i] * grad[i]
            weights[i] -= lr * (m[i] / c1) / ((v[i] / c2).squareRoot() + eps)
        }
        return PolicyStepStats(loss: result.loss, meanRatio: result.meanRatio, gradNorm: gradNorm, tokens: n)
    }

    struct Saved: Codable {
        var alphabet: String
        var length: Int
        var weights: [Float]
        var m: [Float]
        var v: [Float]
        var adamStep: Int
        enum CodingKeys: String, CodingKey { case alphabet, length, weights, m, v, adamStep = "adam_step" }
    }

    public func save(to path: String) throws {
        let saved = Saved(alphabet: String(alphabet), length: length, weights: weights, m: m, v: v, adamStep: adamStep)
        try AtomicFile.write(try JSONText.encode(saved), to: path)
    }

    public func load(from path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DiscoverError("\(path): cannot read policy checkpoint")
        }
        let saved = try JSONText.decode(Saved.self, from: String(decoding: data, as: UTF8.self), source: path)
        guard saved.alphabet == String(alphabet), saved.length == length, saved.weights.count == weights.count,
              saved.m.count == weights.count, saved.v.count == weights.count else {
            throw DiscoverError("\(path): checkpoint is for a different table (alphabet/length/shape)")
        }
        weights = saved.weights
        m = saved.m
        v = saved.v
        adamStep = saved.adamStep
    }

    /// The most likely string (argmax per position).
    public var mode: String {
        String((0..<length).map { t in
            let row = weights[(t * vocab)..<((t + 1) * vocab)]
            return alphabet[row.indices.max { row[$0] < row[$1] }! - t * vocab]
        })
    }
}
