/// Caps on the work one comparison may do, so hostile answers (`9^{9^{9}}`, `1000!`, ten thousand nested
/// braces) return quickly: a parse-depth cap, a step count, and a wall-clock deadline checked every 64 steps.
/// Depth and steps are deterministic; every step is cheap (the costliest, a square-factor search, is bounded
/// by ~5000 divisions), so the clock is only a backstop that ordinary answers never reach.
final class EvaluationBudget {
    struct Exhausted: Error {}

    let maxDepth: Int
    let maxSteps: Int
    let deadline: ContinuousClock.Instant
    private(set) var steps = 0

    init(maxDepth: Int = 64, maxSteps: Int = 200_000, seconds: Double = 0.25) {
        self.maxDepth = maxDepth
        self.maxSteps = maxSteps
        self.deadline = ContinuousClock.now.advanced(by: .milliseconds(Int64(seconds * 1000)))
    }

    func tick(_ cost: Int = 1) throws {
        steps += cost
        if steps > maxSteps { throw Exhausted() }
        if steps & 63 == 0 && ContinuousClock.now > deadline { throw Exhausted() }
    }
}
