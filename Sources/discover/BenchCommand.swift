import ArgumentParser

/// `discover bench ...`: speed measurements (run with `swift run -c release`). Each prints a readable table,
/// then its figures as one JSON object on the last line.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure speed (use a release build; each prints a table, then one JSON line), or run a suite with --suite.",
        // One subcommand per line (keeps merges clean). Each lives in its own file: Bench<Name>Command.swift.
        subcommands: [
            BenchTokenizeCommand.self,
            BenchTrainCommand.self,
            BenchMHCCommand.self,
            BenchGenerateCommand.self,
            BenchSandboxCommand.self,
            BenchTTTStepCommand.self,
            BenchSuiteCommand.self,
        ]
    )

    // `discover bench --suite FILE [--out DIR]` is `discover bench suite` (the spelling).
    @Option(help: "Run a benchmark suite (same as `discover bench suite --suite FILE`).") var suite: String?
    @Option(help: "With --suite: output directory.") var out: String?

    func run() async throws {
        guard let suite else { throw CleanExit.helpRequest(self) }
        let command = try BenchSuiteCommand.parse(["--suite", suite] + (out.map { ["--out", $0] } ?? []))
        try await command.run()
    }
}
