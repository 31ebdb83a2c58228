import Foundation
import Testing
@testable import Discover

@Suite struct ObjectiveTests {
    /// The 1e-12 in the normaliser perturbs advantages by ~1e-12 relative; 1e-9 is safely above that.
    let tol = 1e-9

    @Test func leaveOneOutAdvantagesOnWorkedExample() {
        // β = ln 2, r = [1, 0, 0]: e = [1, 1/2, 1/2], Σe = 2, K − 1 = 2.
        // Z_1 = (2 − 1)/2 = 1/2 → A_1 = 1/(1/2) − 1 = 1;  Z_2 = Z_3 = (2 − 1/2)/2 = 3/4 → A = (1/2)/(3/4) − 1 = −1/3.
        let a = Objective.entropicAdvantages([1, 0, 0], beta: log(2.0))
        #expect(abs(a[0] - 1) < tol && abs(a[1] + 1.0 / 3) < tol && abs(a[2] + 1.0 / 3) < tol)
    }

    @Test func leaveOneOutAdvantagesOnSecondWorkedExample() {
        // β = 1, r = [2, 1, 2, 0]: max 2, e = [1, e⁻¹, 1, e⁻²], Σe = 2 + e⁻¹ + e⁻², K − 1 = 3.
        let e1 = exp(-1.0), e2 = exp(-2.0), total = 2 + e1 + e2
        let expected = [1 / ((total - 1) / 3) - 1, e1 / ((total - e1) / 3) - 1,
                        1 / ((total - 1) / 3) - 1, e2 / ((total - e2) / 3) - 1]
        let a = Objective.entropic(beta: 1).advantages([2, 1, 2, 0])!
        #expect(a.beta == 1)
        for (x, y) in zip(a.advantages, expected) { #expect(abs(x - y) < tol) }
        // Winners are pushed up, losers down.
        #expect(a.advantages[0] > 0 && a.advantages[1] < 0 && a.advantages[3] < a.advantages[1])
    }

    @Test func adaptiveObjectiveUsesTheSolvedBeta() {
        let r = [0.3, 0.9, 0.1, 0.4]
        let a = Objective.entropicAdaptive.advantages(r)!
        let beta = AdaptiveBeta.solve(rewards: r)
        #expect(a.beta == beta)
        #expect(a.advantages == Objective.entropicAdvantages(r, beta: beta))
    }

    @Test func meanBaselineSubtractsTheMean() {
        let a = Objective.meanBaseline.advantages([1, 2, 3, 6])!
        #expect(a.beta == nil)
        #expect(a.advantages == [-2, -1, 0, 3])
    }

    @Test(arguments: [Objective.entropicAdaptive, .entropic(beta: 2), .meanBaseline])
    func constantAndTooSmallGroupsAreDropped(objective: Objective) {
        #expect(objective.advantages([0.5, 0.5, 0.5, 0.5]) == nil)
        #expect(objective.advantages([0, 0, 0]) == nil)
        #expect(objective.advantages([0.7]) == nil)
        #expect(objective.advantages([]) == nil)
        #expect(objective.advantages([0.5, 0.5, 0.6]) != nil)
    }

    @Test func namesParseAndUnknownNamesAreRejected() throws {
        #expect(try Objective(name: "entropic-adaptive") == .entropicAdaptive)
        #expect(try Objective(name: "entropic", beta: 3) == .entropic(beta: 3))
        #expect(try Objective(name: "mean") == .meanBaseline)
        #expect(throws: DiscoverError.self) { try Objective(name: "grpo") }
    }
}
