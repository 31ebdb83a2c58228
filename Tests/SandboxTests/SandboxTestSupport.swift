// Helpers for the sandbox containment tests: Python candidates tagged with a unique marker in their argv,
// and a /proc scan that finds any process still carrying that marker.
import Foundation
@testable import Sandbox

/// A unique marker for one test's processes.
func makeMarker(_ name: String) -> String { "discover-sbx-\(name)-\(UInt64.random(in: 0 ..< .max))" }

/// `python3 -c CODE MARKER ARGS...` with the given limits.
func pythonRequest(_ code: String, marker: String, extraArgs: [String] = [], limits: SandboxLimits = SandboxLimits(),
                   environment: [String: String] = [:]) -> SandboxRequest {
    SandboxRequest(executable: "python3", arguments: ["-c", code, marker] + extraArgs, limits: limits,
                   environment: environment)
}

/// Pids (other than ours) whose command line contains `marker`.
func processesCarrying(_ marker: String) -> [Int32] {
    let me = getpid()
    var found: [Int32] = []
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    for entry in entries {
        guard let pid = Int32(entry), pid != me,
              let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline") else { continue }
        if String(decoding: data, as: UTF8.self).contains(marker) { found.append(pid) }
    }
    return found
}

/// True when the runner still runs an ordinary program correctly (the harness survived the last test).
func harnessStillWorks(_ runner: SandboxRunner) async throws -> Bool {
    let result = try await runner.run(SandboxRequest(executable: "python3", arguments: ["-c", "print(6 * 7)"]))
    return result.succeeded && result.stdoutText == "42\n"
}

/// Limits tight enough to keep each containment test around a second.
func quickLimits(wall: Double = 1.5) -> SandboxLimits {
    var limits = SandboxLimits()
    limits.wallSeconds = wall
    limits.cpuSeconds = 10
    limits.processes = 32
    return limits
}

let activeIsolation = SandboxRunner.detectIsolation()
