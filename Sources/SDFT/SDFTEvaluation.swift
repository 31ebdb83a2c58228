import Generation
import Model
import Training

/// The two numbers that judge a fine-tuning run: how well the new skill is learned, and how much of the
/// pretrained ability is kept.
public struct SDFTEvaluationResult: Sendable, Equatable {
    /// Fraction of held-out prompts whose greedy completion's final answer matches exactly (nil: no eval data).
    public var newTaskScore: Double?
    /// Mean next-token cross-entropy on the retention windows (nil: no retention data).
    public var retentionLoss: Double?
    /// In-context signal available to the teacher: mean per-token log-probability of a demonstration (+ EOS)
    /// given the teacher context minus given the student context, same weights (nil: not computed).
    /// Near 0 means the demonstration in context does not help the network, so SDFT has nothing to distil.
    public var demonstrationGain: Double? = nil
    /// Greedy completions of the first few held-out prompts, for the log.
    public var samples: [String]
}

public enum SDFTEvaluation {
    /// New-task score: greedy decoding (temperature 0, EOS stops) of every held-out prompt, batched
    /// `batch` at a time, scored with `AnswerExtraction.matches`.
    public static func newTaskScore(model: MHCModel, examples: [SDFTExample], codec: TextCodec,
                                    maxNewTokens: Int, batch: Int = 16) throws -> (score: Double, completions: [String]) {
        var correct = 0
        var texts: [String] = []
        var start = 0
        while start < examples.count {
            let chunk = examples[start..<min(examples.count, start + batch)]
            let prompts = chunk.map { codec.promptIDs($0.prompt) }
            let options = SamplingOptions(temperature: 0, maxNewTokens: maxNewTokens, eosID: TextCodec.eos)
            let completions = try Generator.generate(model: model, prompts: prompts, options: options)
            for (example, completion) in zip(chunk, completions) {
                let text = codec.completionText(completion.tokens)
                texts.append(text)
                if let answer = example.answer, AnswerExtraction.matches(completion: text, answer: answer) { correct += 1 }
            }
            start += batch
        }
        return (Double(correct) / Double(examples.count), texts)
    }

    /// Mean over `examples` of [mean log p(demonstration + EOS | BOS + template(prompt, demonstration))
    /// − mean log p(demonstration + EOS | BOS + prompt)], per token, under the same `model`.
    public static func demonstrationGain(model: MHCModel, examples: [SDFTExample], codec: TextCodec,
                                         template: TeacherTemplate) throws -> Double {
        var sequences: [[Int32]] = [], promptLens: [Int] = []
        for e in examples {
            let target = codec.encode(e.demonstration) + [TextCodec.eos]
            for context in [codec.promptIDs(template.render(prompt: e.prompt, demonstration: e.demonstration)),
                            codec.promptIDs(e.prompt)] {
                sequences.append(context + target)
                promptLens.append(context.count)
            }
        }
        let logprobs = try sequenceLogprobs(model: model, sequences: sequences, promptLens: promptLens,
                                            lens: sequences.map(\.count))
        var gain = 0.0
        for i in stride(from: 0, to: logprobs.count, by: 2) {
            let teacher = logprobs[i].reduce(0.0) { $0 + Double($1) } / Double(logprobs[i].count)
            let student = logprobs[i + 1].reduce(0.0) { $0 + Double($1) } / Double(logprobs[i + 1].count)
            gain += teacher - student
        }
        return gain / Double(examples.count)
    }

    /// Retention: mean cross-entropy over the first `windows` windows of `seqLen` tokens of `source`
    /// (the same windows and the same code path as `discover eval --windows N`).
    public static func retentionLoss(model: MHCModel, source: any TokenSource, windows: Int, seqLen: Int,
                                     batch: Int = 8) throws -> Double {
        try WindowEvaluation.meanLoss(model: model, windows: windows, seqLen: seqLen, batch: batch, gradients: false,
                                      read: { start, count in
                                          var out = [Int32](repeating: 0, count: count)
                                          out.withUnsafeMutableBufferPointer { source.copyTokens(from: start, count: count, into: $0.baseAddress!) }
                                          return out
                                      })
    }
}
