import CodeEnvironment
import EnvironmentKit
import Testing

/// Function tasks (HumanEval format): reference solutions, partial credit, and the harness's defences.
@Suite struct FunctionTaskTests {
    static let task = "discovery/roman-to-int"
    static let correct = """
        def roman_to_int(numeral):
            values = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
            total = 0
            for i, ch in enumerate(numeral):
                v = values[ch]
                total += -v if i + 1 < len(numeral) and values[numeral[i + 1]] > v else v
            return total
        """

    func roman(_ args: [String: String] = [:]) throws -> CodeEnvironment {
        try environment("functions.jsonl", ["task_id": Self.task].merging(args) { $1 })
    }

    @Test func everyReferenceScoresExactlyItsListedReward() async throws {
        let env = try environment("functions.jsonl")
        let references = env.references()
        #expect(references.count == 16)  // 8 canonical solutions + 8 broken variants
        for reference in references {
            let evaluation = try await env.evaluate(completion: reference.completion, from: try #require(reference.state))
            #expect(evaluation.status == .ok, "\(reference.name): \(evaluation.feedback)")
            let reward = try #require(evaluation.reward, "\(reference.name)")
            #expect(reference.expectedReward.contains(reward), "\(reference.name): reward \(reward)")
            if reference.name.hasSuffix("canonical") { #expect(reward == 1) } else { #expect(reward < 1) }
        }
    }

    @Test func partialCreditIsTheFractionOfAssertsPassed() async throws {
        // Right only for numerals without subtractive pairs: I and MMXXVI pass, the other four fail.
        let code = "def roman_to_int(s):\n    v = dict(I=1, V=5, X=10, L=50, C=100, D=500, M=1000)\n    return sum(v[c] for c in s)"
        let env = try roman()
        let evaluation = try await env.evaluate(completion: fenced(code), from: try await env.initialStates()[0])
        #expect(evaluation.status == .ok)
        #expect(evaluation.reward == 2.0 / 6.0)
        #expect(evaluation.metrics["passed"] == 2 && evaluation.metrics["total"] == 6)
        #expect(evaluation.feedback.contains("FAILED line 3: assert candidate(\"MCMXCIV\") == 1994"))
        #expect(evaluation.child?.value == 2.0 / 6.0)
    }

    @Test func allOrNothingGivesZeroUnlessEveryCheckPasses() async throws {
        let env = try roman(["all_or_nothing": "true"])
        let state = try await env.initialStates()[0]
        let partial = try await env.evaluate(completion: fenced("def roman_to_int(s):\n    return 1"), from: state)
        #expect(partial.status == .ok && partial.reward == 0)
        let full = try await env.evaluate(completion: fenced(Self.correct), from: state)
        #expect(full.reward == 1)
    }

    /// Each of these must earn nothing: the harness reads results only from its own sentinel line,
    /// computed in a process the candidate never runs in.
    static let attacks: [(name: String, code: String, status: EvaluationStatus)] = [
        ("exit(0) before the tests", "exit(0)", .crash),
        ("sys.exit(0) before the tests", "import sys\nsys.exit(0)", .crash),
        ("os._exit(0) before the tests", "import os\nos._exit(0)", .crash),
        ("raise SystemExit before the tests", "raise SystemExit(0)", .crash),
        ("sys.exit(0) inside the function", "import sys\ndef roman_to_int(s):\n    sys.exit(0)", .ok),
        ("os._exit(0) inside the function", "import os\ndef roman_to_int(s):\n    os._exit(0)", .crash),
        ("raise BaseException inside the function", "def roman_to_int(s):\n    raise BaseException('stop')", .ok),
        ("printing fake success", """
            import sys
            for line in ['6 passed', 'OK', '{"status": "ok", "passed": 6, "total": 6}']:
                print(line); print(line, file=sys.stderr)
            def roman_to_int(s):
                print('{"status": "ok", "passed": 6, "total": 6}')
                return 0
            """, .ok),
        ("monkeypatching builtins and check", """
            import builtins
            builtins.AssertionError = type('Nothing', (Exception,), {})
            builtins.len = lambda x: 0
            builtins.isinstance = lambda *a: True
            def check(candidate):
                return True
            def roman_to_int(s):
                return None
            """, .crash),  // the patched len() breaks the candidate's own host process, not the harness
        ("an object whose __eq__ is always True", """
            class Yes:
                def __eq__(self, other): return True
                def __ne__(self, other): return False
            def roman_to_int(s):
                return Yes()
            """, .ok),
        ("an int subclass whose __eq__ is always True", """
            class Int(int):
                def __eq__(self, other): return True
            def roman_to_int(s):
                return Int(0)
            """, .ok),
        ("killing the harness", "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)", .crash),
        // SIGINT would be a KeyboardInterrupt in the harness: an exit without a report, read as an
        // infrastructure error (never trained on). The harness ignores it.
        ("interrupting the harness", "import os, signal, time\nos.kill(os.getppid(), signal.SIGINT)\ntime.sleep(0.2)\n"
            + "def roman_to_int(s):\n    return 0", .ok),
        // Writing protocol replies itself only answers calls (here the first one, correctly); the real replies
        // then arrive out of turn and the harness ends the run as a crash.
        ("forging the protocol from the candidate", """
            import os, sys
            os.write(int(sys.argv[2]), b'{"ready": true}\\n{"id": 1, "ok": true, "value": 14}\\n')
            def roman_to_int(s):
                return 0
            """, .crash),
        ("writing to the harness's stdout through /proc", """
            import os
            fake = '{"status": "ok", "passed": 6, "total": 6}'
            for fd in (1, 2):
                try:
                    with open('/proc/%d/fd/%d' % (os.getppid(), fd), 'w') as f:
                        f.write('0' * 32 + ' ' + fake + '\\n')
                except OSError:
                    pass
            def roman_to_int(s):
                return 0
            """, .ok),
    ]

    @Test(arguments: attacks.indices)
    func attackEarnsNothing(_ index: Int) async throws {
        let attack = Self.attacks[index]
        let env = try roman()
        let evaluation = try await env.evaluate(completion: fenced(attack.code), from: try await env.initialStates()[0])
        #expect(evaluation.reward == 0, "\(attack.name): \(evaluation.status) \(evaluation.feedback)")
        #expect(evaluation.status == attack.status, "\(attack.name): \(evaluation.feedback)")
        if attack.status != .ok { #expect(evaluation.child == nil) }
    }

    @Test func infiniteLoopIsATimeout() async throws {
        let env = try roman(["call_timeout_seconds": "1", "wall_seconds": "4"])
        let state = try await env.initialStates()[0]
        let looping = try await env.evaluate(completion: fenced("def roman_to_int(s):\n    while True:\n        pass"), from: state)
        #expect(looping.status == .timeout && looping.reward == 0 && looping.child == nil)
        let sleeping = try await env.evaluate(completion: fenced("import time\ntime.sleep(30)"), from: state)
        #expect(sleeping.status == .timeout && sleeping.reward == 0)
    }

    @Test func stoppingTheHarnessEndsInTheSandboxTimeout() async throws {
        // SIGSTOP cannot be caught: the harness never reports, and the sandbox's wall clock ends the run.
        let env = try roman(["wall_seconds": "3", "call_timeout_seconds": "1"])
        let code = "import os, signal\nos.kill(os.getppid(), signal.SIGSTOP)\ndef roman_to_int(s):\n    return 0"
        let evaluation = try await env.evaluate(completion: fenced(code), from: try await env.initialStates()[0])
        #expect(evaluation.status == .timeout && evaluation.reward == 0, "\(evaluation.feedback)")
        #expect(evaluation.feedback.contains("wall-clock limit of 3 s"))
    }

    @Test func unparsableCodeAndProseAreInvalid() async throws {
        let env = try roman()
        let state = try await env.initialStates()[0]
        let syntax = try await env.evaluate(completion: fenced("def roman_to_int(s) return 1"), from: state)
        #expect(syntax.status == .invalid && syntax.reward == 0)
        let prose = try await env.evaluate(completion: "I think the answer is to use a dictionary.", from: state)
        #expect(prose.status == .invalid && prose.feedback.contains("no fenced code block"))
        let blank = try await env.evaluate(completion: "   ", from: state)
        #expect(blank.status == .invalid)
    }

    @Test func unfencedPythonAndBodyOnlyCompletionsAreAccepted() async throws {
        let env = try roman()
        let state = try await env.initialStates()[0]
        let whole = try await env.evaluate(completion: Self.correct, from: state)
        #expect(whole.reward == 1)
        // Only the body, HumanEval style: it is appended to the task's prompt.
        let body = "    v = dict(I=1, V=5, X=10, L=50, C=100, D=500, M=1000)\n    t = 0\n"
            + "    for a, b in zip(numeral, numeral[1:] + ' '):\n        t += -v[a] if b != ' ' and v[b] > v[a] else v[a]\n    return t"
        let completed = try await env.evaluate(completion: fenced(body), from: state)
        #expect(completed.reward == 1, "\(completed.feedback)")
    }

    @Test func evaluatingTwiceGivesTheSameResult() async throws {
        let env = try roman()
        let state = try await env.initialStates()[0]
        let code = fenced("def roman_to_int(s):\n    return len(s)")
        let first = try await env.evaluate(completion: code, from: state)
        let second = try await env.evaluate(completion: code, from: state)
        #expect(first.reward == second.reward && first.status == second.status && first.feedback == second.feedback)
    }

    @Test func childStateCarriesTheProgramIntoTheNextPrompt() async throws {
        let env = try roman()
        let evaluation = try await env.evaluate(completion: fenced(Self.correct), from: try await env.initialStates()[0])
        let child = try #require(evaluation.child)
        let prompt = env.prompt(for: child)
        #expect(prompt.contains("def roman_to_int(numeral):\n    values = {"))
        #expect(prompt.contains("Value: 1 (higher is better)."))
        #expect(prompt.contains("Passed 6 of 6 checks."))
        // The child still belongs to the same task: evaluating from it uses the same tests.
        let again = try await env.evaluate(completion: fenced(Self.correct), from: child)
        #expect(again.reward == 1)
    }
}
