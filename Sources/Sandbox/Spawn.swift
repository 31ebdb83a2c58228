// posix_spawn of a child in its own session (pid == pgid == sid) with stdin/stdout/stderr on pipes,
// default signal dispositions, an empty signal mask, no inherited descriptors beyond 0-2, and exactly the
// given environment. posix_spawn, not fork(): forking a multi-threaded Swift process is unsafe.
import Foundation

/// glibc's POSIX_SPAWN_SETSID (not exported to Swift): the child calls setsid(), so pid == pgid == sid.
private let spawnSetSID: Int32 = 0x80

private typealias AddChdirFn = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>,
                                               UnsafePointer<CChar>) -> Int32
private typealias AddClosefromFn = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
private typealias Pipe2Fn = @convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32

/// GNU extensions of glibc (pipe2, addchdir_np 2.29, addclosefrom_np 2.34) that Swift's Glibc module does
/// not export, looked up at run time.
private let gnuSpawnExtensions: (chdir: AddChdirFn?, closefrom: AddClosefromFn?, pipe2: Pipe2Fn?) = {
    let handle = dlopen(nil, RTLD_NOW)
    let chdir = dlsym(handle, "posix_spawn_file_actions_addchdir_np").map { unsafeBitCast($0, to: AddChdirFn.self) }
    let closefrom = dlsym(handle, "posix_spawn_file_actions_addclosefrom_np")
        .map { unsafeBitCast($0, to: AddClosefromFn.self) }
    let pipe2 = dlsym(handle, "pipe2").map { unsafeBitCast($0, to: Pipe2Fn.self) }
    return (chdir, closefrom, pipe2)
}()

/// A close-on-exec pipe (atomic with pipe2 when available).
private func makePipe(_ fds: inout [Int32]) -> Bool {
    if let pipe2 = gnuSpawnExtensions.pipe2 { return fds.withUnsafeMutableBufferPointer { pipe2($0.baseAddress!, O_CLOEXEC) } == 0 }
    guard pipe(&fds) == 0 else { return false }
    _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC); _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
    return true
}

func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

func setNonBlocking(_ fd: Int32) {
    let flags = fcntl(fd, F_GETFL)
    _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
}

/// A spawned child and the harness ends of its pipes (all close-on-exec).
struct SpawnedProcess {
    var pid: pid_t
    var stdin: Int32
    var stdout: Int32
    var stderr: Int32
}

/// Spawns `argv[0]` (an absolute path) in `directory` (nil: ours). Throws `SandboxError` when it cannot.
func spawnWithPipes(argv: [String], environment: [String: String], directory: String?) throws -> SpawnedProcess {
    _ = ignoreSIGPIPEOnce
    var inPipe: [Int32] = [-1, -1], outPipe: [Int32] = [-1, -1], errPipe: [Int32] = [-1, -1]
    guard makePipe(&inPipe) else { throw SandboxError("pipe: \(String(cString: strerror(errno)))") }
    guard makePipe(&outPipe) else {
        close(inPipe[0]); close(inPipe[1])
        throw SandboxError("pipe: \(String(cString: strerror(errno)))")
    }
    guard makePipe(&errPipe) else {
        close(inPipe[0]); close(inPipe[1]); close(outPipe[0]); close(outPipe[1])
        throw SandboxError("pipe: \(String(cString: strerror(errno)))")
    }

    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_adddup2(&actions, inPipe[0], 0)
    posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
    posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
    if let closefrom = gnuSpawnExtensions.closefrom { _ = closefrom(&actions, 3) }
    if let directory, let addChdir = gnuSpawnExtensions.chdir { _ = addChdir(&actions, directory) }

    var attr = posix_spawnattr_t()
    posix_spawnattr_init(&attr)
    defer { posix_spawnattr_destroy(&attr) }
    var noSignals = sigset_t(), allSignals = sigset_t()
    sigemptyset(&noSignals)
    sigfillset(&allSignals)
    posix_spawnattr_setsigmask(&attr, &noSignals)
    posix_spawnattr_setsigdefault(&attr, &allSignals)   // undo SIG_IGN inherited from the harness
    posix_spawnattr_setflags(&attr, Int16(spawnSetSID | Int32(POSIX_SPAWN_SETSIGMASK) | Int32(POSIX_SPAWN_SETSIGDEF)))

    let envStrings = environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
    var pid: pid_t = 0
    let spawnStatus = withCStrings(argv) { cArgv in
        withCStrings(envStrings) { cEnv in posix_spawn(&pid, argv[0], &actions, &attr, cArgv, cEnv) }
    }
    close(inPipe[0]); close(outPipe[1]); close(errPipe[1])
    guard spawnStatus == 0 else {
        close(inPipe[1]); close(outPipe[0]); close(errPipe[0])
        throw SandboxError("posix_spawn \(argv[0]): \(String(cString: strerror(spawnStatus)))")
    }
    return SpawnedProcess(pid: pid, stdin: inPipe[1], stdout: outPipe[0], stderr: errPipe[0])
}

/// Calls `body` with a NULL-terminated C array of C strings.
func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
    let pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) } + [nil]
    defer { for p in pointers { free(p) } }
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}
