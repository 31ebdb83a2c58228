// `discover bench suite --suite FILE`: the same as `discover bench --suite FILE` (docs/discover.md).
import ArgumentParser
import Foundation

struct BenchSuiteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "suite",
        abstract: "Run a benchmark suite (TTT-Discover vs baselines); writes results.json, report.md, report.html.")

    @Option(help: "Suite file, e.g. configs/bench/toy.json.") var suite: String
    @Option(help: "Output directory (default: runs/bench/<suite name>).") var out: String?
    @Option(help: "Compute threads (default: all cores).") var threads: Int?
    @Option(help: "Sequences per forward/backward pass in the update.") var microBatch = 8

    func run() async throws {
        guard FileManager.default.fileExists(atPath: suite) else { throw CLIError("--suite \(suite): no such file") }
        try await runBenchSuite(path: suite, out: out, threads: threads, microBatch: microBatch)
    }
}
