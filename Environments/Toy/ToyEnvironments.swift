// Registry entries of the toy environments.
import EnvironmentKit

public enum ToyEnvironments {
    /// `toy/target-string-v0` options: `target` (the hidden string, default "discover"), `initial` (the
    /// starting string, default as many "a" as the target has characters), `mask` (feedback shows matching
    /// positions, default true), `prompt` (`layout`, the spec's sectioned prompt, default; or `echo`, three short
    /// lines in the built-in corpus's `Target: …` / `Reply:` form with strings spelled letter by letter, for small
    /// models; then `target` and `initial` must not contain whitespace).
    public static let factories: [String: EnvironmentFactory] = [
        "toy/target-string-v0": { options in
            let config = try EnvironmentConfig(options: options)
            try config.rejectUnknown(allowed: ["target", "initial", "mask", "prompt"], environment: "toy/target-string-v0")
            let target = try config.string("target", default: TargetStringEnvironment.defaultTarget)
            guard !target.isEmpty, !target.contains(where: \.isNewline) else {
                throw EnvironmentOptionError("toy/target-string-v0: option 'target' must be a non-empty single line")
            }
            let initial = try config.optionalString("initial")
            if let initial, initial.contains(where: \.isNewline) {
                throw EnvironmentOptionError("toy/target-string-v0: option 'initial' must be a single line")
            }
            let style = try config.string("prompt", default: "layout")
            guard let promptStyle = TargetStringEnvironment.PromptStyle(rawValue: style) else {
                throw EnvironmentOptionError("toy/target-string-v0: option 'prompt' must be layout or echo (got '\(style)')")
            }
            if promptStyle == .echo, target.contains(where: \.isWhitespace) || (initial ?? "").contains(where: \.isWhitespace) {
                throw EnvironmentOptionError("toy/target-string-v0: prompt=echo spells strings letter by letter with spaces, so 'target' and 'initial' must not contain whitespace")
            }
            return TargetStringEnvironment(target: target, initial: initial, showMask: try config.bool("mask", default: true),
                                           promptStyle: promptStyle)
        },
    ]
}
