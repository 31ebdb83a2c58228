// Shared helpers: locating the shipped task files and building environments on them.
import CodeEnvironment
import EnvironmentKit
import Foundation
import Sandbox

enum TaskFiles {
    /// configs/tasks/code in this checkout.
    static let directory: String = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("configs/tasks/code").path

    static func path(_ name: String) -> String { "\(directory)/\(name)" }
}

/// One runner for the whole test target, so parallel tests share its concurrency limit.
let sharedRunner = SandboxRunner(maxParallel: 2)

func environment(_ file: String, _ args: [String: String] = [:]) throws -> CodeEnvironment {
    try CodeEnvironment(options: EnvironmentOptions(taskPath: TaskFiles.path(file), args: args), runner: sharedRunner)
}

/// A completion whose last fenced block is `code`.
func fenced(_ code: String) -> String { "Here is my solution.\n```python\n\(code)\n```\n" }
