import ArgumentParser

@main
struct DiscoverCLI: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "discover",
        abstract: "TTT-Discover: test-time reinforcement learning against pluggable reward environments.",
        // One subcommand per line (keeps merges clean). Each lives in its own file in this folder.
        subcommands: [
            VersionCommand.self,
            EnvsCommand.self,
            PrepareDataCommand.self,
            TokenizeCommand.self,
            PretrainCommand.self,
            InitCommand.self,
            EvalCommand.self,
            BenchCommand.self,
            SampleCommand.self,
            TTTCommand.self,
            BestOfNCommand.self,
            SDFTCommand.self,
        ]
    )
}

struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "version", abstract: "Print the version.")
    func run() { print("discover 0.1.0") }
}
