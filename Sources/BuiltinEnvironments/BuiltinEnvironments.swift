// The registry of every environment shipped with Discovery. Each environment target exposes
// `<Name>Environments.factories` (full id → factory); merge it here, one line per target.
import CodeEnvironment
import EnvironmentKit
import MathEnvironment
import ToyEnvironment

public enum BuiltinEnvironments {
    /// All built-in factories by full versioned id.
    public static func factories() -> [(source: String, factories: [String: EnvironmentFactory])] {
        var all: [(source: String, factories: [String: EnvironmentFactory])] = []
        all.append(("EnvironmentKit", ExternalEnvironments.factories))
        all.append(("ToyEnvironment", ToyEnvironments.factories))
        all.append(("MathEnvironment", MathEnvironments.factories))
        all.append(("CodeEnvironment", CodeEnvironments.factories))
        return all
    }

    /// A registry holding every built-in environment. Throws when two targets register the same id.
    public static func registry() throws -> EnvironmentRegistry {
        var registry = EnvironmentRegistry()
        for (source, factories) in factories() {
            do {
                try registry.register(contentsOf: factories)
            } catch {
                throw EnvironmentOptionError("registering \(source): \(error)")
            }
        }
        return registry
    }
}
