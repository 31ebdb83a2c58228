import Testing
import Model
import Tensor
@testable import Generation

private let prompts: [[Int32]] = [
    [2, 9, 4, 13, 5, 5, 18],   // longer than the others
    [2, 11],
    [2, 6, 15, 1],
    [2, 9, 4, 13, 5, 5, 18, 7, 7, 20],
]

@Test(arguments: [1, 4])
func promptAloneAndInsideABatchGiveIdenticalGreedyOutputAndLogprobs(streams: Int) throws {
    let model = scrambledModel(streams: streams)
    let options = SamplingOptions(temperature: 0, maxNewTokens: 12, eosID: nil)
    let batched = try Generator.generate(model: model, prompts: prompts, options: options)
    for (i, prompt) in prompts.enumerated() {
        let alone = try Generator.generate(model: model, prompts: [prompt], options: options)[0]
        #expect(alone.tokens == batched[i].tokens, "prompt \(i)")
        let diff = zip(alone.logprobs, batched[i].logprobs).map { abs($0 - $1) }.max() ?? 0
        // Same row computed with a different batch size: identical math, sgemm blocking may differ → 1e-5.
        #expect(diff < 1e-5, "prompt \(i): max |Δlogprob| = \(diff)")
    }
}

@Test func padAndBannedIdsAreNeverSampled() throws {
    let model = scrambledModel(streams: 4)
    let options = SamplingOptions(temperature: 1, maxNewTokens: 20, eosID: nil, bannedIDs: [5], seed: 3)
    let greedy = SamplingOptions(temperature: 0, maxNewTokens: 20, eosID: nil, bannedIDs: [5])
    for o in [options, greedy] {
        let out = try Generator.generate(model: model, prompts: prompts, options: o)
        for c in out {
            #expect(!c.tokens.contains(0))
            #expect(!c.tokens.contains(5))
            #expect(c.tokens.count == 20)
        }
    }
}

@Test func bannedPadHoldsWhenPadHasTheHighestLogit() throws {
    // A model whose head makes id 0 the argmax everywhere: scale its embedding row far up.
    let model = scrambledModel(streams: 1)
    let emb = model.params.view("tok_emb.weight")
    let C = model.config.dModel
    let fn = model.params.view("final_norm.weight")
    for c in 0..<C { fn[c] = 1 }
    let logits = Array(model.forward(tokens: [2, 3], batch: 1, seqLen: 2))
    let best = logits[model.config.vocabSize...].indices.max { logits[$0] < logits[$1] }! - model.config.vocabSize
    // Swap rows so that PAD gets the embedding of the current argmax (it then wins greedy decoding).
    for c in 0..<C { let t = emb[c]; emb[c] = emb[best * C + c]; emb[best * C + c] = t }
    let swapped = Array(model.forward(tokens: [2, 3], batch: 1, seqLen: 2))
    let V = model.config.vocabSize
    #expect(swapped[V...].indices.max { swapped[$0] < swapped[$1] }! - V == 0, "PAD must now be the argmax")
    let out = try Generator.generate(model: model, prompts: [[2, 3]], options: SamplingOptions(temperature: 0, maxNewTokens: 8, eosID: nil))
    #expect(!out[0].tokens.contains(0))
}

@Test func eachRowStopsAtItsOwnEOS() throws {
    let model = scrambledModel(streams: 4)
    // Find what greedy produces, then declare its 3rd token of row 1 the EOS id.
    let free = try Generator.generate(model: model, prompts: prompts, options: SamplingOptions(temperature: 0, maxNewTokens: 10, eosID: nil))
    let eos = free[1].tokens[2]
    let out = try Generator.generate(model: model, prompts: prompts, options: SamplingOptions(temperature: 0, maxNewTokens: 10, eosID: eos))
    for (i, c) in out.enumerated() {
        if let k = free[i].tokens.firstIndex(of: eos) {
            #expect(c.tokens == Array(free[i].tokens[...k]), "row \(i) stops right after its first EOS")
            #expect(c.stoppedAtEOS)
        } else {
            #expect(c.tokens == free[i].tokens)
            #expect(!c.stoppedAtEOS)
        }
        #expect(c.logprobs.count == c.tokens.count)
    }
}

@Test func sampledLogprobsEqualSequenceLogprobsOfTheSameIds() throws {
    let model = scrambledModel(streams: 4)
    let out = try Generator.generate(model: model, prompts: prompts, options: SamplingOptions(temperature: 1, maxNewTokens: 9, eosID: nil, seed: 11))
    let sequences = zip(prompts, out).map { $0 + $1.tokens }
    let scored = try sequenceLogprobs(model: model, sequences: sequences, promptLens: prompts.map(\.count),
                                      lens: sequences.map(\.count))
    for i in 0..<prompts.count {
        #expect(scored[i].count == out[i].logprobs.count)
        let diff = zip(scored[i], out[i].logprobs).map { abs($0 - $1) }.max()!
        // Cached decode vs one full forward: 1e-4 (see KVCacheTests for why).
        #expect(diff < 1e-4, "row \(i): max |Δlogprob| = \(diff)")
    }
}

@Test func fixedSeedGivesIdenticalOutputAndOtherSeedsDiffer() throws {
    let model = scrambledModel(streams: 4)
    let a = try Generator.generate(model: model, prompts: prompts, options: SamplingOptions(temperature: 1, maxNewTokens: 16, eosID: nil, seed: 5))
    let b = try Generator.generate(model: model, prompts: prompts, options: SamplingOptions(temperature: 1, maxNewTokens: 16, eosID: nil, seed: 5))
    let c = try Generator.generate(model: model, prompts: prompts, options: SamplingOptions(temperature: 1, maxNewTokens: 16, eosID: nil, seed: 6))
    #expect(a == b)
    #expect(a.map(\.tokens) != c.map(\.tokens))
}

@Test func topKOneIsGreedy() throws {
    let model = scrambledModel(streams: 4)
    let greedy = try Generator.generate(model: model, prompts: prompts, options: SamplingOptions(temperature: 0, maxNewTokens: 8, eosID: nil))
    let topK = try Generator.generate(model: model, prompts: prompts, options: SamplingOptions(temperature: 1, topK: 1, maxNewTokens: 8, eosID: nil, seed: 99))
    #expect(greedy.map(\.tokens) == topK.map(\.tokens))
    let tinyP = try Generator.generate(model: model, prompts: prompts, options: SamplingOptions(temperature: 1, topP: 1e-6, maxNewTokens: 8, eosID: nil, seed: 42))
    #expect(greedy.map(\.tokens) == tinyP.map(\.tokens))
}

@Test func badOptionsAndPromptsAreRejected() {
    let model = scrambledModel(streams: 1, maxSeqLen: 16)
    #expect(throws: GenerationError.self) { try Generator.generate(model: model, prompts: [[]], options: SamplingOptions()) }
    #expect(throws: GenerationError.self) { try Generator.generate(model: model, prompts: [[2, 99]], options: SamplingOptions()) }
    #expect(throws: GenerationError.self) { try Generator.generate(model: model, prompts: [[2]], options: SamplingOptions(maxNewTokens: 16)) }
    #expect(throws: GenerationError.self) { try Generator.generate(model: model, prompts: [[2]], options: SamplingOptions(topP: 0)) }
}

@Test func splittingRowsOverWorkersChangesNothing() throws {
    let model = scrambledModel(streams: 4)
    let many = (0..<9).map { i in prompts[i % prompts.count] + [Int32(4 + i)] }
    let options = SamplingOptions(temperature: 1, maxNewTokens: 10, eosID: nil, seed: 21)
    Parallel.setThreads(1)
    let serial = try Generator.generate(model: model, prompts: many, options: options)
    Parallel.setThreads(2)   // 9 rows → two row groups (4 + 5) decoded on two workers
    let split = try Generator.generate(model: model, prompts: many, options: options)
    Parallel.setThreads(1)
    #expect(serial.map(\.tokens) == split.map(\.tokens))
    let diff = zip(serial, split).map { zip($0.logprobs, $1.logprobs).map { abs($0 - $1) }.max()! }.max()!
    // Same rows, different batch composition per sgemm call: Float summation order only (see above, 1e-5).
    #expect(diff < 1e-5)
}
