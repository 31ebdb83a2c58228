// `swift package --allow-writing-to-package-directory new-environment NAME`
// Scaffolds Environments/NAME/ (a working environment and its registry entry) and Tests/NAMEEnvironmentTests/
// (a test that runs the self-check), then prints the lines to add to Package.swift and to
// Sources/BuiltinEnvironments/BuiltinEnvironments.swift.
import Foundation
import PackagePlugin

@main
struct NewEnvironment: CommandPlugin {
    func performCommand(context: PluginContext, arguments: [String]) async throws {
        guard arguments.count == 1, let name = arguments.first else {
            throw PluginError("usage: swift package --allow-writing-to-package-directory new-environment NAME "
                              + "(NAME in UpperCamelCase, e.g. Knapsack)")
        }
        guard let first = name.first, first.isUppercase, first.isASCII,
              name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
            throw PluginError("NAME '\(name)' must be UpperCamelCase ASCII letters and digits, e.g. Knapsack")
        }
        let root = context.package.directoryURL
        let files = Scaffold(name: name).files()
        for (relative, _) in files where FileManager.default.fileExists(atPath: root.appendingPathComponent(relative).path) {
            throw PluginError("\(relative) already exists; choose another NAME or remove it")
        }
        for (relative, text) in files {
            let url = root.appendingPathComponent(relative)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
            print("created \(relative)")
        }
        print(Scaffold(name: name).instructions())
    }
}

struct PluginError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The files and instructions for one new environment.
struct Scaffold {
    let name: String
    var target: String { "\(name)Environment" }
    var namespace: String {
        // UpperCamelCase → kebab-case: "KnapsackPacking" → "knapsack-packing".
        var out = ""
        for (i, c) in name.enumerated() {
            if c.isUppercase && i > 0 { out += "-" }
            out += c.lowercased()
        }
        return out
    }
    var id: String { "\(namespace)/distinct-letters-v0" }

    func files() -> [(String, String)] {
        [("Environments/\(name)/\(name)Environment.swift", environmentSource),
         ("Environments/\(name)/\(name)Environments.swift", registrySource),
         ("Tests/\(target)Tests/\(name)EnvironmentTests.swift", testSource)]
    }

    var environmentSource: String {
        """
        // \(id): a template environment. Reward = distinct lowercase letters in the completion / 26.
        // Replace the problem, the scoring and the references with your own; keep evaluate deterministic
        // (or set `deterministic: false` in the spec) and never throw for a bad candidate.
        import EnvironmentKit

        public struct \(name)Environment: Environment {
            public init() {}

            public var spec: EnvironmentSpec {
                EnvironmentSpec(id: "\(id)", summary: "use as many distinct letters as possible",
                                higherIsBetter: true, deterministic: true, target: 1)
            }

            public var problem: String { "Write one line of text that uses as many distinct lowercase letters as possible." }

            public func initialStates() async throws -> [EnvState] { [EnvState(construction: "", value: nil)] }

            // `prompt(for:)` comes from EnvironmentKit's default layout; implement it to customise.

            public func evaluate(completion: String, from state: EnvState) async throws -> Evaluation {
                let line = completion.split(whereSeparator: \\.isNewline).first.map(String.init) ?? ""
                guard !line.isEmpty, line.count <= 1000 else {
                    return Evaluation(reward: 0, status: .invalid, feedback: "reply with one line of at most 1000 characters")
                }
                let letters = Set(line.filter { $0.isASCII && $0.isLowercase })
                let reward = Double(letters.count) / 26
                let feedback = "\\(letters.count) distinct letters"
                return Evaluation(reward: reward, status: .ok, metrics: ["length": Double(line.count)], feedback: feedback,
                                  child: EnvState(construction: line, value: reward, feedback: feedback))
            }

            public func references() -> [ReferenceCase] {
                [ReferenceCase(name: "pangram", completion: "the quick brown fox jumps over the lazy dog", expectedReward: 1...1),
                 ReferenceCase(name: "three letters", completion: "abcabc", expectedReward: (3.0 / 26)...(3.0 / 26)),
                 ReferenceCase(name: "empty", completion: "", expectedReward: 0...0)]
            }
        }

        """
    }

    var registrySource: String {
        """
        // Registry entries of the \(name) environments (merged in Sources/BuiltinEnvironments).
        import EnvironmentKit

        public enum \(name)Environments {
            public static let factories: [String: EnvironmentFactory] = [
                "\(id)": { options in
                    let config = try EnvironmentConfig(options: options)
                    try config.rejectUnknown(allowed: [], environment: "\(id)")
                    return \(name)Environment()
                },
            ]
        }

        """
    }

    var testSource: String {
        """
        import EnvironmentKit
        import Testing
        import \(target)

        struct \(name)EnvironmentTests {
            @Test func passesTheSelfCheck() async {
                let report = await EnvironmentSelfCheck.run(\(name)Environment())
                #expect(report.passed, "\\(report.items.filter { !$0.passed })")
            }

            @Test func rewardCountsDistinctLetters() async throws {
                let env = \(name)Environment()
                let state = try await env.initialStates()[0]
                let evaluation = try await env.evaluate(completion: "aab", from: state)
                #expect(evaluation.status == .ok)
                #expect(evaluation.reward == 2.0 / 26)
                #expect(evaluation.child?.construction == "aab")
            }

            @Test func isRegisteredUnderItsId() throws {
                var registry = EnvironmentRegistry()
                try registry.register(contentsOf: \(name)Environments.factories)
                #expect(try registry.make("\(namespace)/distinct-letters").spec.id == "\(id)")
            }
        }

        """
    }

    func instructions() -> String {
        """

        Next steps:
        1. Add to Package.swift, under "MARK: environments":
                .target(name: "\(target)", dependencies: ["EnvironmentKit"], path: "Environments/\(name)"),
           under "MARK: tests":
                .testTarget(name: "\(target)Tests", dependencies: ["\(target)", "EnvironmentKit"]),
           and add "\(target)" to the dependencies of the "BuiltinEnvironments" target.
        2. In Sources/BuiltinEnvironments/BuiltinEnvironments.swift add `import \(target)` and, in factories():
                all.append(("\(target)", \(name)Environments.factories))
        3. Check it:
                swift test --filter \(target)Tests
                swift run discover envs check \(id)
        """
    }
}
