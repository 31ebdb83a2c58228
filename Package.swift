// swift-tools-version: 6.1
// Discovery: TTT-Discover on a CPU-trained mHC transformer, with pluggable reward environments.
import PackageDescription

/// Hot numeric targets are optimised even in debug builds so that tests and
/// `swift run` stay usable; correctness is still checked against naive twins.
let fast: [SwiftSetting] = [.unsafeFlags(["-O"])]

/// The Tensor kernels use SIMD8<Float> fused multiply-adds; on x86-64 they need AVX2 + FMA code generation,
/// otherwise every lane becomes a call to libm's fmaf (5–10× slower stream mixing).
#if arch(x86_64)
let kernelISA: [SwiftSetting] = [.unsafeFlags(["-target-cpu", "haswell"])]
#else
let kernelISA: [SwiftSetting] = []
#endif

let package = Package(
    name: "Discovery",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "discover", targets: ["discover"]),
        .library(name: "EnvironmentKit", targets: ["EnvironmentKit"]),
        .plugin(name: "NewEnvironment", targets: ["NewEnvironment"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // MARK: native libraries
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CJSONC", path: "Sources/CJSONC", pkgConfig: "json-c",
                       providers: [.apt(["libjson-c-dev"])]),
        .target(name: "CSentencePiece", path: "Sources/CSentencePiece",
                cxxSettings: [.unsafeFlags(["-std=c++17"])],
                linkerSettings: [.linkedLibrary("sentencepiece"), .linkedLibrary("sentencepiece_train")]),

        // MARK: foundation
        .target(name: "Randomness"),
        .target(name: "JSONLines", dependencies: ["CJSONC"]),
        .target(name: "Tokenizer", dependencies: ["CSentencePiece"]),
        .target(name: "TokenData", dependencies: ["JSONLines", "Tokenizer", "Randomness"]),

        // MARK: model core
        .target(name: "Tensor", dependencies: ["CBLAS"], swiftSettings: fast + kernelISA),
        .target(name: "SafeTensors"),
        .target(name: "Model", dependencies: ["Tensor", "SafeTensors", "Randomness"], swiftSettings: fast),

        // MARK: stages
        .target(name: "Training", dependencies: ["Model", "Tensor", "TokenData", "SafeTensors", "JSONLines"], swiftSettings: fast),
        .target(name: "Generation", dependencies: ["Model", "Tensor", "TokenData", "Randomness"], swiftSettings: fast),
        .target(name: "SDFT", dependencies: ["Model", "Training", "Generation", "Tokenizer", "TokenData", "JSONLines", "Randomness"], swiftSettings: fast),

        // MARK: environments
        .target(name: "Sandbox"),
        .target(name: "EnvironmentKit", dependencies: ["Sandbox", "JSONLines"]),
        .target(name: "ToyEnvironment", dependencies: ["EnvironmentKit"], path: "Environments/Toy"),
        .target(name: "MathEnvironment", dependencies: ["EnvironmentKit", "JSONLines"], path: "Environments/Math"),
        .target(name: "CodeEnvironment", dependencies: ["EnvironmentKit", "Sandbox", "JSONLines"],
                path: "Environments/Code", resources: [.copy("Harness")]),
        .target(name: "BuiltinEnvironments",
                dependencies: ["EnvironmentKit", "ToyEnvironment", "MathEnvironment", "CodeEnvironment"]),

        // MARK: discovery
        .target(name: "Discover", dependencies: ["EnvironmentKit", "Model", "Generation", "Training", "Tokenizer", "Randomness"],
                swiftSettings: fast),

        // MARK: command-line tool
        .executableTarget(name: "discover", dependencies: [
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            "Tokenizer", "TokenData", "JSONLines", "Tensor", "Model", "SafeTensors", "Training", "Generation",
            "SDFT", "EnvironmentKit", "BuiltinEnvironments", "Discover", "Sandbox", "Randomness",
        ]),

        // MARK: plugins
        .plugin(name: "NewEnvironment",
                capability: .command(intent: .custom(verb: "new-environment",
                                                     description: "Scaffold Environments/NAME with a template and a test"),
                                     permissions: [.writeToPackageDirectory(reason: "Creates Environments/NAME")])),

        // MARK: tests
        .testTarget(name: "TokenizerTests", dependencies: ["Tokenizer"], resources: [.copy("Fixtures")]),
        .testTarget(name: "TokenDataTests", dependencies: ["TokenData", "JSONLines", "Tokenizer"]),
        .testTarget(name: "TensorTests", dependencies: ["Tensor", "Randomness"], swiftSettings: fast),
        .testTarget(name: "ModelTests", dependencies: ["Model", "Tensor", "SafeTensors", "Randomness"], swiftSettings: fast),
        .testTarget(name: "SafeTensorsTests", dependencies: ["SafeTensors"]),
        .testTarget(name: "TrainingTests", dependencies: ["Training", "Model"], swiftSettings: fast),
        .testTarget(name: "GenerationTests", dependencies: ["Generation", "Model"], swiftSettings: fast),
        .testTarget(name: "SDFTTests", dependencies: ["SDFT", "Model", "Generation", "Training"], swiftSettings: fast),
        .testTarget(name: "SandboxTests", dependencies: ["Sandbox"]),
        .testTarget(name: "EnvironmentKitTests", dependencies: ["EnvironmentKit", "ToyEnvironment", "JSONLines"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "MathEnvironmentTests", dependencies: ["MathEnvironment", "EnvironmentKit"]),
        .testTarget(name: "CodeEnvironmentTests", dependencies: ["CodeEnvironment", "EnvironmentKit", "Sandbox"]),
        .testTarget(name: "DiscoverTests", dependencies: ["Discover", "EnvironmentKit", "ToyEnvironment", "Model", "Randomness"],
                    swiftSettings: fast),
        .testTarget(name: "CLITests", dependencies: []),
    ]
)
