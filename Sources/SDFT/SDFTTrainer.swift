import Foundation
import Generation
import Model
import Training

/// How a fine-tuning invocation ended (errors are thrown instead).
public enum SDFTStop: Sendable, Equatable {
    case completed
    /// Reached `stopAfter`.
    case stoppedAfter
    /// SIGINT/SIGTERM: the current step finished and a checkpoint was written.
    case signal(Int32)
}

public struct SDFTResult: Sendable {
    public let stop: SDFTStop
    public let finalStep: Int
    /// Training loss of every step this invocation ran, in order.
    public let losses: [Double]
    /// Evaluations this invocation ran, by step (step 0 = before any update).
    public let evaluations: [(step: Int, result: SDFTEvaluationResult)]
    public let lastCheckpoint: String?
}

/// The SDFT stage (and its SFT baseline): see docs/sdft.md.
///
/// Per optimizer step `s` (0-based; numbered s+1 once applied), SDFT:
/// pick `promptsPerStep` examples (`ExampleOrder`) → sample one completion per prompt from the student
/// (temperature 1, EOS or `maxNewTokens` ends it) → teacher forward on BOS+template(prompt, demo)+completion,
/// student forward on BOS+prompt+completion → gather the completion rows → `distillationLoss` with
/// `sdftRowWeights(skip:)` → scatter into dLogits → student backward → abort on non-finite → clip → AdamW at
/// `lr(s)` → EMA teacher update. SFT replaces the middle by cross-entropy on demonstration + EOS.
/// Everything random is derived from (seed, step), so N steps + resume to 2N equals 2N straight.
public final class SDFTTrainer {
    public private(set) var options: SDFTOptions
    public let student: MHCModel
    /// The EMA teacher (nil for `--method sft`).
    public let teacher: MHCModel?
    public let optimizer: AdamW
    public internal(set) var step: Int
    public let checkpoints: CheckpointManager
    public let examples: [SDFTExample]
    public let heldOut: [SDFTExample]

    let codec: TextCodec
    let template: TeacherTemplate
    let retain: (any TokenSource)?
    let order: ExampleOrder
    let schedule: LRSchedule
    /// Encoded contexts per training example: student prompt (BOS + prompt), teacher prompt, demonstration.
    let encoded: [(student: [Int32], teacher: [Int32], demonstration: [Int32])]

    /// Receives every step's sequences before the passes (tests inspect them).
    public var onBatch: ((_ step: Int, _ batch: DistillationBatch) -> Void)?
    /// Called after each step's backward, before the non-finite check and clipping (tests inject faults).
    public var afterBackward: ((_ step: Int, _ grads: ParameterSet) -> Void)?
    public var progress: ProgressReporter
    public var signals: SignalMonitor? = SignalMonitor.shared

    /// - Parameters:
    ///   - start: the starting weights (a pretrained model); ignored when `resume` is given.
    ///   - heldOut: evaluation prompts with answers (may be empty).
    ///   - retain: pretraining validation tokens for the retention loss (nil skips it).
    ///   - resume: an SDFT checkpoint of this run; its settings win except for flags in `overrides`.
    public init(options: SDFTOptions, start: MHCModel, examples: [SDFTExample], codec: TextCodec,
                template: TeacherTemplate, heldOut: [SDFTExample] = [], retain: (any TokenSource)? = nil,
                resume: String? = nil, overrides: Set<String> = []) throws {
        var options = options
        var loaded: (metadata: [String: String], extra: [String: [Float]])?
        let student: MHCModel
        if let resume {
            let ckpt = try Checkpoint.load(path: resume)
            step = try SDFTCheckpointState.step(ckpt.metadata, file: resume)
            try SDFTCheckpointState.restoreSettings(ckpt.metadata, into: &options, overridden: overrides, file: resume)
            student = ckpt.model
            loaded = (ckpt.metadata, ckpt.extra)
        } else {
            step = 0
            let existing = CheckpointManager(directory: options.outDir, prefix: "sdft")
            let hasSteps = !(try existing.stepFiles().isEmpty)
            if FileManager.default.fileExists(atPath: existing.latestPath) || hasSteps {
                throw TrainingError("\(options.outDir) already holds SDFT checkpoints; resume with --resume \(existing.latestPath) or choose a new --out")
            }
            student = start
        }
        try options.validate(model: student.config)
        guard !examples.isEmpty else { throw SDFTError.badData("no training examples") }

        self.options = options
        self.student = student
        self.examples = examples
        self.heldOut = heldOut
        self.codec = codec
        self.template = template
        self.retain = retain
        self.order = ExampleOrder(count: examples.count, seed: options.seed)
        self.schedule = LRSchedule(peak: options.lr, minRatio: options.minLRRatio, warmup: options.warmup, total: options.steps)
        self.checkpoints = CheckpointManager(directory: options.outDir, prefix: "sdft", keepLast: options.keepLast)
        self.optimizer = AdamW(parameters: student.params, weightDecay: options.weightDecay)
        self.progress = ProgressReporter(totalSteps: options.steps, plainEvery: options.logEvery)
        self.encoded = examples.map {
            (codec.promptIDs($0.prompt), codec.promptIDs(template.render(prompt: $0.prompt, demonstration: $0.demonstration)),
             codec.encode($0.demonstration))
        }
        if options.method == .sdft {
            let params = ParameterSet(sameLayoutAs: student.params)
            params.copy(from: student.params)
            teacher = MHCModel(config: student.config, params: params)
        } else {
            teacher = nil
        }
        try checkLengths()
        if let retain, options.evalWindows > 0 {
            let need = options.evalWindows * student.config.maxSeqLen + 1
            guard retain.tokenCount >= need else {
                throw TrainingError("\(retain.sourceName): retention data has \(retain.tokenCount) tokens, but --eval-windows \(options.evalWindows) windows of max_seq_len \(student.config.maxSeqLen) need \(need)")
            }
        }
        if let loaded, let resume {
            try restore(loaded.extra, metadata: loaded.metadata, file: resume)
            for stale in try checkpoints.stepFiles() where stale.step > step {
                try FileManager.default.removeItem(atPath: stale.path)
            }
        }
    }

    /// Every context must fit `max_seq_len` together with its completion; the message names the example.
    private func checkLengths() throws {
        let maxT = student.config.maxSeqLen, o = options
        for (example, e) in zip(examples, encoded) {
            switch o.method {
            case .sdft:
                if e.student.count + o.maxNewTokens > maxT {
                    throw SDFTError.badData("\(example.source): field 'prompt' is \(e.student.count) tokens (with BOS); plus --max-new-tokens \(o.maxNewTokens) it exceeds max_seq_len \(maxT)")
                }
                if e.teacher.count + o.maxNewTokens - 1 > maxT {
                    throw SDFTError.badData("\(example.source): the teacher context (template with prompt and demonstration) is \(e.teacher.count) tokens; plus --max-new-tokens \(o.maxNewTokens) it exceeds max_seq_len \(maxT)")
                }
            case .sft:
                if e.student.count + e.demonstration.count > maxT {
                    throw SDFTError.badData("\(example.source): prompt + demonstration + EOS is \(e.student.count + e.demonstration.count + 1) tokens, more than max_seq_len \(maxT) + 1")
                }
            }
        }
        for example in heldOut where codec.promptIDs(example.prompt).count + o.evalMaxNewTokens > maxT {
            throw SDFTError.badData("\(example.source): field 'prompt' plus --eval-max-new-tokens \(o.evalMaxNewTokens) exceeds max_seq_len \(maxT)")
        }
    }

    private func restore(_ extra: [String: [Float]], metadata: [String: String], file: String) throws {
        func copy(_ name: String, into base: UnsafeMutablePointer<Float>, _ info: ParameterInfo) throws {
            guard let values = extra[name] else {
                throw TrainingError("\(file): tensor '\(name)' is missing; the checkpoint cannot resume this run")
            }
            guard values.count == info.count else {
                throw TrainingError("\(file): tensor '\(name)' has \(values.count) values, expected \(info.count)")
            }
            values.withUnsafeBufferPointer { (base + info.offset).update(from: $0.baseAddress!, count: info.count) }
        }
        try optimizer.restoreMoments(extra, layout: student.params, file: file)
        if let teacher {
            for info in student.params.infos {
                try copy(SDFTCheckpointState.teacherPrefix + info.name, into: teacher.params.data, info)
            }
        }
        optimizer.stepCount = Int(metadata["optimizer_steps"] ?? "") ?? step
    }

    /// Writes `sdft_step_N` and `sdft_latest` (student, teacher, optimizer moments); returns the step file.
    @discardableResult
    public func saveCheckpoint() throws -> String {
        var extra = optimizer.checkpointTensors(layout: student.params)
        if let teacher {
            for info in teacher.params.infos {
                extra[SDFTCheckpointState.teacherPrefix + info.name] = (info.shape, UnsafeBufferPointer(start: teacher.params.data + info.offset, count: info.count))
            }
        }
        let metadata = SDFTCheckpointState.metadata(options: options, step: step, optimizerSteps: optimizer.stepCount)
        return try checkpoints.save(step: step) { path in
            try Checkpoint.save(model: student, to: path, metadata: metadata, extra: extra)
        }
    }

    /// New-task score on the held-out prompts and retention loss on the retention data, for the current student.
    public func evaluate() throws -> SDFTEvaluationResult {
        var result = SDFTEvaluationResult(newTaskScore: nil, retentionLoss: nil, samples: [])
        if !heldOut.isEmpty {
            let (score, texts) = try SDFTEvaluation.newTaskScore(model: student, examples: heldOut, codec: codec,
                                                                 maxNewTokens: options.evalMaxNewTokens)
            result.newTaskScore = score
            result.samples = Array(texts.prefix(2))
        }
        // The first few training examples that fit max_seq_len with their demonstration in both contexts.
        let probe = zip(examples, encoded).filter {
            $0.1.teacher.count + $0.1.demonstration.count + 1 <= student.config.maxSeqLen
        }.prefix(8).map(\.0)
        if !probe.isEmpty {
            result.demonstrationGain = try SDFTEvaluation.demonstrationGain(model: student, examples: Array(probe),
                                                                            codec: codec, template: template)
        }
        if let retain, options.evalWindows > 0 {
            result.retentionLoss = try SDFTEvaluation.retentionLoss(model: student, source: retain, windows: options.evalWindows,
                                                                    seqLen: student.config.maxSeqLen)
        }
        return result
    }

    /// Seed of the student's sampling at step index `s`.
    func samplingSeed(step s: Int) -> UInt64 { options.seed &+ 0x9E37_79B9_7F4A_7C15 &* UInt64(s + 1) }

    func nonFinite(_ what: String, step: Int) -> TrainingError {
        let latest = FileManager.default.fileExists(atPath: checkpoints.latestPath)
            ? "the last good checkpoint \(checkpoints.latestPath) is left intact"
            : "no checkpoint had been written yet"
        return TrainingError("step \(step): \(what); stopping without saving (\(latest)). Try a lower --lr.")
    }
}
