import Testing
@testable import EnvironmentKit
import ToyEnvironment

struct SelfCheckTests {
    @Test func toyEnvironmentPassesItsSelfCheck() async {
        let report = await EnvironmentSelfCheck.run(TargetStringEnvironment())
        #expect(report.passed, "\(report.items.filter { !$0.passed })")
        #expect(report.items.contains { $0.name == "repeatable 'exact'" && $0.passed })
    }

    @Test func aReferenceOutsideItsRangeFails() async {
        struct WrongReference: Environment {
            var spec: EnvironmentSpec { EnvironmentSpec(id: "test/wrong-v0", summary: "") }
            var problem: String { "P" }
            func initialStates() async throws -> [EnvState] { [EnvState(construction: "")] }
            func evaluate(completion: String, from state: EnvState) async throws -> Evaluation {
                Evaluation(reward: 0.5, status: .ok)
            }
            func references() -> [ReferenceCase] { [ReferenceCase(name: "one", completion: "x", expectedReward: 1...1)] }
        }
        let report = await EnvironmentSelfCheck.run(WrongReference())
        #expect(!report.passed)
        #expect(report.items.first { $0.name == "reference 'one'" }?.passed == false)
    }

    @Test func aDeterministicClaimThatDoesNotHoldFails() async {
        // CountingEnvironment(deterministic: false) changes its reward per call but we declare it
        // deterministic through a wrapper spec.
        struct Liar: Environment {
            let base = CountingEnvironment(deterministic: false)
            var spec: EnvironmentSpec { EnvironmentSpec(id: "test/liar-v0", summary: "", deterministic: true) }
            var problem: String { "P" }
            func initialStates() async throws -> [EnvState] { [EnvState(construction: "")] }
            func evaluate(completion: String, from state: EnvState) async throws -> Evaluation {
                try await base.evaluate(completion: completion, from: state)
            }
            func references() -> [ReferenceCase] { [ReferenceCase(name: "any", completion: "x", expectedReward: 0...100)] }
        }
        let report = await EnvironmentSelfCheck.run(Liar())
        #expect(!report.passed)
        #expect(report.items.first { $0.name == "repeatable 'any'" }?.passed == false)
    }

    @Test func noReferencesIsAFailure() async {
        struct Bare: Environment {
            var spec: EnvironmentSpec { EnvironmentSpec(id: "test/bare-v0", summary: "") }
            var problem: String { "P" }
            func initialStates() async throws -> [EnvState] { [] }
            func evaluate(completion: String, from state: EnvState) async throws -> Evaluation { Evaluation(reward: 0, status: .ok) }
            func references() -> [ReferenceCase] { [] }
        }
        let report = await EnvironmentSelfCheck.run(Bare())
        #expect(!report.passed)
        #expect(report.items.first { $0.name == "initial states" }?.passed == false)
        #expect(report.items.first { $0.name == "references" }?.passed == false)
    }
}
