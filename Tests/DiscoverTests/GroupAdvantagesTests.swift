import Testing
@testable import Discover

@Suite struct GroupAdvantagesTests {
    func completion(_ text: String, tokens: Int = 2) -> SampledCompletion {
        SampledCompletion(text: text, promptTokens: [2], tokens: [Int32](repeating: 5, count: tokens),
                          samplerLogProbs: [Float](repeating: -1, count: tokens))
    }

    @Test func infraErrorsEmptyCompletionsAndConstantGroupsAreLeftOut() {
        let groups = [
            [completion("a"), completion("b"), completion("c"), completion("d", tokens: 0)],  // scored, d has no tokens
            [completion("e"), completion("f"), completion("g"), completion("h")],             // constant → dropped
            [completion("i"), completion("j"), completion("k"), completion("l")],             // one left → dropped
        ]
        let rewards: [[Double?]] = [[1, nil, 0, 0], [0.5, 0.5, 0.5, 0.5], [nil, nil, nil, 0.3]]
        let r = GroupAdvantages(groups: groups, rewards: rewards, objective: .meanBaseline)
        #expect(r.droppedGroups == 2)
        #expect(r.completions.map(\.text) == ["a", "c"])
        // Mean over the three scored rewards [1, 0, 0] = 1/3 (the token-less d still counts in its group).
        #expect(r.advantages.count == 2 && abs(r.advantages[0] - 2.0 / 3) < 1e-12 && abs(r.advantages[1] + 1.0 / 3) < 1e-12)
        #expect(r.betas == [nil, nil, nil])
    }

    @Test func betasAreReportedPerScoredGroup() {
        let g = [completion("a"), completion("b"), completion("c")]
        let r = GroupAdvantages(groups: [g, g], rewards: [[1, 0, 0.5], [2, 2, 2]], objective: .entropicAdaptive)
        #expect(r.betas[0] == AdaptiveBeta.solve(rewards: [1, 0, 0.5]) && r.betas[1] == nil && r.droppedGroups == 1)
        #expect(r.completions.count == 3)
    }
}
