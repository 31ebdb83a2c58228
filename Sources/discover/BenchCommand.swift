import ArgumentParser
import Foundation

/// `discover bench ...`: speed measurements (run with `swift run -c release`). Each prints a readable table,
/// then its figures as one JSON object on the last line. `discover bench --suite FILE` itself runs a
/// discovery benchmark suite (environments × methods × seeds at equal sample budgets).
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Run a discovery benchmark suite (--suite), or measure speed with a subcommand (use a release build).",
        discussion: """
        discover bench --suite configs/bench/toy.json [--out DIR] runs every (environment, method, seed) of the \
        suite at its shared sample budget and writes DIR/results.json, DIR/report.md (table) and DIR/report.html \
        (plots of best-so-far against samples); finished runs are reused and interrupted ones resumed.
        """,
        // One subcommand per line (keeps merges clean). Each lives in its own file: Bench<Name>Command.swift.
        subcommands: [
            BenchTokenizeCommand.self,
            BenchTrainCommand.self,
            BenchMHCCommand.self,
            BenchGenerateCommand.self,
            BenchSandboxCommand.self,
            BenchTTTStepCommand.self,
        ]
    )

    @Option(help: "Benchmark suite JSON (e.g. configs/bench/toy.json).") var suite: String?
    @Option(help: "Output folder of the suite (default runs/bench/<suite name>).") var out: String?
    // No `--threads` here: a parent's options are parsed anywhere on the command line, so it would swallow
    // every bench subcommand's own `--threads`. A suite uses all cores.

    func run() async throws {
        guard let suite else { throw CleanExit.helpRequest(self) }
        guard FileManager.default.fileExists(atPath: suite) else { throw CLIError("--suite \(suite): no such file") }
        try await runBenchSuite(path: suite, out: out, threads: nil)
    }
}
