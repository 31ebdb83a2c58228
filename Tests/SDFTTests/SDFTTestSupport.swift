import Foundation
import Model
@testable import SDFT

/// A micro model (a step takes milliseconds) and a character codec over its 32 ids.
enum Micro {
    static let config = ModelConfig(vocabSize: 32, dModel: 16, nLayers: 2, nHeads: 2, ffnHidden: 32, maxSeqLen: 96,
                                    ropeTheta: 10000, normEps: 1e-5, tieEmbeddings: true, nStreams: 2, sinkhornIters: 5)

    /// Letters a–z ↦ 4…29, space ↦ 30, anything else ↦ 31; ids 0–3 are PAD, UNK, BOS, EOS.
    static let codec = TextCodec(
        encode: { text in text.unicodeScalars.map { u in
            if u.value >= 97 && u.value <= 122 { return Int32(u.value - 97 + 4) }
            return u == " " ? 30 : 31
        } },
        decode: { ids in String(ids.map { id -> Character in
            if id >= 4 && id <= 29 { return Character(UnicodeScalar(UInt8(id - 4 + 97))) }
            return id == 30 ? " " : "?"
        }) })

    static let examples = [
        SDFTExample(prompt: "abc", demonstration: "xyz zy", answer: "x", source: "t:1"),
        SDFTExample(prompt: "bcd e", demonstration: "wxy", answer: "w", source: "t:2"),
        SDFTExample(prompt: "cd", demonstration: "vwx wv", answer: "v", source: "t:3"),
    ]

    static func options(_ dir: String) -> SDFTOptions {
        var o = SDFTOptions(outDir: dir)
        o.steps = 4
        o.lr = 1e-2
        o.warmup = 1
        o.promptsPerStep = 2
        o.maxNewTokens = 6
        o.skipTokens = 1
        o.evalEvery = 0
        o.saveEvery = 0
        o.logEvery = 1000
        o.seed = 7
        return o
    }

    static func trainer(_ o: SDFTOptions, seed: UInt64 = 3, resume: String? = nil,
                        overrides: Set<String> = []) throws -> SDFTTrainer {
        let t = try SDFTTrainer(options: o, start: MHCModel(config: config, seed: seed), examples: examples, codec: codec,
                                template: TeacherTemplate("{prompt}|{demonstration}|"), resume: resume, overrides: overrides)
        t.signals = nil
        t.progress = .init(totalSteps: o.steps, plainEvery: 1_000_000, isTerminal: false)
        return t
    }

    static func tempDir(_ label: String = #function) -> String {
        NSTemporaryDirectory() + "sdft-test-\(label.filter(\.isLetter))-\(UUID().uuidString)"
    }

    static func params(_ m: MHCModel) -> [Float] { Array(UnsafeBufferPointer(start: m.params.data, count: m.params.count)) }
}
