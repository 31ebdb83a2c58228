import Foundation
import JSONLines
import Training

extension SDFTTrainer {
    /// Runs until `steps` or a signal. A fresh run first evaluates the starting model (step 0). Throws on a
    /// non-finite loss or gradient without saving, so the previous checkpoint stays the latest.
    public func run() throws -> SDFTResult {
        let o = options
        try FileManager.default.createDirectory(atPath: o.outDir, withIntermediateDirectories: true)
        try writeConfigCopy()
        let metrics = try MetricsLog(path: o.outDir + "/metrics.jsonl", truncateAfterStep: step)
        var losses: [Double] = []
        var evaluations: [(step: Int, result: SDFTEvaluationResult)] = []
        var lastCheckpoint: String?
        var lastSavedStep = -1
        let clock = ContinuousClock()
        var seconds = 0.0
        let stopAt = min(o.steps, o.stopAfter ?? o.steps)

        if step == 0 {
            let e = try evaluate()
            evaluations.append((0, e))
            metrics.append([("step", .int(0))] + Self.fields(e))
            progress.message("step 0: " + Self.describe(e))
        } else {
            progress.message("resuming at step \(step)/\(o.steps)")
        }
        while step < stopAt {
            let s = step
            let started = clock.now
            let stats = try lossAndGradients(step: s)
            guard stats.loss.isFinite else { progress.finish(); throw nonFinite("loss is \(stats.loss)", step: s + 1) }
            let norm = try applyUpdate(step: s)
            let elapsed = (clock.now - started).components
            let stepSeconds = Double(elapsed.seconds) + Double(elapsed.attoseconds) * 1e-18
            seconds += stepSeconds
            step = s + 1
            losses.append(stats.loss)

            var record: [(String, MetricValue)] = [
                ("step", .int(step)), ("loss", .double(stats.loss)), ("lr", .double(Double(schedule.lr(step: s)))),
                ("grad_norm", .double(norm)), ("tokens_per_example", .double(stats.meanTokens)),
            ]
            if let eos = stats.eosRate { record.append(("eos_rate", .double(eos))) }
            record.append(("step_s", .double(stepSeconds)))
            if (o.evalEvery > 0 && step % o.evalEvery == 0) || step == o.steps {
                let e = try evaluate()
                evaluations.append((step, e))
                record += Self.fields(e)
                progress.message("step \(step): " + Self.describe(e))
            }
            metrics.append(record)
            let mean = seconds / Double(losses.count)
            progress.report(step: step, loss: stats.loss, lr: schedule.lr(step: s),
                            tokensPerSecond: stats.meanTokens * Double(o.promptsPerStep) / max(stepSeconds, 1e-9),
                            etaSeconds: Double(o.steps - step) * mean)

            let pending = signals?.pendingSignal()
            if (o.saveEvery > 0 && step % o.saveEvery == 0) || step == stopAt || pending != nil {
                lastCheckpoint = try saveCheckpoint()
                lastSavedStep = step
            }
            if let sig = pending {
                progress.finish()
                progress.message("received \(SignalMonitor.name(sig)): checkpoint written at step \(step) (\(checkpoints.latestPath))")
                try writeSummary()
                return SDFTResult(stop: .signal(sig), finalStep: step, losses: losses, evaluations: evaluations,
                                  lastCheckpoint: lastCheckpoint)
            }
        }
        if lastSavedStep != step { lastCheckpoint = try saveCheckpoint() }
        progress.finish()
        try writeSummary()
        return SDFTResult(stop: step >= o.steps ? .completed : .stoppedAfter, finalStep: step, losses: losses, evaluations: evaluations,
                          lastCheckpoint: lastCheckpoint)
    }

    static func fields(_ e: SDFTEvaluationResult) -> [(String, MetricValue)] {
        var f: [(String, MetricValue)] = []
        if let s = e.newTaskScore { f.append(("new_task_score", .double(s))) }
        if let r = e.retentionLoss { f.append(("retention_loss", .double(r))) }
        if let g = e.demonstrationGain { f.append(("demo_logprob_gain", .double(g))) }
        if let sample = e.samples.first { f.append(("sample", .string(sample))) }
        return f
    }

    static func describe(_ e: SDFTEvaluationResult) -> String {
        let score = e.newTaskScore.map { String(format: "new-task score %.3f", $0) } ?? "no held-out data"
        let retention = e.retentionLoss.map { String(format: "retention loss %.4f", $0) } ?? "no retention data"
        let gain = e.demonstrationGain.map { String(format: ", demonstration-in-context gain %+.3f nats/token", $0) } ?? ""
        return score + ", " + retention + gain
    }

    private func writeConfigCopy() throws {
        let o = options
        let config: [String: JSONValue] = [
            "method": .string(o.method.rawValue), "kl": .string(o.kl.rawValue), "steps": .int(Int64(o.steps)),
            "lr": .double(Double(o.lr)), "min_lr_ratio": .double(Double(o.minLRRatio)), "warmup": .int(Int64(o.warmup)),
            "weight_decay": .double(Double(o.weightDecay)), "clip": .double(o.clip),
            "prompts_per_step": .int(Int64(o.promptsPerStep)), "max_new_tokens": .int(Int64(o.maxNewTokens)),
            "skip_tokens": .int(Int64(o.skipTokens)), "ema": .double(Double(o.emaRate)),
            "eval_every": .int(Int64(o.evalEvery)), "eval_windows": .int(Int64(o.evalWindows)),
            "eval_max_new_tokens": .int(Int64(o.evalMaxNewTokens)), "seed": .string(String(o.seed)),
            "start_ckpt": .string(o.startCheckpoint), "data": .string(o.dataName),
            "teacher_template": .string(template.text), "model": .string(student.config.jsonString()),
        ]
        try Self.writeAtomically(options.outDir + "/sdft_config.json", JSONL.serialize(.object(config)) + "\n")
    }

    /// `summary.json`: the run's settings and every evaluation recorded in metrics.jsonl (also across resumes).
    private func writeSummary() throws {
        var evals: [JSONValue] = []
        for record in try JSONL.readLines(path: options.outDir + "/metrics.jsonl") {
            guard record.field("new_task_score") != nil || record.field("retention_loss") != nil else { continue }
            var e: [String: JSONValue] = ["step": .int(Int64(try record.int("step")))]
            if let s = record.field("new_task_score") { e["new_task_score"] = s }
            if let r = record.field("retention_loss") { e["retention_loss"] = r }
            evals.append(.object(e))
        }
        let summary: [String: JSONValue] = [
            "method": .string(options.method.rawValue), "final_step": .int(Int64(step)),
            "steps": .int(Int64(options.steps)), "checkpoint": .string(checkpoints.latestPath), "evaluations": .array(evals),
        ]
        try Self.writeAtomically(options.outDir + "/summary.json", JSONL.serialize(.object(summary)) + "\n")
    }

    static func writeAtomically(_ path: String, _ text: String) throws {
        let temp = path + ".tmp-\(getpid())"
        try text.write(toFile: temp, atomically: false, encoding: .utf8)
        if rename(temp, path) != 0 {
            throw TrainingError("\(path): cannot write (\(String(cString: strerror(errno))))")
        }
    }
}
