// Drives the Python example environment and a misbehaving one over the JSON-lines protocol.
import EnvironmentKit
import Foundation
import Testing

@Suite(.serialized) struct ExternalEnvironmentTests {
    let example = repositoryRoot + "/examples/python-environment/sqrt2_env.py"
    let flaky = fixturesDirectory + "/flaky_env.py"

    @Test func pythonExampleSpeaksTheWholeProtocol() async throws {
        let env = try ExternalEnvironment(command: ["python3", example], options: .object(["max_denominator": .int(10)]))
        defer { Task { await env.shutdown() } }
        #expect(env.spec.id == "example/sqrt2-fraction-v0")
        #expect(env.spec.higherIsBetter && env.spec.deterministic)
        #expect(env.problem.contains("1 <= q <= 10"))     // the option reached the program
        let state = try await env.initialStates()[0]
        #expect(state.construction == "1/1")
        #expect(env.prompt(for: state).hasPrefix("Approximate sqrt(2) by p/q with q <= 10."))
        let good = try await env.evaluate(completion: "7/5", from: state)
        #expect(good.status == .ok)
        #expect(abs((good.reward ?? 0) - -log10(abs(7.0 / 5.0 - 2.0.squareRoot()))) < 1e-12)
        #expect(good.child?.construction == "7/5" && good.metrics["denominator"] == 5)
        let tooBig = try await env.evaluate(completion: "99/70", from: state)
        #expect(tooBig.status == .invalid && tooBig.reward == 0 && tooBig.child == nil)
        #expect(env.references().map(\.name) == ["99/70", "three halves", "not a fraction"])
    }

    @Test func pythonExamplePassesTheSelfCheck() async throws {
        let env = try ExternalEnvironment(command: ["python3", example])
        let report = await EnvironmentSelfCheck.run(env)
        await env.shutdown()
        #expect(report.passed, "\(report.items.filter { !$0.passed })")
    }

    @Test func crashedProgramIsRestartedForTheNextCall() async throws {
        let marker = "flaky-\(UInt64.random(in: 0 ..< .max))"
        let env = try ExternalEnvironment(command: ["python3", flaky, marker], timeout: 5)
        let state = EnvState(construction: "")
        do {
            _ = try await env.evaluate(completion: "crash", from: state)
            Issue.record("a crash must be an infrastructure error")
        } catch let error as ExternalEnvironmentError {
            #expect(error.description.contains("crashing as asked"))   // its stderr is in the message
        }
        let after = try await env.evaluate(completion: "abc", from: state)
        #expect(after.reward == 3)
        #expect(env.restarts == 1)
        await env.shutdown()
        #expect(processesCarrying(marker).isEmpty)
    }

    @Test func silentProgramTimesOutAndIsReplaced() async throws {
        let marker = "flaky-\(UInt64.random(in: 0 ..< .max))"
        let env = try ExternalEnvironment(command: ["python3", flaky, marker], timeout: 0.5)
        let state = EnvState(construction: "")
        let start = Date()
        await #expect(throws: ExternalEnvironmentError.self) { try await env.evaluate(completion: "hang", from: state) }
        #expect(Date().timeIntervalSince(start) < 3)
        #expect(processesCarrying(marker).isEmpty)   // the hung program was killed; the next call starts one
        let after = try await env.evaluate(completion: "ab", from: state)
        #expect(after.reward == 2 && env.restarts == 1)
        await env.shutdown()
        #expect(processesCarrying(marker).isEmpty)
    }

    @Test func malformedAndErrorResponsesAreInfrastructureErrors() async throws {
        let env = try ExternalEnvironment(command: ["python3", flaky], timeout: 5)
        let state = EnvState(construction: "")
        await #expect(throws: ExternalEnvironmentError.self) { try await env.evaluate(completion: "garbage", from: state) }
        await #expect(throws: ExternalEnvironmentError.self) { try await env.evaluate(completion: "error", from: state) }
        #expect(try await env.evaluate(completion: "abcd", from: state).reward == 4)
        await env.shutdown()
        await #expect(throws: ExternalEnvironmentError.self) { try await env.evaluate(completion: "x", from: state) }
    }

    @Test func missingProgramFailsAtConstruction() {
        #expect(throws: (any Error).self) { try ExternalEnvironment(command: ["no-such-program-xyz"]) }
        #expect(throws: ExternalEnvironmentError.self) { try ExternalEnvironment(command: []) }
    }

    @Test func factoryNeedsACommand() throws {
        #expect(throws: EnvironmentOptionError.self) { try ExternalEnvironment.factory(EnvironmentOptions()) }
        let env = try ExternalEnvironment.factory(EnvironmentOptions(args: ["command": "python3 \(example)"]))
        #expect(env.spec.id == "example/sqrt2-fraction-v0")
        Task { await env.shutdown() }
    }
}
