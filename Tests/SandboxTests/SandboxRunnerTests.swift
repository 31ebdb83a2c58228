// Plumbing of the runner: stdin, files, environment, work-directory clean-up, parallelism bound.
import Foundation
import Testing
@testable import Sandbox

struct SandboxRunnerTests {
    @Test func stdinFilesAndEnvironmentReachTheProgram() async throws {
        let runner = SandboxRunner(maxParallel: 1)
        let code = """
        import os, sys
        data = sys.stdin.read()
        extra = sorted(set(os.environ) - {"GREETING", "PATH", "PWD", "LC_CTYPE"})
        print(data.upper(), open("sub/input.txt").read(), os.environ["GREETING"], os.environ["PATH"], extra)
        """
        let request = SandboxRequest(executable: "python3", arguments: ["-c", code], stdin: Array("hello".utf8),
                                     files: ["sub/input.txt": Array("file-bytes".utf8)],
                                     environment: ["GREETING": "hi"])
        let result = try await runner.run(request)
        #expect(result.succeeded)
        // PWD (set by bwrap) and LC_CTYPE (Python's C-locale coercion) are added by the tools, not inherited.
        #expect(result.stdoutText == "HELLO file-bytes hi \(SandboxRunner.minimalPath) []\n")
        #expect(result.isolation == runner.isolation)
    }

    @Test func largeStdinIsDeliveredWhileOutputIsDrained() async throws {
        // 4 MB in and out at once: deadlocks if stdin and stdout are not serviced concurrently.
        let runner = SandboxRunner(maxParallel: 1)
        var limits = SandboxLimits()
        limits.maxOutputBytes = 8 << 20
        let input = [UInt8](repeating: UInt8(ascii: "a"), count: 4 << 20)
        let request = SandboxRequest(executable: "python3",
                                     arguments: ["-c", "import sys\nsys.stdout.buffer.write(sys.stdin.buffer.read())"],
                                     stdin: input, limits: limits)
        let result = try await runner.run(request)
        #expect(result.succeeded)
        #expect(result.stdout.count == input.count)
        #expect(!result.stdoutTruncated)
    }

    @Test func programThatIgnoresStdinDoesNotHurtTheHarness() async throws {
        // Writing 4 MB to a pipe whose reader has exited raises SIGPIPE, which would kill the harness if
        // it were not ignored; the run must simply end.
        let runner = SandboxRunner(maxParallel: 1)
        let request = SandboxRequest(executable: "python3", arguments: ["-c", "print('bye')"],
                                     stdin: [UInt8](repeating: 0x61, count: 4 << 20))
        let result = try await runner.run(request)
        #expect(result.succeeded && result.stdoutText == "bye\n")
    }

    @Test func cancellingTheTaskKillsTheRunAtOnce() async throws {
        let runner = SandboxRunner(maxParallel: 1)
        let marker = makeMarker("cancel")
        let start = Date()
        let task = Task { try await runner.run(pythonRequest("import time; time.sleep(60)", marker: marker, limits: quickLimits(wall: 30))) }
        try await Task.sleep(nanoseconds: 300_000_000)
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(Date().timeIntervalSince(start) < 10)   // not the 30 s wall budget
        #expect(processesCarrying(marker).isEmpty)
        #expect(try await harnessStillWorks(runner))
    }

    @Test func fileNamesEscapingTheWorkDirectoryAreRejected() async throws {
        let runner = SandboxRunner(maxParallel: 1)
        for name in ["../evil", "/etc/evil", "a/../../evil"] {
            let result = try await runner.run(SandboxRequest(executable: "true", files: [name: [1]]))
            #expect(result.outcome == .launchFailure, "file name \(name)")
        }
    }

    @Test func workDirectoryIsRemovedEvenWhenLocked() throws {
        let work = try WorkDirectory(files: ["a/b.txt": [1, 2, 3]], owner: nil)
        #expect(FileManager.default.fileExists(atPath: work.path + "/a/b.txt"))
        chmod(work.path + "/a", 0o500)
        work.remove()
        #expect(!FileManager.default.fileExists(atPath: work.path))
    }

    @Test func exitCodesAndSignalsAreReported() async throws {
        let runner = SandboxRunner(maxParallel: 1)
        let exited = try await runner.run(SandboxRequest(executable: "python3", arguments: ["-c", "raise SystemExit(3)"]))
        #expect(exited.outcome == .exited && exited.exitCode == 3)
        let killed = try await runner.run(SandboxRequest(executable: "python3",
                                                         arguments: ["-c", "import os; os.kill(os.getpid(), 9)"]))
        #expect(killed.outcome == .signaled && killed.signal == SIGKILL)
    }

    @Test func parallelismIsBounded() async throws {
        // Three 0.3 s sleeps through one slot cannot finish in less than 0.9 s; through three slots they do.
        func elapsed(_ parallel: Int) async throws -> Double {
            let runner = SandboxRunner(maxParallel: parallel)
            let start = Date()
            try await withThrowingTaskGroup(of: SandboxResult.self) { group in
                for _ in 0 ..< 3 {
                    group.addTask { try await runner.run(SandboxRequest(executable: "sleep", arguments: ["0.3"])) }
                }
                for try await result in group { #expect(result.succeeded) }
            }
            return Date().timeIntervalSince(start)
        }
        #expect(try await elapsed(1) >= 0.9)
    }

    @Test(arguments: [SandboxIsolation.namespaces, .rlimitsOnly])
    func fallbackLevelsRunProgramsAndKillOnTimeout(level: SandboxIsolation) async throws {
        let runner = SandboxRunner(maxParallel: 1, isolation: level)
        let ok = try await runner.run(SandboxRequest(executable: "python3", arguments: ["-c", "print('ok')"]))
        #expect(ok.succeeded && ok.stdoutText == "ok\n" && ok.isolation == level)
        let marker = makeMarker("fallback")
        let slow = try await runner.run(pythonRequest("import time; time.sleep(30)", marker: marker, limits: quickLimits(wall: 0.5)))
        #expect(slow.outcome == .timeout)
        #expect(processesCarrying(marker).isEmpty)
    }
}

/// A python3 on the harness's PATH that lives outside the system directories (e.g. pyenv), if any.
let pythonOutsideSystemDirs: String? = {
    for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
        let candidate = URL(fileURLWithPath: "\(dir)/python3").resolvingSymlinksInPath().path
        guard FileManager.default.isExecutableFile(atPath: candidate),
              !["/usr/", "/bin/", "/lib"].contains(where: { candidate.hasPrefix($0) }),
              (try? String(contentsOfFile: candidate, encoding: .utf8)) == nil   // a binary, not a shim script
        else { continue }
        return candidate
    }
    return nil
}()

struct SandboxInstallPrefixTests {
    @Test func installPrefixIsTheParentOfTheBinDirectory() {
        #expect(SandboxCommandLine.installPrefix(of: "/usr/bin/python3") == nil)
        #expect(SandboxCommandLine.installPrefix(of: "/opt/py/3.11/bin/python3") == "/opt/py/3.11")
        #expect(SandboxCommandLine.ancestors(of: "/root/.pyenv/versions/3.11.7") == ["/root", "/root/.pyenv", "/root/.pyenv/versions"])
    }

    @Test(.enabled(if: pythonOutsideSystemDirs != nil))
    func interpreterOutsideSystemDirectoriesRuns() async throws {
        let runner = SandboxRunner(maxParallel: 1)
        let result = try await runner.run(SandboxRequest(executable: pythonOutsideSystemDirs!,
                                                         arguments: ["-c", "import json; print(json.dumps([1]))"]))
        #expect(result.succeeded, "\(result.outcome) \(result.stderrText)")
        #expect(result.stdoutText == "[1]\n")
    }
}
