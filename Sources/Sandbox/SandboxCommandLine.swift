// Builds the argv that wraps a candidate in the active isolation:
//   bubblewrap:   bwrap <namespaces, read-only system dirs, tmpfs /sandbox> -- [setpriv] [sh -c 'cp input'] prlimit -- EXE ARGS
//   namespaces:   unshare <pid/net/ipc/uts, --kill-child> -- sh -c '"$@"; exit $?' sh [setpriv] prlimit -- EXE ARGS
//   rlimits-only: [setpriv] prlimit -- EXE ARGS
// `setpriv` (only when the harness runs as root) drops to a per-run unprivileged uid so that RLIMIT_NPROC
// counts that uid alone (the kernel ignores RLIMIT_NPROC for root, including root mapped into a user
// namespace).
import Foundation

/// Host tools the runner relies on, resolved once.
struct SandboxTools: Sendable {
    var bwrap: String?
    var unshare: String?
    var setpriv: String?
    var prlimit: String?

    static let system = SandboxTools(
        bwrap: findExecutable("bwrap"), unshare: findExecutable("unshare"),
        setpriv: findExecutable("setpriv"), prlimit: findExecutable("prlimit"))
}

/// The PATH candidates see, and the one used to resolve bare executable names.
let sandboxMinimalPath = "/usr/local/bin:/usr/bin:/bin"

/// Looks `name` up in the minimal PATH (or returns it when it is a path); nil when not executable.
func findExecutable(_ name: String, path: String = sandboxMinimalPath) -> String? {
    if name.contains("/") { return access(name, X_OK) == 0 ? name : nil }
    for dir in path.split(separator: ":") {
        let candidate = "\(dir)/\(name)"
        var st = stat()
        if stat(candidate, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, access(candidate, X_OK) == 0 {
            return candidate
        }
    }
    return nil
}

/// Where the work directory appears inside bubblewrap.
let sandboxInnerWorkDir = "/sandbox"

struct SandboxCommandLine {
    var isolation: SandboxIsolation
    var tools: SandboxTools
    /// Unprivileged uid/gid to drop to when the harness is root; nil otherwise.
    var dropToUID: UInt32?

    /// Where the host work dir (the input files) is visible, read-only, inside bubblewrap.
    static let inputDir = "/.sandbox-input"

    /// System directories bound read-only into bubblewrap (symlinks are recreated as symlinks).
    static let systemDirs = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"]
    /// The few /etc entries programs need to start (loader cache, alternatives, users, time zone).
    static let etcEntries = ["ld.so.cache", "ld.so.conf", "ld.so.conf.d", "alternatives", "localtime", "passwd",
                             "group", "nsswitch.conf"]

    /// - Parameter hasInputFiles: the work dir holds files to copy into bubblewrap's tmpfs work dir.
    func argv(executable: String, arguments: [String], workDir: String, limits: SandboxLimits,
              readOnlyPaths: [String], hasInputFiles: Bool = true) throws -> [String] {
        guard let prlimit = tools.prlimit else { throw SandboxError("prlimit (util-linux) not found in \(sandboxMinimalPath)") }
        var inner: [String] = []
        if let uid = dropToUID {
            guard let setpriv = tools.setpriv else { throw SandboxError("setpriv (util-linux) not found") }
            inner += [setpriv, "--reuid=\(uid)", "--regid=\(uid)", "--clear-groups", "--inh-caps=-all", "--"]
        }
        if isolation == .bubblewrap && hasInputFiles {
            // The work dir is a size-limited tmpfs: copy the input files in (as the sandbox user).
            inner += ["/bin/sh", "-c", "cp -R \(Self.inputDir)/. \(sandboxInnerWorkDir)/ && exec \"$@\"", "sh"]
        }
        inner += [prlimit, "--as=\(limits.addressSpaceBytes)", "--cpu=\(limits.cpuSeconds):\(limits.cpuSeconds + 1)",
                  "--fsize=\(limits.fileSizeBytes)", "--nofile=\(limits.openFiles)", "--core=0"]
        // RLIMIT_NPROC counts every process of the uid: meaningful only for a private uid (root drops to
        // one) or inside a fresh user namespace (non-root bubblewrap / unshare --user).
        if dropToUID != nil || isolation != .rlimitsOnly { inner.append("--nproc=\(limits.processes)") }
        inner += ["--", executable] + arguments

        switch isolation {
        case .rlimitsOnly:
            return inner
        case .namespaces:
            guard let unshare = tools.unshare else { throw SandboxError("unshare (util-linux) not found") }
            var outer = [unshare]
            if dropToUID == nil { outer += ["--user", "--map-root-user"] }
            outer += ["--net", "--pid", "--ipc", "--uts", "--fork", "--kill-child", "--mount-proc", "--"]
            // A shell as pid 1 of the namespace, the candidate as its child: the kernel ignores signals
            // without a handler sent to a namespace init (even SIGKILL to itself, or SIGXCPU), so the
            // candidate must not be the init. `; exit $?` stops the shell from exec'ing in place.
            return outer + ["/bin/sh", "-c", "\"$@\"; exit $?", "sh"] + inner
        case .bubblewrap:
            guard let bwrap = tools.bwrap else { throw SandboxError("bwrap not found") }
            var outer = [bwrap]
            if dropToUID != nil {
                // Root: no user namespace (it would map back to root); keep only the caps setpriv needs.
                outer += ["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try",
                          "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
            } else {
                outer += ["--unshare-all"]
            }
            outer += ["--die-with-parent", "--new-session", "--hostname", "sandbox"]
            outer += Self.systemBinds()
            for entry in Self.etcEntries { outer += ["--ro-bind-try", "/etc/\(entry)", "/etc/\(entry)"] }
            if let etc = try? FileManager.default.contentsOfDirectory(atPath: "/etc") {
                for entry in etc.sorted() where entry.hasPrefix("python") {
                    outer += ["--ro-bind-try", "/etc/\(entry)", "/etc/\(entry)"]
                }
            }
            var madeDirs = Set<String>()
            for path in readOnlyPaths where FileManager.default.fileExists(atPath: path) {
                // bwrap creates missing parents with mode 0700, which the unprivileged sandbox uid cannot
                // traverse (e.g. /root for a pyenv Python): create them 0755 first.
                for parent in Self.ancestors(of: path) where !madeDirs.contains(parent)
                    && !Self.systemDirs.contains(where: { parent == $0 || parent.hasPrefix($0 + "/") }) {
                    madeDirs.insert(parent)
                    outer += ["--perms", "0755", "--dir", parent]
                }
                outer += ["--ro-bind", path, path]
            }
            outer += ["--proc", "/proc", "--dev", "/dev",
                      "--size", "\(limits.tmpBytes)", "--perms", "1777", "--tmpfs", "/tmp",
                      "--ro-bind", workDir, Self.inputDir,
                      "--size", "\(limits.workBytes)", "--perms", "0777", "--tmpfs", sandboxInnerWorkDir,
                      "--chdir", sandboxInnerWorkDir, "--"]
            return outer + inner
        }
    }

    /// "/a/b/c" → ["/a", "/a/b"] (the directories above a path, outermost first).
    static func ancestors(of path: String) -> [String] {
        let parts = path.split(separator: "/").dropLast()
        return parts.indices.map { "/" + parts[...$0].joined(separator: "/") }
    }

    /// `--ro-bind` for real system directories, `--symlink` for merged-/usr links.
    static func systemBinds() -> [String] {
        var args: [String] = []
        for dir in systemDirs {
            var st = stat()
            guard lstat(dir, &st) == 0 else { continue }
            if (st.st_mode & S_IFMT) == S_IFLNK {
                if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: dir) {
                    args += ["--symlink", target, dir]
                }
            } else if (st.st_mode & S_IFMT) == S_IFDIR {
                args += ["--ro-bind", dir, dir]
            }
        }
        return args
    }

    /// Host directories an executable outside the system dirs needs (its install prefix, e.g. a pyenv
    /// Python under /root/.pyenv/versions/X): the parent of the directory holding its resolved path.
    static func installPrefix(of executable: String) -> String? {
        let resolved = URL(fileURLWithPath: executable).resolvingSymlinksInPath().path
        let systemPrefixes = systemDirs.map { $0 + "/" }
        if systemPrefixes.contains(where: { resolved.hasPrefix($0) }) { return nil }
        let binDir = (resolved as NSString).deletingLastPathComponent
        let prefix = (binDir as NSString).deletingLastPathComponent
        return prefix.isEmpty || prefix == "/" ? binDir : prefix
    }
}
