import Foundation
import Testing
@testable import Discover
import Randomness

@Suite struct TokenBatchTests {
    let v = 5
    let completions = [
        SampledCompletion(text: "a", promptTokens: [2, 4], tokens: [1, 3, 0], samplerLogProbs: [-1.0, -2.0, -1.5]),
        SampledCompletion(text: "b", promptTokens: [2], tokens: [4], samplerLogProbs: [-0.7]),
        SampledCompletion(text: "c", promptTokens: [2, 1, 1, 3], tokens: [2, 2], samplerLogProbs: [-1.1, -1.9]),
    ]

    @Test func packsPromptThenCompletionRightPadded() throws {
        let tb = try TokenBatch(completions, padID: 0)
        #expect(tb.seqLen == 6 && tb.batch == 3 && tb.tokenCount == 6)
        #expect(tb.tokens == [2, 4, 1, 3, 0, 0,
                              2, 4, 0, 0, 0, 0,
                              2, 1, 1, 3, 2, 2])
        #expect(tb.completionStart == [2, 1, 4])
        #expect(throws: DiscoverError.self) { try TokenBatch(completions, seqLen: 5) }
        let empty = SampledCompletion(text: "", promptTokens: [], tokens: [1], samplerLogProbs: [-1])
        #expect(throws: DiscoverError.self) { try TokenBatch([empty]) }
    }

    @Test func fullLogitsMatchTheGatheredLossHead() throws {
        let tb = try TokenBatch(completions, seqLen: 7)
        var rng = SplitMix64(seed: 3)
        let logits = (0..<(tb.batch * tb.seqLen * v)).map { _ in Float(rng.nextUnit() * 3 - 1.5) }
        let adv: [[Float]] = [[0.5, 0.5, 0.5], [-1], [2, 2]]
        let sampler = completions.map(\.samplerLogProbs)

        // Gather by hand: completion token k of row b is predicted at position start + k − 1.
        var gathered: [Float] = [], targets: [Int32] = [], flatAdv: [Float] = [], flatSampler: [Float] = []
        var positions: [Int] = []
        for b in 0..<tb.batch {
            for k in 0..<completions[b].tokens.count {
                let p = b * tb.seqLen + tb.completionStart[b] + k - 1
                positions.append(p)
                gathered += logits[(p * v)..<((p + 1) * v)]
                targets.append(completions[b].tokens[k])
                flatAdv.append(adv[b][k])
                flatSampler.append(sampler[b][k])
            }
        }
        var dGathered = [Float](repeating: 0, count: gathered.count)
        let reference = gathered.withUnsafeBufferPointer { g in
            dGathered.withUnsafeMutableBufferPointer { d in
                PolicyGradientLoss.compute(logits: g.baseAddress!, rows: 6, vocab: v, targets: targets, advantages: flatAdv,
                                           samplerLogProbs: flatSampler, tokenCount: 6, dLogits: d.baseAddress!)
            }
        }
        var dFull = [Float](repeating: 9, count: logits.count)   // stale values must be overwritten
        let full = logits.withUnsafeBufferPointer { l in
            dFull.withUnsafeMutableBufferPointer { d in
                tb.policyGradient(logits: l.baseAddress!, vocab: v, advantages: adv, samplerLogProbs: sampler,
                                  dLogits: d.baseAddress!)
            }
        }
        // Same arithmetic in a different summation order: 1e-9 on O(1) Doubles.
        #expect(abs(full.loss - reference.loss) < 1e-9 && abs(full.meanRatio - reference.meanRatio) < 1e-9)
        for p in 0..<(tb.batch * tb.seqLen) {
            for j in 0..<v {
                if let i = positions.firstIndex(of: p) {
                    #expect(dFull[p * v + j] == dGathered[i * v + j])
                } else {
                    #expect(dFull[p * v + j] == 0)
                }
            }
        }

        // logProbs agree with a naive log-softmax at the predicting positions (Float: 1e-5).
        let lp = logits.withUnsafeBufferPointer { tb.logProbs(logits: $0.baseAddress!, vocab: v) }
        var i = 0
        for b in 0..<tb.batch {
            for k in 0..<completions[b].tokens.count {
                let row = logits[(positions[i] * v)..<((positions[i] + 1) * v)].map(Double.init)
                let naive = row[Int(completions[b].tokens[k])] - log(row.reduce(0) { $0 + exp($1) })
                #expect(abs(Double(lp[b][k]) - naive) < 1e-5)
                i += 1
            }
        }
    }
}
