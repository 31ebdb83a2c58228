// Registry entries of the toy environments.
import EnvironmentKit

public enum ToyEnvironments {
    /// `toy/target-string-v0` options: `target` (the hidden string, default "discover"), `initial` (the
    /// starting string, default as many "a" as the target has characters), `mask` (feedback shows matching
    /// positions, default true).
    public static let factories: [String: EnvironmentFactory] = [
        "toy/target-string-v0": { options in
            let config = try EnvironmentConfig(options: options)
            try config.rejectUnknown(allowed: ["target", "initial", "mask"], environment: "toy/target-string-v0")
            let target = try config.string("target", default: TargetStringEnvironment.defaultTarget)
            guard !target.isEmpty, !target.contains(where: \.isNewline) else {
                throw EnvironmentOptionError("toy/target-string-v0: option 'target' must be a non-empty single line")
            }
            let initial = try config.optionalString("initial")
            if let initial, initial.contains(where: \.isNewline) {
                throw EnvironmentOptionError("toy/target-string-v0: option 'initial' must be a single line")
            }
            return TargetStringEnvironment(target: target, initial: initial, showMask: try config.bool("mask", default: true))
        },
    ]
}
