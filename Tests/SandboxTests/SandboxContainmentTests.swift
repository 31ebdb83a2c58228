// Each hostile candidate from issue 8 must end with the right outcome, leave no process behind (no
// process with its marker in /proc), and leave the runner able to run the next candidate.
import Foundation
import Testing
@testable import Sandbox

@Suite(.serialized) struct SandboxContainmentTests {
    let runner = SandboxRunner(maxParallel: 2)

    @Test func infiniteLoopIsStoppedByTheWallClock() async throws {
        let marker = makeMarker("loop")
        let result = try await runner.run(pythonRequest("while True: pass", marker: marker, limits: quickLimits(wall: 1)))
        #expect(result.outcome == .timeout)
        #expect(result.wallSeconds < 5)   // 1 s budget + 0.2 s grace + start-up, on a busy machine
        #expect(processesCarrying(marker).isEmpty)
        #expect(try await harnessStillWorks(runner))
    }

    @Test func busyLoopHitsTheCPULimitBeforeTheWallClock() async throws {
        let marker = makeMarker("cpu")
        var limits = quickLimits(wall: 8)
        limits.cpuSeconds = 1
        let result = try await runner.run(pythonRequest("while True: pass", marker: marker, limits: limits))
        #expect(result.outcome == .signaled)
        #expect(result.signal == SIGXCPU || result.signal == SIGKILL)
        #expect(processesCarrying(marker).isEmpty)
    }

    @Test func sleepingPastTheTimeoutIsKilled() async throws {
        let marker = makeMarker("sleep")
        let result = try await runner.run(pythonRequest("import time; time.sleep(60)", marker: marker,
                                                        limits: quickLimits(wall: 0.8)))
        #expect(result.outcome == .timeout)
        #expect(result.wallSeconds < 5)
        #expect(processesCarrying(marker).isEmpty)
        #expect(try await harnessStillWorks(runner))
    }

    @Test func forkBombIsContained() async throws {
        let marker = makeMarker("forkbomb")
        let code = """
        import os
        while True:
            try:
                os.fork()
            except OSError:
                pass
        """
        let result = try await runner.run(pythonRequest(code, marker: marker, limits: quickLimits(wall: 1.5)))
        #expect(result.outcome == .timeout)
        #expect(processesCarrying(marker).isEmpty)
        #expect(try await harnessStillWorks(runner))
    }

    @Test func processLimitStopsForking() async throws {
        let code = """
        import os, sys, time
        n = 0
        try:
            for _ in range(200):
                if os.fork() == 0:
                    time.sleep(5); os._exit(0)
                n += 1
        except OSError:
            pass
        print(n)
        """
        var limits = quickLimits(wall: 5)
        limits.processes = 16
        let result = try await runner.run(pythonRequest(code, marker: makeMarker("nproc"), limits: limits))
        #expect(result.succeeded)
        let forked = Int(result.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
        #expect(forked >= 0 && forked < 16)
    }

    @Test func threadBombIsBoundedByTheProcessLimit() async throws {
        let marker = makeMarker("threads")
        var limits = quickLimits(wall: 5)
        limits.processes = 24
        let code = """
        import threading, time
        started = 0
        try:
            for _ in range(1000):
                threading.Thread(target=time.sleep, args=(5,), daemon=True).start()
                started += 1
        except RuntimeError:
            pass
        print(started)
        """
        let result = try await runner.run(pythonRequest(code, marker: marker, limits: limits))
        #expect(result.succeeded)
        let started = Int(result.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
        #expect(started >= 0 && started < 24)   // threads count against RLIMIT_NPROC
        #expect(processesCarrying(marker).isEmpty)
    }

    @Test func memoryBombFailsInsideTheAddressSpaceLimit() async throws {
        let marker = makeMarker("membomb")
        var limits = quickLimits(wall: 5)
        limits.addressSpaceBytes = 256 << 20
        let code = "blocks = []\nwhile True: blocks.append(bytearray(64 << 20))"
        let result = try await runner.run(pythonRequest(code, marker: marker, limits: limits))
        #expect(result.outcome == .exited)
        #expect(result.exitCode == 1)
        #expect(result.stderrText.contains("MemoryError"))
        #expect(processesCarrying(marker).isEmpty)
        #expect(try await harnessStillWorks(runner))
    }

    @Test func hugeOutputIsCappedAndMarkedTruncated() async throws {
        let marker = makeMarker("output")
        var limits = quickLimits(wall: 10)
        limits.maxOutputBytes = 1 << 20
        let code = "import sys\nfor _ in range(100): sys.stdout.buffer.write(b'x' * 1_000_000)"
        let result = try await runner.run(pythonRequest(code, marker: marker, limits: limits))
        #expect(result.outcome == .outputLimit)
        #expect(result.stdoutTruncated)
        #expect(!result.stderrTruncated)
        #expect(result.stdout.count == 1 << 20)
        #expect(result.stdout.allSatisfy { $0 == UInt8(ascii: "x") })
        #expect(processesCarrying(marker).isEmpty)
        #expect(try await harnessStillWorks(runner))
    }

    /// Needs a pid namespace, or root (each run then has a private uid whose processes are swept).
    @Test(.enabled(if: activeIsolation != .rlimitsOnly || geteuid() == 0))
    func detachedGrandchildDoesNotSurvive() async throws {
        let marker = makeMarker("setsid")
        let code = """
        import os, sys
        if os.fork() == 0:
            os.setsid()
            os.execv(sys.executable, [sys.executable, "-c", "import time; time.sleep(30)", sys.argv[1]])
        print("parent exits")
        """
        let result = try await runner.run(pythonRequest(code, marker: marker, limits: quickLimits(wall: 5)))
        #expect(result.succeeded)
        #expect(result.wallSeconds < 4)   // the runner did not wait for the grandchild's 30 s sleep
        #expect(processesCarrying(marker).isEmpty)
        #expect(try await harnessStillWorks(runner))
    }

    @Test func missingExecutableIsALaunchFailure() async throws {
        let result = try await runner.run(SandboxRequest(executable: "no-such-program-\(UInt32.random(in: 0 ..< .max))"))
        #expect(result.outcome == .launchFailure)
        #expect(result.stderrText.contains("not found"))
    }
}
