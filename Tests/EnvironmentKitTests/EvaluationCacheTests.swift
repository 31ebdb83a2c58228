import Testing
@testable import EnvironmentKit

struct EvaluationCacheTests {
    @Test func repeatedCandidatesAreEvaluatedOnce() async throws {
        let base = CountingEnvironment()
        let env = CachedEnvironment(base, cache: EvaluationCache(), task: "{}")
        let state = EnvState(construction: "")
        let first = try await env.evaluate(completion: "abc", from: state)
        let second = try await env.evaluate(completion: "abc", from: state)
        #expect(first == second && first.reward == 3)
        #expect(base.evaluations == 1)
        _ = try await env.evaluate(completion: "abc", from: EnvState(construction: "other"))   // another state
        _ = try await env.evaluate(completion: "abcd", from: state)                             // another completion
        #expect(base.evaluations == 3)
    }

    @Test func taskIsPartOfTheKey() async throws {
        let base = CountingEnvironment()
        let cache = EvaluationCache()
        _ = try await CachedEnvironment(base, cache: cache, task: #"{"a":1}"#).evaluate(completion: "x", from: EnvState(construction: ""))
        _ = try await CachedEnvironment(base, cache: cache, task: #"{"a":2}"#).evaluate(completion: "x", from: EnvState(construction: ""))
        #expect(base.evaluations == 2)
    }

    @Test func registryBuildsCachedEnvironmentsKeyedByTheirOptions() async throws {
        let base = CountingEnvironment()
        var registry = EnvironmentRegistry()
        try registry.register("test/counting-v0") { _ in base }
        let cache = EvaluationCache()
        let a = try registry.makeCached("test/counting", options: EnvironmentOptions(args: ["k": "1"]), cache: cache)
        let b = try registry.makeCached("test/counting", options: EnvironmentOptions(args: ["k": "1"]), cache: cache)
        let c = try registry.makeCached("test/counting", options: EnvironmentOptions(args: ["k": "2"]), cache: cache)
        #expect(a.task == #"{"k":"1"}"#)
        for env in [a, b, c] { _ = try await env.evaluate(completion: "xy", from: EnvState(construction: "")) }
        #expect(base.evaluations == 2)   // b hit a's entry; c has another task
    }

    @Test func nondeterministicEnvironmentsAreNotCached() async throws {
        let base = CountingEnvironment(deterministic: false)
        let env = CachedEnvironment(base, cache: EvaluationCache(), task: "{}")
        let a = try await env.evaluate(completion: "abc", from: EnvState(construction: ""))
        let b = try await env.evaluate(completion: "abc", from: EnvState(construction: ""))
        #expect(a.reward != b.reward)
        #expect(base.evaluations == 2)
    }

    @Test(arguments: [EvaluationStatus.timeout, .infraError])
    func transientFailuresAreNotCached(status: EvaluationStatus) async throws {
        let base = CountingEnvironment(status: status)
        let env = CachedEnvironment(base, cache: EvaluationCache(), task: "{}")
        _ = try await env.evaluate(completion: "abc", from: EnvState(construction: ""))
        _ = try await env.evaluate(completion: "abc", from: EnvState(construction: ""))
        #expect(base.evaluations == 2)
    }

    @Test func oldestEntriesAreEvictedAtCapacity() async {
        let cache = EvaluationCache(capacity: 2)
        func key(_ c: String) -> EvaluationCacheKey {
            EvaluationCacheKey(environmentID: "t/x-v0", task: "{}", state: EnvState(construction: ""), completion: c)
        }
        for c in ["a", "b", "c"] { await cache.store(Evaluation(reward: 1, status: .ok), for: key(c)) }
        #expect(await cache.count == 2)
        #expect(await cache.lookup(key("a")) == nil)
        #expect(await cache.lookup(key("c")) != nil)
        #expect(await cache.hits == 1)
        #expect(await cache.misses == 1)
    }
}
