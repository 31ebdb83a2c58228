"""The untrusted child, seen from the trusted harness: start it, load the candidate, call it.

`Candidate` starts worker.py in a child process with all capabilities and the capability bounding set
dropped and `no_new_privs` set, in its own session, with stdin from /dev/null and stdout/stderr into files
(never the sandbox's stdout), and talks to it over two private pipes. Every call has a deadline; replies
are decoded by codec.py into fresh builtin values. Once the child fails (exits, is killed, times out,
writes garbage) it is killed and every later call fails with the same status.
"""

import ctypes
import json
import os
import select
import signal
import subprocess
import sys
import time

import codec
from protocol import CandidateFailure, TaskError

HERE = os.path.dirname(os.path.abspath(__file__))

PR_SET_DUMPABLE = 4
PR_SET_NO_NEW_PRIVS = 38
PR_CAPBSET_DROP = 24
PR_CAP_AMBIENT = 47
PR_CAP_AMBIENT_CLEAR_ALL = 4
MAX_REPLY_BYTES = 16 << 20
MAX_LOG_CHARS = 2000

_libc = ctypes.CDLL(None, use_errno=True)


def make_undumpable():
    if hasattr(_libc, "prctl"):  # Linux only; elsewhere the sandbox's walls are all there is
        _libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)


def drop_privileges():
    """Runs in the worker between fork and exec: no capabilities, no privilege gain on exec."""
    if not hasattr(_libc, "prctl"):
        return
    _libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    _libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
    for cap in range(64):
        _libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0)
    capset = getattr(_libc, "capset", None)
    if capset is not None:
        header = (ctypes.c_uint32 * 2)(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3, this process
        data = (ctypes.c_uint32 * 6)()                  # effective/permitted/inheritable all empty
        capset(header, data)


def worker_environment():
    """The harness's (already scrubbed) environment without PYTHON* variables, plus a fixed hash seed so that
    a candidate iterating over a set of strings behaves the same on every evaluation. (The worker is not
    started with -I, which would ignore PYTHONHASHSEED; -s still keeps the user site out.)"""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["PYTHONHASHSEED"] = "0"
    return env


def clip(text, limit=MAX_LOG_CHARS):
    if len(text) <= limit:
        return text
    half = limit // 2
    return text[:half] + "\n...[%d chars cut]...\n" % (len(text) - limit) + text[-half:]


class Candidate:
    """The untrusted child: load the source, then call its functions with a deadline per call."""

    def __init__(self, source, globals_, deadline, call_timeout):
        self.deadline = deadline
        self.call_timeout = call_timeout
        self.failure = None  # (status, message) once the child is unusable
        self.calls = 0
        self._buffer = bytearray()
        self._out_path = os.path.join(HERE, "candidate.stdout")
        self._err_path = os.path.join(HERE, "candidate.stderr")
        to_child_r, self._to_child = os.pipe()
        self._from_child, from_child_w = os.pipe()
        with open(self._out_path, "wb") as out, open(self._err_path, "wb") as err:
            self.proc = subprocess.Popen(
                [sys.executable, "-s", "-u", os.path.join(HERE, "worker.py"), str(to_child_r), str(from_child_w)],
                stdin=subprocess.DEVNULL, stdout=out, stderr=err, cwd=HERE, close_fds=True, env=worker_environment(),
                pass_fds=(to_child_r, from_child_w), start_new_session=True, preexec_fn=drop_privileges)
        os.close(to_child_r)
        os.close(from_child_w)
        self._send({"load": source, "globals": globals_})
        # Loading (interpreter start-up, imports such as numpy, module-level code) may use the whole
        # remaining deadline, not just one call's budget: start-up is slow on a loaded machine.
        reply = self._receive(max(0.0, self.deadline - time.monotonic()))
        if reply is not None and type(reply) is not dict:
            self._fail("crash", "the candidate process answered the load with garbage")
        elif reply is not None and not reply.get("ready"):
            kind = reply.get("kind")
            status = {"syntax": "invalid", "memory": "resource-limit"}.get(kind, "crash")
            self._fail(status, "while loading: %s" % reply.get("error", "unknown error"))

    def _timeout(self):
        return max(0.0, min(self.call_timeout, self.deadline - time.monotonic()))

    def _send(self, obj):
        try:
            os.write(self._to_child, (codec.dumps(obj) + "\n").encode("utf-8"))
        except OSError:
            pass  # the child is gone; the next read reports how it ended

    def _receive(self, timeout):
        """One reply line, or None after recording why there is none."""
        end = time.monotonic() + timeout
        searched = 0  # bytes of the buffer already known to hold no newline (keeps reading linear)
        while self._buffer.find(b"\n", searched) < 0:
            searched = len(self._buffer)
            left = end - time.monotonic()
            if left <= 0 or not select.select([self._from_child], [], [], left)[0]:
                over = "the harness deadline" if time.monotonic() >= self.deadline - 0.01 else "%.3g s" % self.call_timeout
                what = "call %d" % self.calls if self.calls else "loading the candidate"
                self._fail("timeout", "%s took longer than %s" % (what, over))
                return None
            chunk = os.read(self._from_child, 1 << 16)
            if not chunk:
                self._died()
                return None
            self._buffer += chunk
            if len(self._buffer) > MAX_REPLY_BYTES:
                self._fail("invalid", "a reply from the candidate exceeded %d bytes" % MAX_REPLY_BYTES)
                return None
        cut = self._buffer.index(b"\n")
        line = bytes(self._buffer[:cut])
        del self._buffer[:cut + 1]
        try:
            return json.loads(line)
        except Exception:  # ValueError, or RecursionError/MemoryError on a reply built to break the parser
            self._fail("crash", "the candidate process wrote garbage on the harness pipe")
            return None

    def _died(self):
        try:
            code = self.proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            code = None
        if code is None:
            self._fail("crash", "the candidate process closed the harness pipe")
        elif code < 0:
            sig = -code
            name = signal.Signals(sig).name if sig in signal.valid_signals() else str(sig)
            status = "timeout" if sig == signal.SIGXCPU else "crash"
            self._fail(status, "the candidate process was killed by %s" % name)
        else:
            self._fail("crash", "the candidate process exited with code %d" % code)

    def _fail(self, status, message):
        if self.failure is None:
            self.failure = (status, message)
        self.kill()

    def call(self, name, *args, adapt=False, **kwargs):
        """Call `name(*args, **kwargs)` in the candidate; plain values in, plain values out."""
        if self.failure is not None:
            raise CandidateFailure(self.failure[1], self.failure[0])
        self.calls += 1
        try:
            wire_args = codec.encode(list(args))
            wire_kwargs = codec.encode([[k, v] for k, v in kwargs.items()])
        except codec.CodecError as err:
            raise TaskError("the task passes a value the candidate cannot receive: %s" % err)
        self._send({"id": self.calls, "fn": name, "args": wire_args, "kwargs": wire_kwargs, "adapt": adapt})
        reply = self._receive(self._timeout())
        if reply is None:
            raise CandidateFailure(self.failure[1], self.failure[0])
        if type(reply) is not dict or reply.get("id") != self.calls:
            self._fail("crash", "the candidate process answered out of turn")
            raise CandidateFailure(self.failure[1], self.failure[0])
        if not reply.get("ok"):
            raise CandidateFailure(str(reply.get("error", "unknown error"))[:MAX_LOG_CHARS], "crash")
        try:
            return codec.decode(reply.get("value"))
        except Exception as err:  # CodecError, or RecursionError/MemoryError from a hostile reply
            raise CandidateFailure("unusable return value: %s: %s" % (type(err).__name__, err), "invalid")

    def kill(self):
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            self.proc.wait()

    def logs(self):
        out = {}
        for key, path in (("stdout", self._out_path), ("stderr", self._err_path)):
            try:
                with open(path, "rb") as f:
                    out[key] = clip(f.read(64 << 10).decode("utf-8", "replace"))
            except OSError:
                out[key] = ""
        return out
