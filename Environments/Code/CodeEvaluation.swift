// Turning harness reports into evaluations. A candidate's failure (invalid, crash, timeout,
// resource-limit) earns reward 0 and no child state; an infrastructure error earns no reward at all.
// Metrics are deterministic (no wall-clock times) so that evaluating twice gives equal evaluations.
import EnvironmentKit
import JSONLines

extension CodeEnvironment {
    func evaluateFunction(_ extracted: ExtractedCode, task: FunctionTask, limits: CodeLimits) async throws -> Evaluation {
        let request: [String: JSONValue] = [
            "mode": .string("tests"), "code": .string(extracted.code),
            "whole_text": .bool(extracted.origin == .wholeText), "prompt": .string(task.prompt),
            "test": .string(task.test), "entry_point": .string(task.entryPoint),
        ]
        let report: [String: JSONValue]
        switch try await harness.run(request, modules: [], limits: limits) {
        case .failure(let status, let message):
            return failed(status, feedback: message)
        case .report(let r):
            report = r
        }
        let status = Self.status(of: report)
        let passed = report["passed"]?.intValue ?? 0
        let total = report["total"]?.intValue ?? 0
        var metrics: [String: Double] = ["calls": Double(report["calls"]?.intValue ?? 0)]
        if total > 0 {
            metrics["passed"] = Double(passed)
            metrics["total"] = Double(total)
            metrics["pass_fraction"] = Double(passed) / Double(total)
        }
        let feedback = CodePrompt.testsFeedback(report, status: status, allOrNothing: settings.allOrNothing)
        guard status == .ok, total > 0 else {
            return failed(status == .ok ? .infraError : status, feedback: feedback, metrics: metrics)
        }
        let reward = settings.allOrNothing ? (passed == total ? 1 : 0) : Double(passed) / Double(total)
        let child = EnvState(construction: CodeState(taskID: task.taskID, code: extracted.code).encoded(),
                             value: reward, feedback: feedback)
        return Evaluation(reward: reward, status: .ok, metrics: metrics, feedback: feedback, child: child)
    }

    func evaluateOptimize(_ extracted: ExtractedCode, task: OptimizeTask, current: CodeState) async throws -> Evaluation {
        var request: [String: JSONValue] = [
            "mode": .string("optimize"), "code": .string(extracted.code),
            "whole_text": .bool(extracted.origin == .wholeText), "current": current.construction,
            "params": task.params, "entry_point": .string(task.entryPoint),
            "max_construction_bytes": .int(Int64(task.maxConstructionBytes)),
        ]
        if let driver = task.driver { request["driver"] = .string(driver.name) }
        let produced: [String: JSONValue]
        switch try await harness.run(request, modules: (task.driver.map { [$0] } ?? []) + task.support, limits: task.limits) {
        case .failure(let status, let message):
            return failed(status, feedback: message)
        case .report(let r):
            produced = r
        }
        var metrics: [String: Double] = ["calls": Double(produced["calls"]?.intValue ?? 0)]
        let status = Self.status(of: produced)
        guard status == .ok, let construction = produced["construction"] else {
            return failed(status == .ok ? .infraError : status, feedback: CodePrompt.runFeedback(produced, status: status),
                          metrics: metrics)
        }
        metrics["construction_bytes"] = Double(JSONL.serialize(construction).utf8.count)

        // The trusted scorer, in its own sandbox run, sees only the construction.
        let scoreRequest: [String: JSONValue] = [
            "mode": .string("score"), "scorer": .string(task.scorer.name),
            "construction": construction, "params": task.params,
        ]
        let verdict: [String: JSONValue]
        switch try await harness.run(scoreRequest, modules: [task.scorer] + task.support, limits: task.scoreLimits) {
        case .failure(let status, let message):
            // A scorer that runs out of time was handed a construction built to stall it; anything else is ours.
            let blamed: EvaluationStatus = status == .timeout ? .timeout : .infraError
            return failed(blamed, feedback: "Scoring failed: \(message)", metrics: metrics)
        case .report(let r):
            verdict = r
        }
        let scoreStatus = Self.status(of: verdict)
        guard scoreStatus == .ok else {
            return failed(.infraError, feedback: "Scoring failed: \(verdict["error"]?.stringValue ?? "no reason")",
                          metrics: metrics)
        }
        if case .object(let extra)? = verdict["metrics"] {
            for (key, value) in extra { if let x = value.doubleValue { metrics[key] = x } }
        }
        guard verdict["valid"]?.boolValue == true, let score = verdict["score"]?.doubleValue, score.isFinite else {
            let reason = verdict["reason"]?.stringValue ?? "no reason given"
            return failed(.invalid, feedback: "The construction is invalid: \(reason)", metrics: metrics)
        }
        metrics["score"] = score
        let feedback = CodePrompt.scoreFeedback(score: score, metrics: metrics, target: task.target,
                                                stdout: produced["stdout"]?.stringValue ?? "")
        let child = EnvState(construction: CodeState(taskID: nil, code: extracted.code, construction: construction).encoded(),
                             value: score, feedback: feedback)
        return Evaluation(reward: score, status: .ok, metrics: metrics, feedback: feedback, child: child)
    }

    /// The status the harness reported; an unknown or missing status is an infrastructure error.
    static func status(of report: [String: JSONValue]) -> EvaluationStatus {
        report["status"]?.stringValue.flatMap(EvaluationStatus.init(rawValue:)) ?? .infraError
    }

    func failed(_ status: EvaluationStatus, feedback: String, metrics: [String: Double] = [:]) -> Evaluation {
        Evaluation(reward: status == .infraError ? nil : 0, status: status, metrics: metrics, feedback: feedback)
    }
}
