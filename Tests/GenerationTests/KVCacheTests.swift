import Testing
@testable import Model
@testable import Generation

// Tolerance 1e-4 absolute on logits of magnitude ~1–10: the cached path computes the same sums as the full
// forward but with different sgemm shapes (M = B instead of B·T) and a hand-written attention loop instead of
// sgemm, so Float rounding differs at the 1e-6 relative level; 1e-4 leaves two orders of margin.

@Test(arguments: [1, 4])
func cachedLogitsEqualFullForwardAtEveryPosition(streams: Int) {
    let model = scrambledModel(streams: streams)
    let V = model.config.vocabSize
    let sequence: [Int32] = [2, 5, 9, 1, 17, 4, 4, 12, 8, 3, 21, 6]
    let T = sequence.count
    let full = Array(model.forward(tokens: sequence, batch: 1, seqLen: T))
    let state = model.makeDecodeState(batch: 1, capacity: T)
    var logits = Array(model.prefill(state, tokens: [sequence[0]], promptLens: [1], paddedLength: 1))
    for t in 0..<T {
        if t > 0 { logits = Array(model.decodeStep(state, tokens: [sequence[t]])) }
        let diff = full[t * V..<(t + 1) * V].indices.map { abs(full[$0] - logits[$0 - t * V]) }.max()!
        #expect(diff < 1e-4, "position \(t): max |Δlogit| = \(diff)")
    }
}

@Test(arguments: [1, 4])
func prefillOfLongPromptMatchesFullForward(streams: Int) {
    let model = scrambledModel(streams: streams)
    let V = model.config.vocabSize
    let sequence: [Int32] = [2, 7, 7, 7, 11, 19, 5, 14, 1, 9]
    let full = Array(model.forward(tokens: sequence, batch: 1, seqLen: sequence.count))
    let state = model.makeDecodeState(batch: 1, capacity: sequence.count)
    _ = model.prefill(state, tokens: Array(sequence[0..<6]), promptLens: [6], paddedLength: 6)
    for t in 6..<sequence.count {
        let logits = Array(model.decodeStep(state, tokens: [sequence[t]]))
        let diff = (0..<V).map { abs(full[t * V + $0] - logits[$0]) }.max()!
        #expect(diff < 1e-4, "position \(t): max |Δlogit| = \(diff)")
    }
}
