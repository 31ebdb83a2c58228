import EnvironmentKit
@testable import Discover

/// Reward = fraction of positions where the completion matches a hidden target string. Every completion
/// of the right length is valid and becomes a child state.
struct MatchTargetEnvironment: Environment {
    let target: String
    var spec: EnvironmentSpec { EnvironmentSpec(id: "test/match-target-v0", summary: "match a hidden string") }
    var problem: String { "Guess the hidden \(target.count)-letter string." }

    func initialStates() async throws -> [EnvState] { [EnvState(construction: "", value: nil)] }

    func prompt(for state: EnvState) -> String { problem + "\nCurrent: " + state.construction }

    func evaluate(completion: String, from state: EnvState) async throws -> Evaluation {
        guard completion.count == target.count else {
            return Evaluation(reward: 0, status: .invalid, feedback: "wrong length")
        }
        let hits = zip(completion, target).filter { $0 == $1 }.count
        let reward = Double(hits) / Double(target.count)
        return Evaluation(reward: reward, status: .ok, metrics: ["hits": Double(hits)], feedback: "\(hits) correct",
                          child: EnvState(construction: completion, value: reward))
    }

    func references() -> [ReferenceCase] {
        [ReferenceCase(name: "exact", completion: target, expectedReward: 1...1)]
    }

    func shutdown() async {}
}

/// Rejects everything (reward nil, status invalid): no child states, constant groups.
struct RejectingEnvironment: Environment {
    var spec: EnvironmentSpec { EnvironmentSpec(id: "test/reject-v0", summary: "rejects every completion") }
    var problem: String { "Nothing is accepted." }
    func initialStates() async throws -> [EnvState] { [EnvState(construction: "start", value: 0)] }
    func prompt(for state: EnvState) -> String { problem }
    func evaluate(completion: String, from state: EnvState) async throws -> Evaluation {
        Evaluation(reward: nil, status: .invalid, feedback: "rejected")
    }
    func references() -> [ReferenceCase] { [] }
    func shutdown() async {}
}

/// Throws from `evaluate` (an infrastructure failure) for completions starting with `failPrefix`
/// (every completion when it is empty); otherwise scores like `MatchTargetEnvironment`.
struct FlakyEnvironment: Environment {
    struct Broken: Error, CustomStringConvertible { var description: String { "scorer process died" } }
    let failPrefix: String
    /// Completions starting with this get a NaN reward with status ok (a buggy scorer).
    var nanPrefix = "\u{0}"
    let inner = MatchTargetEnvironment(target: "dddd")
    var spec: EnvironmentSpec { EnvironmentSpec(id: "test/flaky-v0", summary: "sometimes broken") }
    var problem: String { inner.problem }
    func initialStates() async throws -> [EnvState] { try await inner.initialStates() }
    func prompt(for state: EnvState) -> String { inner.prompt(for: state) }
    func evaluate(completion: String, from state: EnvState) async throws -> Evaluation {
        if completion.hasPrefix(failPrefix) { throw Broken() }
        if completion.hasPrefix(nanPrefix) { return Evaluation(reward: .nan, status: .ok) }
        return try await inner.evaluate(completion: completion, from: state)
    }
    func references() -> [ReferenceCase] { [] }
    func shutdown() async {}
}

let lowercase = Array("abcdefghijklmnopqrstuvwxyz")

/// Wraps a policy and records every training batch.
/// `samplerBias` is added to every reported sampler log-prob (a stand-in for a buggy sampling path).
final class RecordingPolicy: Policy {
    let inner: CharacterTablePolicy
    let samplerBias: Float
    var batches: [[PolicyExample]] = []
    init(_ inner: CharacterTablePolicy, samplerBias: Float = 0) {
        self.inner = inner
        self.samplerBias = samplerBias
    }
    func sample(prompts: [String], count: Int, options: RolloutOptions, seed: UInt64) async throws -> [[SampledCompletion]] {
        try await inner.sample(prompts: prompts, count: count, options: options, seed: seed).map { group in
            group.map { c in
                SampledCompletion(text: c.text, promptTokens: c.promptTokens, tokens: c.tokens,
                                  samplerLogProbs: c.samplerLogProbs.map { $0 + samplerBias })
            }
        }
    }
    func baseLogProbs(_ c: [SampledCompletion]) async throws -> [[Float]] { try await inner.baseLogProbs(c) }
    func currentLogProbs(_ c: [SampledCompletion]) async throws -> [[Float]] { try await inner.currentLogProbs(c) }
    func step(_ batch: [PolicyExample], learningRate: Double) async throws -> PolicyStepStats {
        batches.append(batch)
        return try await inner.step(batch, learningRate: learningRate)
    }
    var checkpointExtension: String { inner.checkpointExtension }
    func save(to path: String) throws { try inner.save(to: path) }
    func load(from path: String) throws { try inner.load(from: path) }
}

/// A completion is one edit "PC": position P in a…h and a replacement letter C, applied to the start
/// state's 8-letter string; reward = fraction of positions matching the hidden target. Improvements only
/// compound when the search continues from earlier children, so this exercises the archive.
struct EditEnvironment: Environment {
    let target = Array("discover")
    var spec: EnvironmentSpec { EnvironmentSpec(id: "test/edit-v0", summary: "one-letter edits toward a string") }
    var problem: String { "Edit the string toward the hidden word." }
    func initialStates() async throws -> [EnvState] { [EnvState(construction: "aaaaaaaa", value: 0)] }
    func prompt(for state: EnvState) -> String { problem + "\n" + state.construction }
    func evaluate(completion: String, from state: EnvState) async throws -> Evaluation {
        let c = Array(completion)
        guard c.count == 2, let p = "abcdefgh".firstIndex(of: c[0]) else {
            return Evaluation(reward: 0, status: .invalid, feedback: "expected an edit PC")
        }
        var s = Array(state.construction)
        s["abcdefgh".distance(from: "abcdefgh".startIndex, to: p)] = c[1]
        let reward = Double(zip(s, target).filter { $0 == $1 }.count) / 8
        return Evaluation(reward: reward, status: .ok, child: EnvState(construction: String(s), value: reward))
    }
    func references() -> [ReferenceCase] { [] }
    func shutdown() async {}
}

/// Reward = fraction of the completion's characters equal to `letter` (0 for an empty completion); every
/// completion is valid, so groups rarely tie.
struct LetterShareEnvironment: Environment {
    let letter: Character
    var spec: EnvironmentSpec { EnvironmentSpec(id: "test/letter-share-v0", summary: "use one letter a lot") }
    var problem: String { "Write letters." }
    func initialStates() async throws -> [EnvState] { [EnvState(construction: "", value: 0)] }
    func prompt(for state: EnvState) -> String { state.construction.isEmpty ? "a" : state.construction }
    func evaluate(completion: String, from state: EnvState) async throws -> Evaluation {
        let reward = completion.isEmpty ? 0 : Double(completion.filter { $0 == letter }.count) / Double(completion.count)
        return Evaluation(reward: reward, status: .ok, child: EnvState(construction: completion, value: reward))
    }
    func references() -> [ReferenceCase] { [] }
    func shutdown() async {}
}
