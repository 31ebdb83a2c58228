@testable import CodeEnvironment
import EnvironmentKit
import Foundation
import Sandbox
import Testing

/// How a sandboxed harness run is read: only a line carrying this run's sentinel counts.
@Suite struct HarnessReportTests {
    let limits = CodeLimits()
    let sentinel = HarnessRunner.makeSentinel()

    func result(_ stdout: String, outcome: SandboxOutcome = .exited, exitCode: Int32? = 0, signal: Int32? = nil) -> SandboxResult {
        SandboxResult(outcome: outcome, exitCode: exitCode, signal: signal, stdout: Array(stdout.utf8),
                      isolation: .rlimitsOnly)
    }

    @Test func sentinelsAreFreshAndUnguessable() {
        let many = Set((0..<100).map { _ in HarnessRunner.makeSentinel() })
        #expect(many.count == 100)
        #expect(many.allSatisfy { $0.count == 32 && $0.allSatisfy(\.isHexDigit) })
    }

    @Test func onlyTheSentinelLineIsRead() throws {
        let out = "{\"status\": \"ok\", \"passed\": 9}\nfake \(String(repeating: "0", count: 32)) {}\n"
            + "\(sentinel) {\"status\":\"ok\",\"passed\":1,\"total\":2}\n"
        guard case .report(let report) = HarnessRunner.interpret(result(out), sentinel: sentinel, limits: limits) else {
            Issue.record("expected a report")
            return
        }
        #expect(report["passed"]?.intValue == 1)
    }

    @Test func exitCodeZeroWithoutTheSentinelIsNotSuccess() {
        let out = "passed 6 of 6\n{\"status\":\"ok\",\"passed\":6,\"total\":6}\n"
        guard case .failure(let status, _) = HarnessRunner.interpret(result(out), sentinel: sentinel, limits: limits) else {
            Issue.record("a run without the sentinel line must not be read as a report")
            return
        }
        #expect(status == .infraError)
    }

    @Test func twoSentinelLinesAreDistrusted() {
        let line = "\(sentinel) {\"status\":\"ok\"}\n"
        guard case .failure(let status, _) = HarnessRunner.interpret(result(line + line), sentinel: sentinel, limits: limits) else {
            Issue.record("expected a failure")
            return
        }
        #expect(status == .crash)
    }

    @Test func howTheRunEndedDecidesTheStatusWhenThereIsNoReport() {
        let cases: [(SandboxResult, EvaluationStatus)] = [
            (result("", outcome: .timeout, exitCode: nil), .timeout),
            (result("", outcome: .signaled, exitCode: nil, signal: 9), .crash),
            (result("", outcome: .signaled, exitCode: nil, signal: SIGXCPU), .timeout),
            (result("", outcome: .outputLimit, exitCode: nil), .resourceLimit),
            (result("", outcome: .launchFailure, exitCode: nil), .infraError),
        ]
        for (run, expected) in cases {
            guard case .failure(let status, _) = HarnessRunner.interpret(run, sentinel: sentinel, limits: limits) else {
                Issue.record("expected a failure for \(run.outcome)")
                continue
            }
            #expect(status == expected, "\(run.outcome)")
        }
    }
}
