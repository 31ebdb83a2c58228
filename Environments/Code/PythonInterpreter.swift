// Finding the Python that runs the harness and the candidates.
//
// `python3` on the host PATH may be a launcher script (pyenv shims) that needs the user's environment,
// which the sandbox scrubs. So the interpreter is asked once for its real executable and installation
// prefix; the prefix is made visible read-only inside the sandbox when it lies outside /usr.
// Whether the sandbox can really run it depends on the isolation (a sandbox that drops to an unprivileged
// uid cannot enter a private home such as /root/.pyenv), so the choice is settled by running the
// interpreter inside the sandbox once; when it cannot start there, the system python3 is tried instead.
import Foundation
import Sandbox

struct PythonInterpreter: Sendable, Hashable {
    var executable: String
    /// Installation directories to expose read-only in the sandbox.
    var readOnlyPaths: [String]

    /// The interpreter named `override` (a path or command name), or by default `python3` from the host PATH
    /// or else the first system python3 that starts inside `runner`'s sandbox. Settled once per name and process.
    static func usable(_ override: String?, runner: SandboxRunner) async throws -> PythonInterpreter {
        let name = override ?? "python3"
        // Concurrent first evaluations share one probe.
        let probe = cache.task(name) { Task { try await settle(name, explicit: override != nil, runner: runner) } }
        return try await probe.value
    }

    private static func settle(_ name: String, explicit: Bool, runner: SandboxRunner) async throws -> PythonInterpreter {
        var tried: [String] = []
        var candidates: [PythonInterpreter] = []
        do { candidates.append(try ask(name)) } catch { tried.append("\(name): \(error)") }
        // An interpreter named explicitly is the only one tried; the default falls back to the system's.
        let fallbacks = explicit ? [] : ["/usr/local/bin/python3", "/usr/bin/python3"]
        for fallback in fallbacks where FileManager.default.isExecutableFile(atPath: fallback) {
            if let system = try? ask(fallback), !candidates.contains(system) { candidates.append(system) }
        }
        for candidate in candidates {
            if let problem = await startFailure(candidate, runner: runner) {
                tried.append("\(candidate.executable): \(problem)")
                continue
            }
            return candidate
        }
        throw CodeEnvironmentError("no Python interpreter starts inside the sandbox (\(tried.joined(separator: "; "))); "
            + "pass --env-arg python=PATH")
    }

    /// Why `python` cannot run a trivial program in the sandbox, or nil when it can.
    static func startFailure(_ python: PythonInterpreter, runner: SandboxRunner) async -> String? {
        var limits = SandboxLimits()
        limits.wallSeconds = 20
        let request = SandboxRequest(executable: python.executable, arguments: ["-I", "-c", "print('python-ok')"],
                                     limits: limits, readOnlyPaths: python.readOnlyPaths)
        do {
            let result = try await runner.run(request)
            if String(decoding: result.stdout, as: UTF8.self).contains("python-ok") { return nil }
            return clip(String(decoding: result.stderr, as: UTF8.self), 300)
        } catch {
            return "\(error)"
        }
    }

    /// One probe per interpreter name and process, guarded by `lock`.
    private final class Cache: @unchecked Sendable {
        private let lock = NSLock()
        private var probes: [String: Task<PythonInterpreter, Error>] = [:]
        func task(_ name: String, start: () -> Task<PythonInterpreter, Error>) -> Task<PythonInterpreter, Error> {
            lock.lock()
            defer { lock.unlock() }
            if let existing = probes[name] { return existing }
            let probe = start()
            probes[name] = probe
            return probe
        }
    }

    private static let cache = Cache()

    /// Asks the host interpreter `name` for its executable and prefixes.
    static func ask(_ name: String) throws -> PythonInterpreter {
        guard let launcher = lookUp(name) else {
            throw CodeEnvironmentError("cannot find the Python interpreter '\(name)' on PATH")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: launcher)
        process.arguments = ["-c", "import sys; print(sys.executable); print(sys.prefix); print(sys.base_prefix)"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch {
            throw CodeEnvironmentError("cannot run \(launcher): \(error)")
        }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
        guard process.terminationStatus == 0, lines.count == 3, lines[0].hasPrefix("/") else {
            throw CodeEnvironmentError("\(launcher) did not report its executable (is it Python 3?)")
        }
        let outside = Set(lines[1...]).filter { !$0.hasPrefix("/usr/") && $0 != "/usr" }.sorted()
        return PythonInterpreter(executable: lines[0], readOnlyPaths: outside)
    }

    private static func lookUp(_ name: String) -> String? {
        if name.contains("/") { return FileManager.default.isExecutableFile(atPath: name) ? name : nil }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}
