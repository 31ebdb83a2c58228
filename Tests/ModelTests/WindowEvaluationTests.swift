import Foundation
import Testing
@testable import Model

@Suite struct WindowEvaluationTests {
    @Test func batchedMeanLossAndGradientEqualTheAverageOverSingleWindows() throws {
        let config = tinyConfig(streams: 2)
        let model = MHCModel(config: config, seed: 40)
        scramble(model.params, seed: 41)
        let T = 4, windows = 5
        let stream = randomTokens(windows * T + 3, vocab: config.vocabSize, seed: 42)
        let read = { (s: Int, n: Int) in Array(stream[s..<(s + n)]) }
        let batched = try WindowEvaluation.meanLoss(model: model, windows: windows, seqLen: T, batch: 2,
                                                    gradients: true, read: read)
        let g = Array(UnsafeBufferPointer(start: model.grads.data, count: model.grads.count))
        // independently: window by window, loss from the Double reference, gradient by plain forward/backward
        let ref = ReferenceModel(config: config, params: model.params)
        var refLoss = 0.0
        var gSum = [Float](repeating: 0, count: model.grads.count)
        for w in 0..<windows {
            let inputs = Array(stream[(w * T)..<((w + 1) * T)]), targets = Array(stream[(w * T + 1)...((w + 1) * T)])
            refLoss += ref.loss(tokens: inputs, targets: targets, B: 1, T: T) / Double(windows)
            let logits = model.forward(tokens: inputs, batch: 1, seqLen: T)
            var d = [Float](repeating: 0, count: logits.count)
            _ = crossEntropyLoss(logits: logits.baseAddress!, targets: targets, vocab: config.vocabSize, ignoreIndex: -1, dLogits: &d)
            model.grads.zero()
            model.backward(dLogits: d)
            for i in 0..<gSum.count { gSum[i] += model.grads.data[i] / Float(windows) }
        }
        // loss: Float32 model vs Double reference (1e-5); gradients: same Float math summed in another order (1e-6 of max)
        #expect(abs(batched - refLoss) < 1e-5, "\(batched) vs \(refLoss)")
        let scale = gSum.map(abs).max()!
        #expect(zip(g, gSum).map { abs($0 - $1) }.max()! < 1e-5 * scale)
    }

    @Test func tokensOutsideTheVocabularyAreReportedWithTheirPosition() {
        let model = MHCModel(config: tinyConfig(streams: 1), seed: 1)
        var stream = randomTokens(9, vocab: 13, seed: 2)
        stream[6] = 99
        #expect(throws: WindowEvaluation.TokenError.self) {
            _ = try WindowEvaluation.meanLoss(model: model, windows: 2, seqLen: 4, batch: 1, gradients: false,
                                              read: { Array(stream[$0..<($0 + $1)]) })
        }
        do {
            _ = try WindowEvaluation.meanLoss(model: model, windows: 2, seqLen: 4, batch: 1, gradients: false,
                                              read: { Array(stream[$0..<($0 + $1)]) })
        } catch {
            #expect("\(error)" == "token 99 at position 6 is outside the vocabulary 0..<13")
        }
    }
}
