import Foundation
import Testing
import Model
import SafeTensors
import Tensor
@testable import Training

/// A model small enough that a step takes milliseconds in a debug build: V 32, C 16, L 2, H 2, n 2.
let microConfig = ModelConfig(vocabSize: 32, dModel: 16, nLayers: 2, nHeads: 2, ffnHidden: 32, maxSeqLen: 16,
                              nStreams: 2, sinkhornIters: 5)

/// Token data with learnable structure: a noisy walk `next = (prev + 1 or 3) mod 32`.
func microTokens(_ n: Int, seed: UInt64) -> [Int32] {
    var s = seed, t: Int32 = 0
    return (0..<n).map { _ in
        s = s &* 6364136223846793005 &+ 1442695040888963407
        t = (t + ((s >> 33) % 4 == 0 ? 3 : 1)) % 32
        return t
    }
}

func microOptions(_ dir: String, steps: Int = 8) -> PretrainOptions {
    var o = PretrainOptions(outDir: dir, model: microConfig)
    o.steps = steps
    o.seqLen = 8
    o.microBatch = 2
    o.gradAccum = 1
    o.lr = 1e-2
    o.warmup = 2
    o.evalEvery = 0
    o.evalWindows = 0
    o.saveEvery = 0
    o.keepLast = 0
    o.seed = 42
    return o
}

func makeTrainer(_ o: PretrainOptions, resume: String? = nil) throws -> Pretrainer {
    Parallel.setThreads(1)   // one thread: reductions in a fixed order, so runs are bit-for-bit repeatable
    let t = try Pretrainer(options: o, train: ArrayTokenSource(microTokens(2000, seed: 1), name: "train"),
                           val: ArrayTokenSource(microTokens(400, seed: 2), name: "val"), resume: resume)
    t.progress = ProgressReporter(totalSteps: o.steps, plainEvery: 1000, isTerminal: false)
    t.signals = nil
    return t
}

@Test func resumingAfterTenStepsReproducesTwentyStraightStepsExactly() throws {
    let straightDir = try makeTempDir(), splitDir = try makeTempDir()
    let straight = try makeTrainer(microOptions(straightDir, steps: 20))
    let all = try straight.run()
    #expect(all.losses.count == 20 && all.stop == .completed)

    var first = microOptions(splitDir, steps: 20)
    first.stopAfter = 10
    let a = try makeTrainer(first).run()
    #expect(a.stop == .stoppedAfter && a.finalStep == 10)
    // Resume with only the output folder set: schedule, batch shape and seed come from the checkpoint.
    var bare = PretrainOptions(outDir: splitDir, model: microConfig)
    bare.evalEvery = 0
    bare.keepLast = 0
    let resumed = try makeTrainer(bare, resume: splitDir + "/ckpt_latest.safetensors")
    #expect(resumed.options.steps == 20 && resumed.options.seqLen == 8 && resumed.options.lr == 1e-2)
    let b = try resumed.run()
    #expect(b.finalStep == 20 && b.losses.count == 10)
    // Bit-for-bit: same data windows, same moments, same schedule, same arithmetic order.
    #expect(a.losses + b.losses == all.losses)
    #expect(memcmp(straight.model.params.data, resumed.model.params.data, straight.model.params.count * 4) == 0)
    // Metrics of the split run hold each step once.
    let lines = try String(contentsOfFile: splitDir + "/metrics.jsonl", encoding: .utf8).split(separator: "\n")
    #expect(lines.compactMap { MetricsLog.leadingStep($0) } == Array(1...20))
}

@Test func accumulatingTwoMicroBatchesOfTwoEqualsOneMicroBatchOfFour() throws {
    var wide = microOptions(try makeTempDir(), steps: 3)
    wide.microBatch = 4
    var accum = microOptions(try makeTempDir(), steps: 3)
    accum.microBatch = 2
    accum.gradAccum = 2
    var gradsWide: [Float] = [], gradsAccum: [Float] = []
    let tw = try makeTrainer(wide)
    tw.afterBackward = { step, g in if step == 1 { gradsWide = Array(UnsafeBufferPointer(start: g.data, count: g.count)) } }
    let ta = try makeTrainer(accum)
    ta.afterBackward = { step, g in if step == 1 { gradsAccum = Array(UnsafeBufferPointer(start: g.data, count: g.count)) } }
    let rw = try tw.run(), ra = try ta.run()
    // Same windows in the same order; only the summation order of the mean differs (float reassociation):
    // gradients agree to 1e-6 absolute + 1e-4 relative, losses to 1e-5.
    #expect(gradsWide.count == gradsAccum.count && !gradsWide.isEmpty)
    let worst = zip(gradsWide, gradsAccum).map { abs($0 - $1) - 1e-4 * abs($0) }.max() ?? 1
    #expect(worst < 1e-6, "worst gradient difference \(worst)")
    #expect(gradsWide.contains { $0 != 0 })
    for (x, y) in zip(rw.losses, ra.losses) { #expect(abs(x - y) < 1e-5, "\(rw.losses) vs \(ra.losses)") }
}

@Test func nonFiniteGradientAbortsAndLeavesTheLastCheckpointUntouched() throws {
    let dir = try makeTempDir()
    var o = microOptions(dir, steps: 10)
    o.saveEvery = 2
    let trainer = try makeTrainer(o)
    trainer.afterBackward = { step, g in if step == 5 { g.data[3] = .nan } }
    var message = ""
    do {
        _ = try trainer.run()
    } catch let e as TrainingError {
        message = e.message
    }
    #expect(message.contains("step 5") && message.contains("nan") && message.contains("left intact"), "\(message)")
    let latest = try SafeTensorsFile(path: dir + "/ckpt_latest.safetensors")
    #expect(latest.metadata["step"] == "4")
    #expect(!FileManager.default.fileExists(atPath: dir + "/ckpt_step_0000005.safetensors"))
    let a = try Data(contentsOf: URL(fileURLWithPath: dir + "/ckpt_latest.safetensors"))
    let b = try Data(contentsOf: URL(fileURLWithPath: dir + "/ckpt_step_0000004.safetensors"))
    #expect(a == b)
    // The surviving checkpoint resumes.
    var bare = PretrainOptions(outDir: dir, model: microConfig)
    bare.evalEvery = 0
    #expect(try makeTrainer(bare, resume: dir + "/ckpt_latest.safetensors").state.step == 4)
}

@Test func finalCheckpointIsAlwaysWrittenAndOldStepsArePruned() throws {
    let dir = try makeTempDir()
    var o = microOptions(dir, steps: 7)
    o.saveEvery = 2
    o.keepLast = 2
    o.evalEvery = 3
    o.evalWindows = 4
    _ = try makeTrainer(o).run()
    let names = try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
    #expect(names == ["ckpt_latest.safetensors", "ckpt_step_0000006.safetensors", "ckpt_step_0000007.safetensors",
                      "config.json", "metrics.jsonl"])
    let latest = try SafeTensorsFile(path: dir + "/ckpt_latest.safetensors")
    #expect(latest.metadata["step"] == "7" && latest.metadata["stage"] == "pretrain")
    #expect(latest.tensors["optimizer.m.tok_emb.weight"]?.shape == [32, 16])
    #expect(latest.tensors["optimizer.v.blocks.1.mlp.down_proj.weight"] != nil)
    #expect(try ModelConfig.load(path: dir + "/config.json") == microConfig)
    let records = try String(contentsOfFile: dir + "/metrics.jsonl", encoding: .utf8).split(separator: "\n").map {
        try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
    }
    #expect(records.count == 7)
    #expect(records.filter { $0["val_loss"] != nil }.map { $0["step"] as? Int } == [3, 6, 7])
    for key in ["loss", "lr", "grad_norm", "tokens_per_s", "amax_fwd", "amax_bwd"] {
        #expect(records.allSatisfy { $0[key] is Double }, "missing \(key)")
    }
}

@Test func trainingLowersTheLossOnStructuredData() throws {
    var o = microOptions(try makeTempDir(), steps: 40)
    o.lr = 2e-2
    let r = try makeTrainer(o).run()
    let head = r.losses.prefix(5).reduce(0, +) / 5, tail = r.losses.suffix(5).reduce(0, +) / 5
    // Starting near ln 32 ≈ 3.47; the walk has ≈ 0.81 nats of entropy per step, so a clear drop is expected.
    #expect(head > 3.0 && tail < head - 0.5, "first \(head), last \(tail)")
}

@Test func tokensOutsideTheVocabularyAreReportedWithTheirPosition() throws {
    var bad = microTokens(200, seed: 3)
    for i in bad.indices { bad[i] = 40 }
    Parallel.setThreads(1)
    let t = try Pretrainer(options: microOptions(try makeTempDir(), steps: 1), train: ArrayTokenSource(bad, name: "bad.bin"),
                           val: nil)
    t.signals = nil
    t.progress = ProgressReporter(totalSteps: 1, isTerminal: false)
    #expect(throws: TrainingError.self) { try t.run() }
    do { _ = try t.run() } catch let e as TrainingError {
        #expect(e.message.contains("bad.bin") && e.message.contains("token id 40"))
    }
}

@Test func freshRunRefusesAFolderHoldingAnotherRunsCheckpoints() throws {
    let dir = try makeTempDir()
    _ = try makeTrainer(microOptions(dir, steps: 2)).run()
    #expect(throws: TrainingError.self) { _ = try makeTrainer(microOptions(dir, steps: 2)) }
}

@Test func resumingFromAnOlderCheckpointDropsTheAbandonedLaterSteps() throws {
    let dir = try makeTempDir()
    var o = microOptions(dir, steps: 6)
    o.saveEvery = 2
    _ = try makeTrainer(o).run()
    var bare = PretrainOptions(outDir: dir, model: microConfig)
    bare.evalEvery = 0
    bare.keepLast = 0
    let t = try makeTrainer(bare, resume: dir + "/ckpt_step_0000002.safetensors")
    #expect(try t.checkpoints.stepFiles().map(\.step) == [2])
    #expect(try t.run().losses.count == 4)
    #expect(try t.checkpoints.stepFiles().map(\.step) == [2, 6])
}

@Test func resumeTakesScheduleFromTheCheckpointUnlessAFlagOverridesIt() throws {
    var saved = microOptions("/unused", steps: 20)
    saved.lr = 5e-3
    saved.warmup = 7
    let state = TrainingState(step: 3, samplerState: 99, tokensSeen: 48)
    let meta = state.metadata(options: saved, optimizer: AdamW(count: 1, segments: []))
    var fresh = PretrainOptions(outDir: "/unused", model: microConfig)
    fresh.lr = 1e-4
    fresh.steps = 50
    try TrainingState.restoreSettings(meta, into: &fresh, overridden: ["steps"], file: "x.safetensors")
    #expect(fresh.lr == 5e-3 && fresh.warmup == 7 && fresh.seqLen == 8 && fresh.microBatch == 2)
    #expect(fresh.steps == 50)   // given on the command line: extends the schedule
    #expect(try TrainingState.read(meta, file: "x") == state)
    var broken = meta
    broken["stage"] = "sdft"
    #expect(throws: TrainingError.self) { try TrainingState.read(broken, file: "x") }
}

@Test func nonFiniteLossAbortsBeforeTheStepIsSaved() throws {
    let dir = try makeTempDir()
    var o = microOptions(dir, steps: 10)
    o.saveEvery = 2
    let trainer = try makeTrainer(o)
    // A NaN weight written during step 3 makes step 4's forward produce a NaN loss.
    trainer.afterBackward = { step, _ in if step == 3 { trainer.model.params.view("final_norm.weight")[0] = .nan } }
    var message = ""
    do { _ = try trainer.run() } catch let e as TrainingError { message = e.message }
    #expect(message.hasPrefix("step 4: loss is nan"), "\(message)")
    #expect(try SafeTensorsFile(path: dir + "/ckpt_latest.safetensors").metadata["step"] == "2")
    #expect(try CheckpointManager(directory: dir).stepFiles().map(\.step) == [2])
}

/// `initFrom` starts a new run (step 0, fresh optimizer and schedule, another output folder) from a
/// checkpoint's weights: the new run's first loss equals the loss the old weights give on that batch, and it
/// differs from a seeded fresh initialisation's.
@Test func initFromStartsANewRunFromTheCheckpointWeights() throws {
    let firstDir = try makeTempDir(), secondDir = try makeTempDir(), freshDir = try makeTempDir()
    _ = try makeTrainer(microOptions(firstDir, steps: 12)).run()
    let start = firstDir + "/ckpt_latest.safetensors"
    let startWeights = try Checkpoint.load(path: start).model.params

    Parallel.setThreads(1)
    let continued = try Pretrainer(options: microOptions(secondDir, steps: 4),
                                   train: ArrayTokenSource(microTokens(2000, seed: 1), name: "train"),
                                   val: nil, initFrom: start)
    continued.progress = ProgressReporter(totalSteps: 4, plainEvery: 1000, isTerminal: false)
    continued.signals = nil
    #expect(continued.state.step == 0 && continued.optimizer.stepCount == 0)
    #expect(Array(UnsafeBufferPointer(start: continued.model.params.data, count: startWeights.count))
            == Array(UnsafeBufferPointer(start: startWeights.data, count: startWeights.count)))
    let fromCheckpoint = try continued.run()
    let fresh = try makeTrainer(microOptions(freshDir, steps: 4)).run()
    #expect(fromCheckpoint.finalStep == 4 && fromCheckpoint.losses.count == 4)
    // The 12-step model already fits the walk better than an untrained one on the same first batch.
    #expect(fromCheckpoint.losses[0] < fresh.losses[0] - 0.1, "\(fromCheckpoint.losses[0]) vs \(fresh.losses[0])")
    #expect(FileManager.default.fileExists(atPath: secondDir + "/ckpt_latest.safetensors"))
}
