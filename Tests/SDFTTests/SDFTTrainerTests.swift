import Foundation
import Model
import Testing
import Training
@testable import SDFT

@Test func skippingEveryCompletionTokenLeavesNoLossAndNoUpdate() throws {
    var o = Micro.options(Micro.tempDir())
    o.skipTokens = o.maxNewTokens     // every completion has at most max-new-tokens tokens: all masked
    let t = try Micro.trainer(o)
    let before = Micro.params(t.student)
    let stats = try t.lossAndGradients(step: 0)
    #expect(stats.loss == 0)
    #expect(GradientClipping.globalNorm(t.student.grads.data, count: t.student.grads.count) == 0)
    _ = try t.applyUpdate(step: 0)
    // Zero gradients and zero moments give a zero AdamW step, and weight decay is 0.
    #expect(Micro.params(t.student) == before)
}

@Test(arguments: KLDirection.allCases)
func wholeStepGradientMatchesCentralFiniteDifferences(direction: KLDirection) throws {
    var o = Micro.options(Micro.tempDir())
    o.kl = direction
    let t = try Micro.trainer(o)
    var completions: [[Int32]] = []
    t.onBatch = { _, batch in completions = batch.completions }
    let loss0 = try t.lossAndGradients(step: 0).loss
    try #require(loss0 > 0)
    let reference = completions
    let grads = Array(UnsafeBufferPointer(start: t.student.grads.data, count: t.student.grads.count))
    // The 6 largest-magnitude gradient entries: where a finite difference has signal above Float noise.
    let indices = grads.indices.sorted { abs(grads[$0]) > abs(grads[$1]) }.prefix(6)
    let h: Float = 1e-3
    for i in indices {
        let p = t.student.params.data + i
        let saved = p.pointee
        p.pointee = saved + h
        let plus = try t.lossAndGradients(step: 0).loss
        #expect(completions == reference)        // same samples, so the loss is a smooth function here
        p.pointee = saved - h
        let minus = try t.lossAndGradients(step: 0).loss
        #expect(completions == reference)
        p.pointee = saved
        let fd = (plus - minus) / Double(2 * h)
        // Central differences have O(h²) truncation error; Float32 forward passes add ~1e-8 loss noise,
        // i.e. ~1e-5 on the quotient. 3% relative (+1e-5 absolute) covers both with margin.
        #expect(abs(fd - Double(grads[i])) <= 0.03 * abs(Double(grads[i])) + 1e-5,
                "param \(i): finite difference \(fd) vs backward \(grads[i])")
    }
}

@Test func emaTeacherMovesTowardsTheUpdatedStudentAfterEachStep() throws {
    var o = Micro.options(Micro.tempDir())
    o.steps = 1
    o.emaRate = 0.25
    let t = try Micro.trainer(o)
    let start = Micro.params(t.student)
    #expect(Micro.params(t.teacher!) == start)   // initialised from the starting checkpoint
    _ = try t.run()
    let student = Micro.params(t.student)
    #expect(student != start)
    var expected = start
    emaUpdate(teacher: &expected, student: student, count: expected.count, rate: 0.25)
    #expect(Micro.params(t.teacher!) == expected)
    try? FileManager.default.removeItem(atPath: o.outDir)
}

@Test(arguments: FineTuneMethod.allCases)
func stopAndResumeReproducesAnUnbrokenRun(method: FineTuneMethod) throws {
    var o = Micro.options(Micro.tempDir())
    o.method = method
    let straight = try Micro.trainer(o)
    let all = try straight.run()

    var first = Micro.options(Micro.tempDir())
    first.method = method
    first.stopAfter = 2
    let a = try Micro.trainer(first)
    let partA = try a.run()
    #expect(partA.stop == .stoppedAfter)
    var second = first
    second.stopAfter = nil
    let b = try Micro.trainer(second, seed: 999, resume: a.checkpoints.latestPath)  // start weights are ignored
    let partB = try b.run()
    #expect(partB.stop == .completed)
    #expect(partA.losses + partB.losses == all.losses)
    #expect(Micro.params(b.student) == Micro.params(straight.student))
    if method == .sdft { #expect(Micro.params(b.teacher!) == Micro.params(straight.teacher!)) }
    #expect(FileManager.default.fileExists(atPath: b.checkpoints.stepPath(4)))
    for dir in [o.outDir, first.outDir] { try? FileManager.default.removeItem(atPath: dir) }
}

@Test func nonFiniteGradientStopsAndKeepsTheLastCheckpoint() throws {
    var o = Micro.options(Micro.tempDir())
    o.saveEvery = 1
    let t = try Micro.trainer(o)
    t.afterBackward = { step, grads in if step == 3 { grads.data[0] = .nan } }
    #expect(throws: TrainingError.self) { _ = try t.run() }
    let latest = try Checkpoint.load(path: t.checkpoints.latestPath)
    #expect(latest.metadata["step"] == "2")
    #expect(!FileManager.default.fileExists(atPath: t.checkpoints.stepPath(3)))
    try? FileManager.default.removeItem(atPath: o.outDir)
}

@Test func teacherContextTooLongForTheModelIsRejectedNamingTheExample() throws {
    var o = Micro.options(Micro.tempDir())
    o.maxNewTokens = 90    // student prompt (≤ 6) + 90 ≤ 96, but the teacher context no longer fits
    #expect {
        _ = try Micro.trainer(o)
    } throws: { error in
        "\(error)".contains("t:") && "\(error)".contains("teacher context") && "\(error)".contains("max_seq_len 96")
    }
}
