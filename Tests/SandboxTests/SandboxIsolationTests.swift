// Isolation from the harness: network, file system outside the work dir, the harness's environment and
// its process. These need namespaces; under `rlimits-only` they cannot hold and are disabled (see
// docs/environments.md for what each isolation level guarantees).
import Foundation
import Testing
@testable import Sandbox

@Suite(.serialized, .enabled(if: activeIsolation != .rlimitsOnly)) struct SandboxIsolationTests {
    let runner = SandboxRunner(maxParallel: 2)

    @Test func connectingToAHostListenerFails() async throws {
        // A listener on the host's loopback: reachable from any process sharing the host network.
        let server = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #expect(server >= 0)
        defer { close(server) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { ptr in
            ptr.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(server, $0, length) == 0 && listen(server, 4) == 0
                && getsockname(server, $0, &length) == 0 }
        }
        #expect(bound)
        let port = Int(UInt16(bigEndian: address.sin_port))
        let code = """
        import socket, sys
        try:
            socket.create_connection(("127.0.0.1", int(sys.argv[2])), timeout=2).close()
            print("connected")
        except OSError as e:
            print("blocked")
        """
        let marker = makeMarker("net")
        let result = try await runner.run(pythonRequest(code, marker: marker, extraArgs: ["\(port)"], limits: quickLimits(wall: 5)))
        #expect(result.succeeded)
        #expect(result.stdoutText == "blocked\n")
        #expect(processesCarrying(marker).isEmpty)
    }

    @Test(.enabled(if: activeIsolation == .bubblewrap))
    func writesOutsideTheWorkDirectoryDoNotReachTheHost() async throws {
        let hostDir = FileManager.default.temporaryDirectory.appendingPathComponent("sbx-outside-\(UInt32.random(in: 0 ..< .max))").path
        try FileManager.default.createDirectory(atPath: hostDir, withIntermediateDirectories: true)
        chmod(hostDir, 0o777)
        defer { try? FileManager.default.removeItem(atPath: hostDir) }
        let code = """
        import sys
        results = []
        for path in [sys.argv[2] + "/escaped.txt", "/usr/escaped.txt", "/etc/escaped.txt"]:
            try:
                open(path, "w").write("x"); results.append("wrote")
            except OSError:
                results.append("refused")
        open("inside.txt", "w").write("ok")
        print(" ".join(results), open("inside.txt").read())
        """
        let result = try await runner.run(pythonRequest(code, marker: makeMarker("fs"), extraArgs: [hostDir], limits: quickLimits(wall: 5)))
        #expect(result.succeeded)
        // The host dir does not exist inside the sandbox (private /tmp); /usr and /etc are read-only.
        #expect(result.stdoutText.hasSuffix("refused refused ok\n"))
        #expect(!FileManager.default.fileExists(atPath: hostDir + "/escaped.txt"))
        #expect(!FileManager.default.fileExists(atPath: "/usr/escaped.txt"))
        #expect(!FileManager.default.fileExists(atPath: "/etc/escaped.txt"))
    }

    @Test(.enabled(if: activeIsolation == .bubblewrap))
    func fillingTheWorkDirectoryStopsAtItsSize() async throws {
        var limits = quickLimits(wall: 10)
        limits.workBytes = 16 << 20
        limits.fileSizeBytes = 4 << 20
        let code = """
        import errno
        written = 0
        try:
            for i in range(100):
                with open("f%d" % i, "wb") as f:
                    f.write(b"x" * (2 << 20))
                written += 2
        except OSError as e:
            print("stopped after", written, "MiB:", errno.errorcode[e.errno])
        """
        let request = SandboxRequest(executable: "python3", arguments: ["-c", code], files: ["input.txt": [1]],
                                     limits: limits)
        let result = try await runner.run(request)
        #expect(result.succeeded)
        // 16 MiB of tmpfs holds at most 8 files of 2 MiB (minus the input file's page).
        #expect(result.stdoutText.hasSuffix("MiB: ENOSPC\n"))
        let written = Int(result.stdoutText.split(separator: " ")[2]) ?? 999
        #expect(written <= 16)
    }

    @Test func harnessEnvironmentIsNotVisible() async throws {
        // No setenv here (it races with other threads reading the environment): the harness's variables
        // (HOME, PATH, TERM, ...) are the secrets. The candidate reports the names of the variables it
        // has and of every variable in any /proc/*/environ it can read; only what the request passed, the
        // minimal PATH, and PWD (bwrap) / LC_CTYPE (Python's locale coercion) may appear.
        #expect(!ProcessInfo.processInfo.environment.isEmpty)
        let code = """
        import os, glob
        names = set(os.environ)
        for path in glob.glob("/proc/*/environ"):
            try:
                for entry in open(path, "rb").read().split(b"\\0"):
                    if b"=" in entry:
                        names.add(entry.split(b"=", 1)[0].decode("utf-8", "replace"))
            except OSError:
                pass
        print(" ".join(sorted(names - {"PWD", "LC_CTYPE"})), os.environ["PATH"])
        """
        let result = try await runner.run(pythonRequest(code, marker: makeMarker("env"), limits: quickLimits(wall: 5),
                                                        environment: ["ONLY_THIS": "1"]))
        #expect(result.succeeded)
        #expect(result.stdoutText == "ONLY_THIS PATH \(SandboxRunner.minimalPath)\n")
    }

    @Test func signallingTheParentAndHarnessHasNoEffect() async throws {
        let code = """
        import os, signal, sys
        outcomes = []
        for pid in [os.getppid(), int(sys.argv[2])]:
            try:
                os.kill(pid, signal.SIGKILL if pid == os.getppid() else signal.SIGTERM); outcomes.append("sent")
            except OSError:
                outcomes.append("refused")
        try:
            os.killpg(os.getpgid(int(sys.argv[2])), signal.SIGTERM); outcomes.append("sent")
        except OSError:
            outcomes.append("refused")
        print(outcomes)
        """
        let marker = makeMarker("signal")
        let result = try await runner.run(pythonRequest(code, marker: marker, extraArgs: ["\(getpid())"],
                                                        limits: quickLimits(wall: 5)))
        // Whatever the candidate managed inside its own pid namespace, we are alive and the runner works.
        #expect(result.outcome == .exited || result.outcome == .signaled)
        #expect(try await harnessStillWorks(runner))
        #expect(processesCarrying(marker).isEmpty)
    }
}
