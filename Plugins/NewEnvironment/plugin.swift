import PackagePlugin

@main
struct NewEnvironment: CommandPlugin {
    func performCommand(context: PluginContext, arguments: [String]) async throws {
        print("new-environment: not yet implemented")
    }
}
