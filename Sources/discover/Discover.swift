import ArgumentParser

@main
struct DiscoverCLI: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "discover",
        abstract: "TTT-Discover: test-time reinforcement learning against pluggable reward environments.",
        subcommands: []
    )
}
