import EnvironmentKit

/// The math environments by full id, for the registry (`BuiltinEnvironments`).
public enum MathEnvironments {
    public static let factories: [String: EnvironmentFactory] = [
        VerifyEnvironment.id: { options in try VerifyEnvironment(options: options) },
        CountdownEnvironment.id: { options in try CountdownEnvironment(options: options) },
    ]
}
