import Foundation
import Testing
@testable import Discover

@Suite struct AdaptiveBetaTests {
    /// 60 bisection steps on a bracket ≤ 1e6 resolve β to ~1e-12; KL is smooth in β, so 1e-6 is loose.
    @Test(arguments: [
        [0.0, 1.0, 2.0],
        [0.1, 0.5, 0.2, 0.9, 0.3, 0.3, 0.0, 0.7],
        [1.0, 0.0, 0.0, 0.0],
        [1e-4, 2e-4, 0.0, 5e-5],
        [-3.0, 10.0, 4.0, 4.0, 2.0],
    ])
    func bisectionHitsKLOfLn2(rewards: [Double]) {
        let beta = AdaptiveBeta.solve(rewards: rewards)
        #expect(beta > 0 && beta < AdaptiveBeta.maxBeta)
        #expect(abs(AdaptiveBeta.kl(beta: beta, rewards: rewards) - log(2.0)) < 1e-6)
    }

    @Test func klAgreesWithDirectDefinition() {
        // KL(q‖u) = Σ q log(q K), q = softmax(β r) computed without the max shift.
        let r = [0.3, 0.1, 0.8, 0.5]
        let beta = 2.7
        let e = r.map { exp(beta * $0) }
        let q = e.map { $0 / e.reduce(0, +) }
        let direct = q.reduce(0) { $0 + $1 * log($1 * 4) }
        #expect(abs(AdaptiveBeta.kl(beta: beta, rewards: r) - direct) < 1e-12)
    }

    @Test func betaDecreasesAsRewardSpreadGrows() {
        let shape = [0.0, 0.2, 1.0, 0.5, 0.1]
        let spreads = [0.01, 0.1, 0.5, 1.0, 3.0, 20.0]
        let betas = spreads.map { s in AdaptiveBeta.solve(rewards: shape.map { $0 * s }) }
        for i in 1..<betas.count { #expect(betas[i] < betas[i - 1]) }
        // KL depends on β·r only, so β·spread is invariant (up to the bisection's resolution).
        for (s, b) in zip(spreads, betas) { #expect(abs(s * b - spreads[0] * betas[0]) < 1e-6 * spreads[0] * betas[0]) }
    }

    @Test func unreachableTargetSaturatesBeta() {
        // K = 2 (or ties at the top with K/m = 2): KL → ln 2 only as β → ∞. In Double the losers' weight
        // exp(−β·gap) drops below the rounding of KL near β ≈ 40/gap, where the search stops; either way the
        // distribution is one-hot for all practical purposes (loser weight < 1e-15).
        for (rewards, gap) in [([1.0, 0.0], 1.0), ([1.0, 1.0, 0.0, 0.0], 1.0), ([0.02, 0.01], 0.01)] {
            let beta = AdaptiveBeta.solve(rewards: rewards)
            #expect(exp(-beta * gap) < 1e-15)
            #expect(abs(AdaptiveBeta.kl(beta: beta, rewards: rewards) - log(2.0)) < 1e-12)
        }
    }
}
