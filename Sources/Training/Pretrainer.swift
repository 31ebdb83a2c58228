import Foundation
import Model
import SafeTensors
import TokenData

/// How a pretraining invocation ended (errors are thrown instead).
public enum PretrainStop: Sendable, Equatable {
    /// Reached `steps`.
    case completed
    /// Reached `--stop-after`.
    case stoppedAfter
    /// SIGINT/SIGTERM: the current step finished and a checkpoint was written.
    case signal(Int32)
}

public struct PretrainResult: Sendable {
    public let stop: PretrainStop
    public let finalStep: Int
    /// Training loss of every optimizer step this invocation ran, in order (index 0 = the first step run).
    public let losses: [Double]
    public let lastCheckpoint: String?
}

/// The pretrain stage: AdamW, warmup + cosine, clipping, gradient accumulation, evaluation, atomic
/// checkpoints with optimizer moments and sampler state, metrics, progress, signals.
///
/// The loop, per optimizer step `s` (0-based; the step is *numbered* s+1 once applied):
/// zero grads → `gradAccum` × (sample `microBatch` windows, forward, cross-entropy, dLogits /= gradAccum,
/// backward) → abort on a non-finite loss or gradient → clip → AdamW at `lr(s)` → log → eval/save when
/// due → stop on a pending signal. Sampling state advances identically whether or not a run was resumed,
/// so N steps + resume to 2N reproduces 2N straight steps.
public final class Pretrainer {
    public private(set) var options: PretrainOptions
    public let model: MHCModel
    public let optimizer: AdamW
    public private(set) var state: TrainingState
    public let checkpoints: CheckpointManager

    private let train: any TokenSource
    private let val: (any TokenSource)?
    private var sampler: BatchSampler
    private let schedule: LRSchedule

    /// Called after each step's last backward, before the gradient-norm check and clipping (tests inject faults here).
    public var afterBackward: ((_ step: Int, _ grads: ParameterSet) -> Void)?
    /// Receives every line the run wants to show (defaults to a ProgressReporter on stdout).
    public var progress: ProgressReporter
    /// Signal source checked between steps.
    public var signals: SignalMonitor? = SignalMonitor.shared

    /// A fresh run (seeded initialisation, or the weights of `initFrom` with a fresh optimizer and schedule:
    /// continued pretraining on other data) or a resumed one (`resume` = a pretrain checkpoint). When
    /// resuming, the checkpoint's model config, schedule and batch settings win except for flags in `overrides`.
    public init(options: PretrainOptions, train: any TokenSource, val: (any TokenSource)?,
                resume: String? = nil, initFrom: String? = nil, overrides: Set<String> = []) throws {
        var options = options
        let model: MHCModel
        var state = TrainingState(step: 0, samplerState: 0, tokensSeen: 0)
        var loaded: (metadata: [String: String], extra: [String: [Float]])?
        if let resume {
            let ckpt = try Checkpoint.load(path: resume)
            try TrainingState.restoreSettings(ckpt.metadata, into: &options, overridden: overrides, file: resume)
            state = try TrainingState.read(ckpt.metadata, file: resume)
            model = ckpt.model
            options.model = model.config
            loaded = (ckpt.metadata, ckpt.extra)
        } else {
            try options.validate()
            let existing = CheckpointManager(directory: options.outDir, prefix: "ckpt")
            let hasSteps = !(try existing.stepFiles().isEmpty)
            if FileManager.default.fileExists(atPath: existing.latestPath) || hasSteps {
                throw TrainingError("\(options.outDir) already holds checkpoints of another run; resume it with --resume \(existing.latestPath) or choose a new --out")
            }
            if let initFrom {
                let start = try Checkpoint.load(path: initFrom)
                guard start.model.config == options.model else {
                    throw TrainingError("--init-from \(initFrom): its model differs from the configured one; drop --model to use the checkpoint's")
                }
                model = start.model
            } else {
                model = MHCModel(config: options.model, seed: options.seed)
            }
        }
        try options.validate()
        try Self.checkData(train, name: "training data", window: options.seqLen + 1)
        if let val, options.evalEvery > 0 || options.evalWindows > 0 {
            try Self.checkData(val, name: "validation data", window: options.seqLen + 1)
        }

        self.options = options
        self.model = model
        self.train = train
        self.val = val
        self.checkpoints = CheckpointManager(directory: options.outDir, prefix: "ckpt", keepLast: options.keepLast)
        self.schedule = LRSchedule(peak: options.lr, minRatio: options.minLRRatio, warmup: options.warmup,
                                   total: options.steps)
        self.optimizer = AdamW(parameters: model.params, weightDecay: options.weightDecay)
        self.sampler = BatchSampler(count: train.tokenCount, seqLen: options.seqLen, seed: options.seed)
        self.progress = ProgressReporter(totalSteps: options.steps, plainEvery: options.logEvery)
        self.state = state
        if let loaded, let resume {
            // Step files past the resumed step belong to an abandoned continuation; left in place they would
            // outrank the new run's files when pruning.
            for stale in try checkpoints.stepFiles() where stale.step > state.step {
                try FileManager.default.removeItem(atPath: stale.path)
            }
            try optimizer.restoreMoments(loaded.extra, layout: model.params, file: resume)
            optimizer.stepCount = Int(loaded.metadata["optimizer_steps"] ?? "") ?? state.step
            sampler.state = state.samplerState
            if let stored = loaded.metadata["train_tokens"], stored != String(train.tokenCount) {
                progress.message("warning: \(resume) was trained on \(stored) tokens, \(train.sourceName) has \(train.tokenCount); the data order will differ from an uninterrupted run")
            }
        }
    }

    private static func checkData(_ source: any TokenSource, name: String, window: Int) throws {
        guard source.tokenCount >= window else {
            throw TrainingError("\(source.sourceName): \(name) has \(source.tokenCount) tokens, fewer than one window of --seq-len + 1 = \(window)")
        }
    }

    /// Writes `ckpt_step_N` and `ckpt_latest` for the current state; returns the step file's path.
    @discardableResult
    public func saveCheckpoint() throws -> String {
        let extra = optimizer.checkpointTensors(layout: model.params)
        var metadata = state.metadata(options: options, optimizer: optimizer)
        metadata["train_tokens"] = String(train.tokenCount)
        return try checkpoints.save(step: state.step) { path in
            try Checkpoint.save(model: model, to: path, metadata: metadata, extra: extra)
        }
    }

    /// Runs until `steps`, `stopAfter` or a signal. Throws on non-finite loss/gradient without saving, so the
    /// previous checkpoint stays the latest.
    public func run() throws -> PretrainResult {
        let o = options
        try FileManager.default.createDirectory(atPath: o.outDir, withIntermediateDirectories: true)
        try writeConfigCopy()
        let metrics = try MetricsLog(path: o.outDir + "/metrics.jsonl", truncateAfterStep: state.step)
        let B = o.microBatch, T = o.seqLen, V = o.model.vocabSize
        var tokens = [Int32](repeating: 0, count: B * T)
        var targets = [Int32](repeating: 0, count: B * T)
        var window = [Int32](repeating: 0, count: T + 1)
        let dLogits = UnsafeMutablePointer<Float>.allocate(capacity: B * T * V)
        defer { dLogits.deallocate() }
        var losses: [Double] = []
        var lastCheckpoint: String?
        var lastSavedStep = -1
        let clock = ContinuousClock()
        var trainSeconds = 0.0
        var stepsTimed = 0
        let runStart = clock.now
        let firstStep = state.step
        let stopAt = min(o.steps, o.stopAfter ?? o.steps)

        if state.step > 0 { progress.message("resuming at step \(state.step)/\(o.steps)") }
        while state.step < stopAt {
            let s = state.step
            let lr = schedule.lr(step: s)
            let started = clock.now
            model.grads.zero()
            var lossSum = 0.0
            for micro in 0..<o.gradAccum {
                let offsets = sampler.nextOffsets(batch: B)
                for (b, offset) in offsets.enumerated() {
                    try window.withUnsafeMutableBufferPointer { w in
                        train.copyTokens(from: offset, count: T + 1, into: w.baseAddress!)
                        try checkVocabulary(w, source: train, offset: offset, vocab: V)
                    }
                    for t in 0..<T {
                        tokens[b * T + t] = window[t]
                        targets[b * T + t] = window[t + 1]
                    }
                }
                let logits = model.forward(tokens: tokens, batch: B, seqLen: T)
                let (loss, _) = crossEntropyLoss(logits: logits.baseAddress!, targets: targets, vocab: V,
                                                 ignoreIndex: -1, dLogits: dLogits)
                guard loss.isFinite else {
                    progress.finish()
                    throw nonFinite("loss is \(loss) in micro-batch \(micro + 1)/\(o.gradAccum)", step: s + 1)
                }
                if o.gradAccum > 1 {
                    let scale = 1 / Float(o.gradAccum)
                    for i in 0..<(B * T * V) { dLogits[i] *= scale }
                }
                model.backward(dLogits: dLogits)
                lossSum += loss
            }
            afterBackward?(s + 1, model.grads)
            let gradNorm = GradientClipping.clip(model.grads.data, count: model.grads.count, maxNorm: o.clip)
            guard gradNorm.isFinite else {
                progress.finish()
                throw nonFinite("gradient norm is \(gradNorm)", step: s + 1)
            }
            optimizer.update(params: model.params.data, grads: model.grads.data, lr: lr)
            let elapsed = (clock.now - started).seconds
            trainSeconds += elapsed
            stepsTimed += 1

            let loss = lossSum / Double(o.gradAccum)
            losses.append(loss)
            state.step = s + 1
            state.samplerState = sampler.state
            state.tokensSeen += o.tokensPerStep
            let tokensPerSecond = Double(o.tokensPerStep) / max(elapsed, 1e-9)
            let meanStep = trainSeconds / Double(stepsTimed)

            var record: [(String, MetricValue)] = [
                ("step", .int(state.step)), ("loss", .double(loss)), ("lr", .double(Double(lr))),
                ("grad_norm", .double(gradNorm)), ("tokens_per_s", .double(tokensPerSecond)),
                ("tokens", .int(state.tokensSeen)), ("step_s", .double(elapsed)),
            ]
            let gains = model.amaxGains()
            record.append(("amax_fwd", .double(gains.forward)))
            record.append(("amax_bwd", .double(gains.backward)))
            if let val, o.evalEvery > 0, o.evalWindows > 0, state.step % o.evalEvery == 0 || state.step == o.steps {
                let valLoss = evaluate(val)
                record.append(("val_loss", .double(valLoss)))
                progress.message("step \(state.step): val loss \(String(format: "%.4f", valLoss))")
            }
            metrics.append(record)
            progress.report(step: state.step, loss: loss, lr: lr,
                            tokensPerSecond: Double(o.tokensPerStep) / meanStep,
                            // ETA from wall time per step so far, evaluations and saves included.
                            etaSeconds: Double(stopAt - state.step) * (clock.now - runStart).seconds
                                / Double(state.step - firstStep))

            let pending = signals?.pendingSignal()
            let due = (o.saveEvery > 0 && state.step % o.saveEvery == 0) || state.step == stopAt || pending != nil
            if due {
                lastCheckpoint = try saveCheckpoint()
                lastSavedStep = state.step
            }
            if let sig = pending {
                progress.finish()
                progress.message("received \(SignalMonitor.name(sig)): checkpoint written at step \(state.step) (\(checkpoints.latestPath))")
                return PretrainResult(stop: .signal(sig), finalStep: state.step, losses: losses, lastCheckpoint: lastCheckpoint)
            }
        }
        if lastSavedStep != state.step {
            // Nothing ran (already at the end) or the last step was not saved: the final checkpoint is always written.
            lastCheckpoint = try saveCheckpoint()
        }
        progress.finish()
        let stop: PretrainStop = state.step >= o.steps ? .completed : .stoppedAfter
        return PretrainResult(stop: stop, finalStep: state.step, losses: losses, lastCheckpoint: lastCheckpoint)
    }

    /// Mean cross-entropy over `evalWindows` fixed windows spread evenly over the validation tokens
    /// (the same windows at every evaluation, so values are comparable along the run).
    public func evaluate(_ source: any TokenSource) -> Double {
        let o = options
        let T = o.seqLen, V = o.model.vocabSize
        let windows = o.evalWindows
        guard windows > 0 else { return .nan }
        let span = source.tokenCount - (T + 1)
        let offsets = (0..<windows).map { windows == 1 ? 0 : $0 * span / (windows - 1) }
        var sum = 0.0, count = 0
        var window = [Int32](repeating: 0, count: T + 1)
        var start = 0
        while start < windows {
            let batch = Array(offsets[start..<min(windows, start + o.microBatch)])
            var tokens = [Int32](repeating: 0, count: batch.count * T)
            var targets = tokens
            for (b, offset) in batch.enumerated() {
                window.withUnsafeMutableBufferPointer { source.copyTokens(from: offset, count: T + 1, into: $0.baseAddress!) }
                for t in 0..<T {
                    // Ids outside the vocabulary are ignored rather than crashing the evaluation.
                    tokens[b * T + t] = Int(window[t]) < V && window[t] >= 0 ? window[t] : 0
                    targets[b * T + t] = Int(window[t + 1]) < V && window[t + 1] >= 0 ? window[t + 1] : -1
                }
            }
            let logits = model.forward(tokens: tokens, batch: batch.count, seqLen: T)
            let (loss, n) = crossEntropyLoss(logits: logits.baseAddress!, targets: targets, vocab: V,
                                             ignoreIndex: -1, dLogits: nil)
            sum += loss * Double(n)
            count += n
            start += o.microBatch
        }
        return count > 0 ? sum / Double(count) : .nan
    }

    private func checkVocabulary(_ w: UnsafeMutableBufferPointer<Int32>, source: any TokenSource, offset: Int, vocab: Int) throws {
        for (i, t) in w.enumerated() where t < 0 || Int(t) >= vocab {
            throw TrainingError("\(source.sourceName): token id \(t) at token \(offset + i) is outside the model vocabulary 0..<\(vocab) (tokenizer and model config disagree?)")
        }
    }

    private func nonFinite(_ what: String, step: Int) -> TrainingError {
        let latest = FileManager.default.fileExists(atPath: checkpoints.latestPath)
            ? "the last good checkpoint \(checkpoints.latestPath) is left intact"
            : "no checkpoint had been written yet"
        return TrainingError("step \(step): \(what); stopping without saving (\(latest)). Try a lower --lr or --clip.")
    }

    private func writeConfigCopy() throws {
        let path = options.outDir + "/config.json"
        let text = options.model.jsonString() + "\n"
        try Array(text.utf8).withUnsafeBytes { bytes in
            try AtomicFile.write(path: path) { try $0.write(bytes) }
        }
    }
}

extension Duration {
    var seconds: Double {
        let c = components
        return Double(c.seconds) + Double(c.attoseconds) * 1e-18
    }
}
