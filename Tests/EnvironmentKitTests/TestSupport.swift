import EnvironmentKit
import Foundation

/// The repository root, from this file's path (Tests/EnvironmentKitTests/TestSupport.swift).
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path

let fixturesDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").path

/// Writes `text` to a fresh temporary file and returns its path.
func temporaryFile(_ text: String, suffix: String = ".json") throws -> String {
    let path = FileManager.default.temporaryDirectory
        .appendingPathComponent("envkit-test-\(UInt64.random(in: 0 ..< .max))\(suffix)").path
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

/// Pids (other than ours) whose command line contains `marker`.
func processesCarrying(_ marker: String) -> [Int32] {
    let me = getpid()
    return ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { entry in
        guard let pid = Int32(entry), pid != me,
              let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline") else { return nil }
        return String(decoding: data, as: UTF8.self).contains(marker) ? pid : nil
    }
}

/// An environment that counts evaluations; reward = number of characters. `nondeterministic` adds the
/// call count to the reward.
final class CountingEnvironment: Environment, @unchecked Sendable {
    private let lock = NSLock()
    private var calls = 0
    let deterministic: Bool
    let status: EvaluationStatus
    init(deterministic: Bool = true, status: EvaluationStatus = .ok) {
        self.deterministic = deterministic
        self.status = status
    }
    var evaluations: Int { lock.withLock { calls } }
    var spec: EnvironmentSpec { EnvironmentSpec(id: "test/counting-v0", summary: "counts", deterministic: deterministic) }
    var problem: String { "Count characters." }
    func initialStates() async throws -> [EnvState] { [EnvState(construction: "")] }
    func evaluate(completion: String, from state: EnvState) async throws -> Evaluation {
        let n = lock.withLock { calls += 1; return calls }
        let reward = Double(completion.count) + (deterministic ? 0 : Double(n))
        return Evaluation(reward: reward, status: status)
    }
    func references() -> [ReferenceCase] { [ReferenceCase(name: "abc", completion: "abc", expectedReward: 3...3)] }
}
