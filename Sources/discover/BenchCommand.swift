import ArgumentParser

/// `discover bench ...`: speed measurements in release builds. Each prints a readable table and then
/// its figures as one JSON object on the last line.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure the speed of kernels and training steps (use a release build).",
        // One subcommand per line (keeps merges clean).
        subcommands: [
            BenchMHCCommand.self,
        ]
    )
}
