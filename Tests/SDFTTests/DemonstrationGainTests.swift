import Foundation
import Model
import Testing
@testable import SDFT

/// Naive twin: log p(target | context) per token from one unbatched forward, log-softmax in Double.
private func meanLogprob(_ model: MHCModel, context: [Int32], target: [Int32]) -> Double {
    let seq = context + target, V = model.config.vocabSize
    let logits = model.forward(tokens: seq, batch: 1, seqLen: seq.count)
    var sum = 0.0
    for (k, id) in target.enumerated() {
        let row = logits.baseAddress! + (context.count - 1 + k) * V
        let m = (0..<V).map { Double(row[$0]) }.max()!
        let z = m + log((0..<V).reduce(0.0) { $0 + exp(Double(row[$1]) - m) })
        sum += Double(row[Int(id)]) - z
    }
    return sum / Double(target.count)
}

@Test func demonstrationGainIsTeacherMinusStudentMeanLogprobOfTheDemonstration() throws {
    let model = MHCModel(config: Micro.config, seed: 5)
    let template = try TeacherTemplate("{prompt}|{demonstration}|")
    let examples = Array(Micro.examples.prefix(2))
    let gain = try SDFTEvaluation.demonstrationGain(model: model, examples: examples, codec: Micro.codec, template: template)
    var expected = 0.0
    for e in examples {
        let target = Micro.codec.encode(e.demonstration) + [TextCodec.eos]
        expected += meanLogprob(model, context: Micro.codec.promptIDs("\(e.prompt)|\(e.demonstration)|"), target: target)
            - meanLogprob(model, context: Micro.codec.promptIDs(e.prompt), target: target)
    }
    expected /= Double(examples.count)
    // Batched + padded Float forward vs unbatched: agreement to Float accumulation noise over ≤ 20 tokens.
    #expect(abs(gain - expected) < 1e-4, "gain \(gain) vs naive \(expected)")
}

@Test func demonstrationGainIsZeroWhenTheTeacherContextEqualsTheStudentContext() throws {
    let model = MHCModel(config: Micro.config, seed: 5)
    // An empty demonstration with this template renders the prompt itself: both contexts are identical.
    let same = [SDFTExample(prompt: "abc d", demonstration: "", source: "t:1")]
    let gain = try SDFTEvaluation.demonstrationGain(model: model, examples: same, codec: Micro.codec,
                                                    template: TeacherTemplate("{prompt}{demonstration}"))
    #expect(gain == 0)
}
