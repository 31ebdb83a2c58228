import Testing
@testable import EnvironmentKit

struct EnvironmentIDTests {
    @Test func parsesNamespaceNameAndVersion() throws {
        let id = try EnvironmentID(parsing: "toy/target-string-v12")
        #expect(id.namespace == "toy" && id.name == "target-string" && id.version == 12)
        #expect(id.description == "toy/target-string-v12")
        #expect(id.unversioned == "toy/target-string")
    }

    @Test func namespaceAndVersionAreOptional() throws {
        let bare = try EnvironmentID(parsing: "cartpole")
        #expect(bare.namespace == nil && bare.name == "cartpole" && bare.version == nil)
        let noDigits = try EnvironmentID(parsing: "math/verify-vx")   // "-vx" is part of the name
        #expect(noDigits.name == "verify-vx" && noDigits.version == nil)
    }

    @Test(arguments: ["", "a/b/c", "toy/", "/name-v0", "toy/bad name-v0", "toy/-v0"])
    func rejectsMalformedIds(text: String) {
        #expect(throws: EnvironmentRegistryError.self) { try EnvironmentID(parsing: text) }
    }
}
