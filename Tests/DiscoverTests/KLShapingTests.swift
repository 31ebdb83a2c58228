import Testing
@testable import Discover

@Suite struct KLShapingTests {
    @Test func perTokenPenaltyPullsTowardTheBatchMean() {
        // Δ = sampler − base: rollout 0 → [0.5, −1], rollout 1 → [0]; batch mean Δ = −0.5/3 = −1/6.
        // A_t = A + λ(mean − Δ_t), λ = 0.1.
        let r = KLShaping.shape(advantages: [1, -1], samplerLogProbs: [[-1, -2], [-0.5]],
                                baseLogProbs: [[-1.5, -1], [-0.5]], coefficient: 0.1)
        let mean = -1.0 / 6
        #expect(abs(r.meanDelta - mean) < 1e-12)
        let expected: [[Double]] = [[1 + 0.1 * (mean - 0.5), 1 + 0.1 * (mean + 1)], [-1 + 0.1 * mean]]
        #expect(r.perToken.count == 2 && r.perToken[0].count == 2 && r.perToken[1].count == 1)
        // Float storage: 1e-6 covers rounding of values of magnitude ~1.
        for (row, want) in zip(r.perToken, expected) {
            for (x, y) in zip(row, want) { #expect(abs(Double(x) - y) < 1e-6) }
        }
    }

    @Test func zeroCoefficientLeavesAdvantagesUnchanged() {
        let r = KLShaping.shape(advantages: [0.25, -2], samplerLogProbs: [[-1, -3, -0.1], [-2]],
                                baseLogProbs: [[-4, -1, -2], [-0.3]], coefficient: 0)
        #expect(r.perToken == [[0.25, 0.25, 0.25], [-2]])
    }

    @Test func identicalPoliciesGiveNoPenalty() {
        let lp: [[Float]] = [[-1, -2], [-0.5, -0.25, -3]]
        let r = KLShaping.shape(advantages: [0.5, -0.5], samplerLogProbs: lp, baseLogProbs: lp, coefficient: 1)
        #expect(r.meanDelta == 0)
        #expect(r.perToken == [[0.5, 0.5], [-0.5, -0.5, -0.5]])
    }
}
