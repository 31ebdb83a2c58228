import ArgumentParser
import Foundation
import Model

/// `discover init`: a freshly initialised checkpoint (spec initialisation, reproducible from --seed).
struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Write a freshly initialised model checkpoint (safetensors) for a model config.")

    @Option(help: "Model config JSON (e.g. configs/model_mhc_tiny.json).") var model: String
    @Option(help: "Output checkpoint path (.safetensors); written atomically.") var out: String
    @Option(help: "Initialisation seed.") var seed: UInt64 = 1337

    func run() throws {
        do {
            let config = try ModelConfig.load(path: model)
            let m = MHCModel(config: config, seed: seed)
            try Checkpoint.save(model: m, to: out, metadata: ["stage": "init", "step": "0", "seed": String(seed)])
            print("wrote \(out): \(m.parameterCount) parameters, \(config.nLayers) layers, n_streams \(config.nStreams)")
        } catch let e as ModelConfigError {
            throw ModelCommandError(e.description)
        } catch let e as Checkpoint.Error {
            throw ModelCommandError(e.description)
        }
    }
}

/// A user-facing failure of the model commands: ArgumentParser prints "Error: MESSAGE" and exits non-zero.
struct ModelCommandError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}
