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
