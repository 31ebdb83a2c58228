// `discover bench ...`: speed measurements (run them from a release build). Each prints a readable table,
// then its figures as one JSON object on its last line. One subcommand per line; each in its own file.
import ArgumentParser

struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks (use a release build: swift run -c release discover bench ...).",
        subcommands: [
            BenchSandboxCommand.self,
        ]
    )
}
