// `discover bench sandbox`: trivial Python candidates per second through the sandbox with every core busy
// (target ≥ 40/s on 2 cores), sandbox start-up cost with `true`, and the JSON-lines round trip to an
// external environment (target ≤ 1 ms).
import ArgumentParser
import EnvironmentKit
import Foundation
import JSONLines
import Sandbox

struct BenchSandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sandbox", abstract: "Sandboxed candidates per second and external-environment round trip.")

    @Option(help: "Sandboxed runs per measurement.") var runs = 200
    @Option(help: "Runs in flight at once, comma-separated levels; the first is the headline (default: one per core, then 2× and 4×).")
    var parallel: String = {
        let n = ProcessInfo.processInfo.activeProcessorCount
        return "\(n),\(2 * n),\(4 * n)"
    }()
    @Option(help: "Round trips to the external environment.") var roundTrips = 2000
    @Option(help: "External environment program (a Python file speaking the JSON-lines protocol).")
    var external = "examples/python-environment/sqrt2_env.py"

    func validate() throws {
        guard runs >= 1, roundTrips >= 1, !levels.isEmpty, levels.allSatisfy({ $0 >= 1 }) else {
            throw ValidationError("--runs, --round-trips and every --parallel level must be positive integers")
        }
        guard FileManager.default.fileExists(atPath: external) else {
            throw ValidationError("--external \(external): no such file (run from the repository root)")
        }
    }

    func run() async throws {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        print("sandbox isolation: \(SandboxRunner.detectIsolation().rawValue); \(cores) cores; \(runs) runs per row")
        print(row(["candidate", "in flight", "runs/s", "p50 ms", "p99 ms"]))
        let pythonRequest = SandboxRequest(executable: "python3", arguments: ["-c", "print(sum(range(100)))"])
        var pythonByLevel: [(level: Int, t: Throughput)] = []
        for level in levels {
            let t = try await measure(SandboxRunner(maxParallel: level), pythonRequest, expect: "4950\n", label: "python3 -c", level: level)
            pythonByLevel.append((level, t))
        }
        let python = pythonByLevel[0].t
        let noSite = try await measure(SandboxRunner(maxParallel: levels[0]),
                                       SandboxRequest(executable: "python3", arguments: ["-S", "-c", "print(sum(range(100)))"]),
                                       expect: "4950\n", label: "python3 -S -c", level: levels[0])
        let trueRun = try await measure(SandboxRunner(maxParallel: levels[0]), SandboxRequest(executable: "true"),
                                        expect: "", label: "true", level: levels[0])
        var load = [Double](repeating: 0, count: 3)
        _ = getloadavg(&load, 3)
        print("load average during the runs: \(fmt(load[0])) (1 min) on \(cores) cores")
        print("")
        print("external environment round trip (\(external), \(roundTrips) evaluate calls)")
        let env = try ExternalEnvironment(command: ["python3", external])
        let state = try await env.initialStates()[0]
        for _ in 0 ..< 50 { _ = try await env.evaluate(completion: "99/70", from: state) }   // warm up
        var samples: [Double] = []
        samples.reserveCapacity(roundTrips)
        for i in 0 ..< roundTrips {
            let t0 = DispatchTime.now().uptimeNanoseconds
            let e = try await env.evaluate(completion: i % 2 == 0 ? "99/70" : "3/2", from: state)
            samples.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
            guard e.status == .ok else { throw CLIError("external evaluation returned \(e.status.rawValue)") }
        }
        await env.shutdown()
        let rt = Summary(samples)
        print(row(["measure", "mean ms", "p50 ms", "p99 ms"]))
        print(row(["round trip", fmt(rt.mean), fmt(rt.p50), fmt(rt.p99)]))

        var byLevel: [String: JSONValue] = [:]
        for (level, t) in pythonByLevel { byLevel["\(level)"] = .double(t.perSecond) }
        let figures: [String: JSONValue] = [
            "bench": .string("sandbox"), "isolation": .string(SandboxRunner.detectIsolation().rawValue),
            "cores": .int(Int64(cores)), "parallel": .int(Int64(levels[0])), "runs": .int(Int64(runs)),
            "python_per_second": .double(python.perSecond), "python_p50_ms": .double(python.latency.p50),
            "python_per_second_by_parallel": .object(byLevel),
            "load_average_1m": .double(load[0]),
            "python_nosite_per_second": .double(noSite.perSecond),
            "true_per_second": .double(trueRun.perSecond), "true_p50_ms": .double(trueRun.latency.p50),
            "external_roundtrip_mean_ms": .double(rt.mean), "external_roundtrip_p50_ms": .double(rt.p50),
            "external_roundtrip_p99_ms": .double(rt.p99),
        ]
        print(JSONL.serialize(.object(figures)))
    }

    var levels: [Int] { parallel.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) } }

    struct Throughput { var perSecond: Double; var latency: Summary }

    /// `runs` copies of `request` through `runner`, all submitted at once (the runner bounds parallelism).
    func measure(_ runner: SandboxRunner, _ request: SandboxRequest, expect: String, label: String, level: Int) async throws -> Throughput {
        let start = DispatchTime.now().uptimeNanoseconds
        let latencies: [Double] = try await withThrowingTaskGroup(of: Double.self) { group in
            for _ in 0 ..< runs {
                group.addTask {
                    let result = try await runner.run(request)
                    guard result.succeeded, result.stdoutText == expect else {
                        throw CLIError("\(label): \(result.outcome.rawValue) exit \(result.exitCode.map(String.init) ?? "-"): \(result.stderrText)")
                    }
                    return result.wallSeconds * 1000
                }
            }
            var all: [Double] = []
            for try await ms in group { all.append(ms) }
            return all
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let throughput = Throughput(perSecond: Double(runs) / seconds, latency: Summary(latencies))
        print(row([label, "\(level)", fmt(throughput.perSecond), fmt(throughput.latency.p50), fmt(throughput.latency.p99)]))
        return throughput
    }

    struct Summary {
        var mean, p50, p99: Double
        init(_ xs: [Double]) {
            let s = xs.sorted()
            mean = s.reduce(0, +) / Double(max(s.count, 1))
            p50 = s.isEmpty ? 0 : s[s.count / 2]
            p99 = s.isEmpty ? 0 : s[min(s.count - 1, Int(Double(s.count) * 0.99))]
        }
    }

    func fmt(_ x: Double) -> String { String(format: x >= 100 ? "%.0f" : "%.3f", x) }
    func row(_ cells: [String]) -> String {
        cells.enumerated().map { $0 == 0 ? $1.padding(toLength: 16, withPad: " ", startingAt: 0)
            : String(repeating: " ", count: max(0, 10 - $1.count)) + $1 }.joined(separator: " ")
    }
}
