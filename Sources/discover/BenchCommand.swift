import ArgumentParser

/// `discover bench ...`: speed measurements (use a release build). Each prints a readable table, then
/// its figures as one JSON object on the last line.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Speed benchmarks (release build). Each prints a table, then one JSON line.",
        // One subcommand per line.
        subcommands: [
            BenchTrainCommand.self,
            BenchMHCCommand.self,
        ]
    )
}
