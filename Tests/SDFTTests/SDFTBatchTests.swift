import Foundation
import Model
import Testing
@testable import SDFT

/// Runs step index 0 of a fresh micro trainer and returns the sequences it built.
private func firstBatch(_ o: SDFTOptions) throws -> (SDFTTrainer, DistillationBatch) {
    let t = try Micro.trainer(o)
    var captured: DistillationBatch?
    t.onBatch = { _, batch in captured = batch }
    _ = try t.lossAndGradients(step: 0)
    return (t, try #require(captured))
}

private func contains(_ haystack: [Int32], _ needle: [Int32]) -> Bool {
    guard needle.count <= haystack.count else { return false }
    return (0...(haystack.count - needle.count)).contains { Array(haystack[$0..<($0 + needle.count)]) == needle }
}

@Test func teacherContextHoldsTheDemonstrationAndStudentContextDoesNot() throws {
    let (t, batch) = try firstBatch(Micro.options(Micro.tempDir()))
    let picked = t.order.indices(step: 0, perStep: 2)
    for (b, index) in picked.enumerated() {
        let example = Micro.examples[index]
        let demonstration = Micro.codec.encode(example.demonstration)
        #expect(batch.studentPrompts[b] == [TextCodec.bos] + Micro.codec.encode(example.prompt))
        #expect(batch.teacherPrompts[b] == [TextCodec.bos] + Micro.codec.encode("\(example.prompt)|\(example.demonstration)|"))
        #expect(contains(batch.teacherPrompts[b], demonstration))
        #expect(!contains(batch.studentSequences[b], demonstration))
        // The padded passes fed to the models carry the same contexts.
        let teacherPass = PaddedPass(prompts: batch.teacherPrompts, completions: batch.completions)
        let row = Array(teacherPass.tokens[(b * teacherPass.seqLen)..<((b + 1) * teacherPass.seqLen)])
        #expect(contains(row, demonstration))
    }
}

@Test func studentAndTeacherPassesRunOverTheSameCompletionIds() throws {
    let (_, batch) = try firstBatch(Micro.options(Micro.tempDir()))
    let student = PaddedPass(prompts: batch.studentPrompts, completions: batch.completions)
    let teacher = PaddedPass(prompts: batch.teacherPrompts, completions: batch.completions)
    #expect(student.completionLengths == teacher.completionLengths)
    for (b, completion) in batch.completions.enumerated() {
        #expect(!completion.isEmpty && completion.count <= 6)
        #expect(Array(batch.studentSequences[b].suffix(completion.count)) == completion)
        #expect(Array(batch.teacherSequences[b].suffix(completion.count)) == completion)
        // After the row that predicts completion token k comes completion token k as the next input
        // (the last completion token is only a target).
        for pass in [student, teacher] {
            for k in 0..<(completion.count - 1) {
                #expect(pass.tokens[b * pass.seqLen + pass.firstRow[b] + 1 + k] == completion[k])
            }
        }
    }
}

@Test func gatherAndScatterMoveExactlyTheCompletionRows() {
    let V = 3
    let pass = PaddedPass(prompts: [[2, 5], [2, 6, 7, 8]], completions: [[9, 10, 3], [11]])
    // inputs: [2,5,9,10] and [2,6,7,8] → T = 4; rows: seq 0 positions 1,2,3; seq 1 position 3.
    #expect(pass.seqLen == 4 && pass.firstRow == [1, 3])
    #expect(pass.tokens == [2, 5, 9, 10, 2, 6, 7, 8])
    let logits = (0..<(2 * 4 * V)).map(Float.init)
    var rows = [Float](repeating: -1, count: 4 * V)
    pass.gather(logits: logits, vocab: V, into: &rows)
    #expect(rows == [3, 4, 5, 6, 7, 8, 9, 10, 11, 21, 22, 23])
    var d = [Float](repeating: 7, count: 2 * 4 * V)
    pass.scatter(rows: rows, vocab: V, into: &d)
    let expected: [Float] = [0, 0, 0, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0, 0, 0, 0, 0, 0, 0, 0, 0, 21, 22, 23]
    #expect(d == expected)
}

@Test func rightPaddingDoesNotChangeASequencesCompletionRows() {
    let model = MHCModel(config: Micro.config, seed: 11)
    let V = Micro.config.vocabSize
    let short: ([Int32], [Int32]) = ([2, 5, 6], [7, 8, 3])
    let long: ([Int32], [Int32]) = ([2, 9, 10, 11, 12, 13, 14], [15, 16])
    func rows(_ pass: PaddedPass) -> [Float] {
        let logits = model.forward(tokens: pass.tokens, batch: pass.batch, seqLen: pass.seqLen)
        var out = [Float](repeating: 0, count: pass.completionLengths.reduce(0, +) * V)
        pass.gather(logits: logits.baseAddress!, vocab: V, into: &out)
        return out
    }
    let alone = rows(PaddedPass(prompts: [short.0], completions: [short.1]))
    let batched = rows(PaddedPass(prompts: [short.0, long.0], completions: [short.1, long.1]))
    // Same arithmetic on the same positions; only BLAS blocking over a different row count may reorder sums.
    let maxDiff = zip(alone, batched.prefix(alone.count)).map { abs($0 - $1) }.max()!
    #expect(maxDiff < 1e-5)
}

@Test func sftTargetsCoverOnlyDemonstrationAndEOS() {
    let batch = SFTBatch(prompts: [[2, 5, 6], [2, 7]], demonstrations: [[8, 9], [10, 11, 12]])
    // sequences [2,5,6,8,9,3] and [2,7,10,11,12,3]; inputs drop the last token, T = 5.
    #expect(batch.seqLen == 5)
    #expect(batch.tokens == [2, 5, 6, 8, 9, 2, 7, 10, 11, 12])
    // Position t predicts token t+1; prompt tokens (positions < promptLen − 1) are ignored.
    #expect(batch.targets == [-1, -1, 8, 9, 3, -1, 10, 11, 12, 3])
}

@Test func exampleOrderVisitsEveryExampleOncePerEpochAndIsStatelessInTheStep() {
    let order = ExampleOrder(count: 5, seed: 9)
    let epoch0 = (0..<5).flatMap { order.indices(step: $0, perStep: 1) }
    #expect(epoch0.sorted() == [0, 1, 2, 3, 4])
    let twoPerStep = (0..<5).flatMap { order.indices(step: $0, perStep: 2) }
    #expect(twoPerStep.count == 10 && Array(twoPerStep.prefix(5)).sorted() == [0, 1, 2, 3, 4])
    #expect(Array(twoPerStep.prefix(5)) == epoch0)
    #expect(order.indices(step: 3, perStep: 2) == ExampleOrder(count: 5, seed: 9).indices(step: 3, perStep: 2))
    #expect(ExampleOrder(count: 5, seed: 10).indices(step: 0, perStep: 5) != epoch0 ||
            ExampleOrder(count: 5, seed: 11).indices(step: 0, perStep: 5) != epoch0)
}

@Test func finalAnswerIsTheLastBoxedElseTheFirstLine() {
    #expect(AnswerExtraction.finalAnswer("so \\boxed{3} then \\boxed{ 41 }.") == "41")
    #expect(AnswerExtraction.finalAnswer("The answer is \\boxed{\\frac{1}{2}}.") == "\\frac{1}{2}")
    #expect(AnswerExtraction.finalAnswer("  82 \nmore text") == "82")
    #expect(AnswerExtraction.finalAnswer("\\boxed{7} and \\boxed{8") == "7")
    #expect(AnswerExtraction.matches(completion: "41 is larger.\nThe answer is \\boxed{41}.", answer: " 41"))
    #expect(!AnswerExtraction.matches(completion: "The answer is \\boxed{14}.", answer: "41"))
}
