import ArgumentParser

/// `discover bench ...`: speed measurements (run with `swift run -c release`). Each prints a readable table,
/// then its figures as one JSON object on the last line.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure speed (use a release build). Each prints a table, then one JSON line.",
        // One subcommand per line (keeps merges clean). Each lives in its own file: Bench<Name>Command.swift.
        subcommands: [
            BenchTokenizeCommand.self,
            BenchTrainCommand.self,
            BenchMHCCommand.self,
            BenchGenerateCommand.self,
            BenchSandboxCommand.self,
        ]
    )
}
