import Testing
@testable import EnvironmentKit

struct EnvironmentRegistryTests {
    /// A factory that builds a counting environment (which version was built is what resolve returns).
    let factory: EnvironmentFactory = { _ in CountingEnvironment() }

    func registry(_ ids: [String]) throws -> EnvironmentRegistry {
        var registry = EnvironmentRegistry()
        for id in ids { try registry.register(id, factory: factory) }
        return registry
    }

    @Test func unversionedIdResolvesToTheLatestVersion() throws {
        let r = try registry(["toy/target-string-v0", "toy/target-string-v2", "toy/target-string-v10", "toy/other-v5"])
        #expect(try r.resolve("toy/target-string") == "toy/target-string-v10")
        #expect(try r.resolve("toy/target-string-v2") == "toy/target-string-v2")
    }

    @Test func missingVersionListsTheAvailableOnes() throws {
        let r = try registry(["toy/target-string-v0", "toy/target-string-v2"])
        #expect(throws: EnvironmentRegistryError.unknownVersion(id: "toy/target-string-v1",
                                                                available: ["toy/target-string-v0", "toy/target-string-v2"])) {
            try r.resolve("toy/target-string-v1")
        }
    }

    @Test func unknownIdListsKnownIdsAndCloseMatches() throws {
        let r = try registry(["toy/target-string-v0", "math/verify-v0", "code/python-v0"])
        do {
            _ = try r.resolve("toy/target-strng")
            Issue.record("resolving a misspelt id must throw")
        } catch let error as EnvironmentRegistryError {
            guard case .unknown(_, let known, let close) = error else { Issue.record("wrong error \(error)"); return }
            #expect(known == ["code/python-v0", "math/verify-v0", "toy/target-string-v0"])
            #expect(close == ["toy/target-string-v0"])
            #expect(error.description.contains("Did you mean: toy/target-string-v0?"))
        }
        // A bare name without namespace still finds its namespaced relative.
        #expect(r.closeMatches(for: "verify") == ["math/verify-v0"])
        #expect(r.closeMatches(for: "zzzzzzzz").isEmpty)
    }

    @Test func duplicateRegistrationIsRejected() throws {
        var r = try registry(["toy/target-string-v0"])
        #expect(throws: EnvironmentRegistryError.duplicate(id: "toy/target-string-v0")) {
            try r.register("toy/target-string-v0", factory: factory)
        }
        #expect(r.ids == ["toy/target-string-v0"])
    }

    @Test func registrationNeedsAVersion() {
        var r = EnvironmentRegistry()
        #expect(throws: EnvironmentRegistryError.unversionedRegistration(id: "toy/x")) {
            try r.register("toy/x", factory: factory)
        }
    }

    @Test func makeBuildsThroughTheFactoryWithOptions() throws {
        var r = EnvironmentRegistry()
        try r.register("test/echo-v0") { options in
            CountingEnvironment(deterministic: options.args["deterministic"] != "false")
        }
        let env = try r.make("test/echo", options: EnvironmentOptions(args: ["deterministic": "false"]))
        #expect(env.spec.deterministic == false)
    }

    @Test func editDistanceCountsSingleCharacterEdits() {
        #expect(editDistance("kitten", "sitting") == 3)
        #expect(editDistance("", "abc") == 3)
        #expect(editDistance("same", "same") == 0)
    }
}
