// Finding the Python that runs the harness and the candidates.
//
// `python3` on the host PATH may be a launcher script (pyenv shims) that needs the user's environment,
// which the sandbox scrubs. So the interpreter is asked once for its real executable and installation
// prefix; the prefix is made visible read-only inside the sandbox when it lies outside /usr.
import Foundation

struct PythonInterpreter: Sendable, Hashable {
    var executable: String
    /// Installation directories to expose read-only in the sandbox.
    var readOnlyPaths: [String]

    /// Resolves `override` (a path or command name) or `python3` from the host PATH. Cached per name.
    static func resolve(_ override: String?) throws -> PythonInterpreter {
        let name = override ?? "python3"
        cache.lock.lock()
        defer { cache.lock.unlock() }
        if let known = cache.resolved[name] { return known }
        let found = try probe(name)
        cache.resolved[name] = found
        return found
    }

    /// Interpreters resolved so far, guarded by `lock`.
    private final class Cache: @unchecked Sendable {
        let lock = NSLock()
        var resolved: [String: PythonInterpreter] = [:]
    }

    private static let cache = Cache()

    /// The interpreter `name` names, unless the sandbox cannot execute it: when the harness runs as root the
    /// sandbox drops to an unprivileged uid, which cannot enter a private home (e.g. a pyenv Python under
    /// /root). Then the system `python3` is used instead, when there is one.
    private static func probe(_ name: String) throws -> PythonInterpreter {
        let found = try ask(name)
        if geteuid() != 0 || worldExecutable(found.executable) { return found }
        for fallback in ["/usr/local/bin/python3", "/usr/bin/python3"] where fallback != found.executable {
            if FileManager.default.isExecutableFile(atPath: fallback), let system = try? ask(fallback),
               worldExecutable(system.executable) {
                return system
            }
        }
        throw CodeEnvironmentError("\(found.executable) is not executable by an unprivileged user, which the sandbox "
            + "runs as; install a system python3 or pass --env-arg python=PATH")
    }

    /// Whether every directory above `path` can be searched, and the file run, by any user.
    static func worldExecutable(_ path: String) -> Bool {
        let resolved = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        var current = resolved
        while true {
            var st = stat()
            guard stat(current, &st) == 0, st.st_mode & S_IXOTH != 0 else { return false }
            if current == "/" { return true }
            current = (current as NSString).deletingLastPathComponent
        }
    }

    private static func ask(_ name: String) throws -> PythonInterpreter {
        guard let launcher = lookUp(name) else {
            throw CodeEnvironmentError("cannot find the Python interpreter '\(name)' on PATH (set --env-arg python=PATH)")
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
