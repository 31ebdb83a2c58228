"""Trusted harness for code/python-v0; runs inside the sandbox, never imports candidate code.

Usage: `python3 -I harness.py < REQUEST.json`. The request (see docs/env-code.md) carries a per-run
random sentinel. The harness reads the whole request, closes stdin, makes itself non-dumpable (so
other processes of the same user cannot read its memory or open its /proc fds), and loads its own
modules and the task's trusted modules. Only then does it start the candidate in a child process
(worker.py) with capabilities dropped, stdin from /dev/null and stdout/stderr into files, and talk
to it over two private pipes. Results are computed here, from plain values decoded by codec.py,
and written as ONE line `SENTINEL {json}` on stdout. The candidate never sees the sentinel, so
nothing it prints (or exits with) can pass for a result.

Modes: "tests" (count the asserts of check(candidate)), "optimize" (call `run(current)` or a task
driver; return the construction), "score" (a task scorer judges a construction; no candidate).
"""

import os
import sys

_RAW_REQUEST = sys.stdin.buffer.read()
_null = os.open(os.devnull, os.O_RDONLY)
os.dup2(_null, 0)
os.close(_null)

import ast  # noqa: E402
import builtins  # noqa: E402
import ctypes  # noqa: E402
import importlib.util  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import select  # noqa: E402
import signal  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
import traceback  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import checks  # noqa: E402
import codec  # noqa: E402
from protocol import CandidateFailure, Invalid, TaskError  # noqa: E402

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


def load_task_module(filename):
    path = os.path.join(HERE, os.path.basename(filename))
    name = os.path.splitext(os.path.basename(filename))[0]
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None:
        raise TaskError("cannot load task module %s" % filename)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


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
        reply = self._receive(self._timeout())
        if reply is not None and not reply.get("ready"):
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
                over = "the harness deadline" if time.monotonic() >= self.deadline else "%.3g s" % self.call_timeout
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


def defines(source, name):
    """Whether `source` binds `name` at top level (def, class, assignment or import)."""
    tree = ast.parse(source)
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name == name:
            return True
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
            targets = [node.target]
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            if any((a.asname or a.name.split(".")[0]) == name for a in node.names):
                return True
        if any(isinstance(t, ast.Name) and t.id == name for t in targets):
            return True
    return False


def completed_source(code, prompt, entry):
    """The source to load: the code itself when it parses and defines `entry`; else prompt + code
    when that parses (a completion that only wrote the body); else the code when it parses; else None."""
    try:
        if defines(code, entry):
            return code
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        pass
    joined = prompt.rstrip("\n") + "\n" + code
    for source in (joined, code):
        try:
            ast.parse(source)
            return source
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
    return None


def parse_problem(code, request):
    """None when `code` parses as Python, else the `invalid` report."""
    try:
        ast.parse(code)
        return None
    except (SyntaxError, ValueError, RecursionError, MemoryError) as err:
        if request.get("whole_text"):
            why = "no fenced code block was found and the completion is not valid Python (%s)" % err
        else:
            why = "the code does not parse: %s" % err
        return {"status": "invalid", "error": clip(why)}


def run_tests(request, task_modules):
    compiled, asserts = checks.instrument(request["test"])
    entry = request["entry_point"]
    code = request["code"]
    source = completed_source(code, request.get("prompt", ""), entry)
    if source is None:
        return parse_problem(code, request)
    deadline = time.monotonic() + float(request.get("deadline_s", 8.0))
    cand = Candidate(source, {}, deadline, float(request.get("call_timeout_s", 4.0)))
    recorder = checks.Recorder(len(asserts))
    namespace = {"__name__": "task_test", "__builtins__": builtins, "__record__": recorder}
    aborted = None
    try:
        if cand.failure is None:
            exec(compiled, namespace)

            def candidate(*args, **kwargs):
                return cand.call(entry, *args, **kwargs)

            try:
                namespace["check"](candidate)
            except TaskError:
                raise
            except Exception as exc:
                aborted = clip("%s: %s" % (type(exc).__name__, exc), 500)
    finally:
        cand.kill()
    results = []
    for index, (line, text) in enumerate(asserts):
        passed, error = recorder.outcome(index)
        results.append({"line": line, "source": clip(text, 300), "passed": passed,
                        "error": None if error is None else clip(error, 500)})
    report = {"status": "ok", "passed": sum(r["passed"] for r in results), "total": len(results),
              "checks": results, "aborted": aborted, "calls": cand.calls}
    if cand.failure is not None:
        report["status"], report["error"] = cand.failure[0], clip(cand.failure[1])
    report.update(cand.logs())
    return report


def run_optimize(request, task_modules):
    code = request["code"]
    problem = parse_problem(code, request)
    if problem is not None:
        return problem
    current = request.get("current")
    params = request.get("params", {})
    deadline = time.monotonic() + float(request.get("deadline_s", 8.0))
    cand = Candidate(code, {"CURRENT": codec.encode(current)}, deadline,
                     float(request.get("call_timeout_s", 8.0)))
    report = {"status": "ok"}
    try:
        if cand.failure is not None:
            raise CandidateFailure(cand.failure[1], cand.failure[0])
        driver = task_modules.get("driver")
        if driver is not None:
            construction = driver.drive(cand.call, current, params)
        else:
            construction = cand.call(request.get("entry_point", "run"), current, adapt=True)
        construction = codec.to_json_value(construction)
        size = len(codec.dumps(construction))
        limit = int(request.get("max_construction_bytes", 1 << 20))
        if size > limit:
            raise Invalid("the construction is %d bytes of JSON; the limit is %d" % (size, limit))
        report["construction"] = construction
    except CandidateFailure as err:
        report = {"status": err.status, "error": clip(str(err))}
    except (Invalid, codec.CodecError) as err:
        report = {"status": "invalid", "error": clip(str(err))}
    finally:
        cand.kill()
    report["calls"] = cand.calls
    report.update(cand.logs())
    return report


def run_score(request, task_modules):
    scorer = task_modules.get("scorer")
    if scorer is None:
        raise TaskError("score mode needs a scorer module")
    try:
        result = scorer.score(request.get("construction"), request.get("params", {}))
    except Invalid as err:
        return {"status": "ok", "valid": False, "reason": clip(str(err)), "metrics": {}}
    if type(result) is not dict or type(result.get("valid")) is not bool:
        raise TaskError("the scorer must return {'valid': bool, 'score': float, ...}")
    metrics = {k: float(v) for k, v in result.get("metrics", {}).items()
               if type(v) in (int, float) and math.isfinite(v)}
    report = {"status": "ok", "valid": result["valid"], "reason": clip(str(result.get("reason", ""))),
              "metrics": metrics}
    if result["valid"]:
        score = result.get("score")
        if type(score) not in (int, float) or not math.isfinite(score):
            raise TaskError("the scorer returned a non-finite score for a valid construction")
        report["score"] = float(score)
    return report


MODES = {"tests": run_tests, "optimize": run_optimize, "score": run_score}


def main():
    make_undumpable()
    request = json.loads(_RAW_REQUEST)
    sentinel = request.pop("sentinel")
    try:
        task_modules = {key: load_task_module(request[key]) for key in ("driver", "scorer") if request.get(key)}
        # From here on nothing is imported from the work dir, which the candidate can write to.
        sys.path[:] = [p for p in sys.path if os.path.abspath(p) != HERE]
        report = MODES[request["mode"]](request, task_modules)
    except TaskError as err:
        report = {"status": "infra-error", "error": "task error: %s" % err}
    except Exception:  # a bug in the harness or a trusted task module: never the candidate's fault
        report = {"status": "infra-error", "error": clip(traceback.format_exc())}
    sys.stdout.write(sentinel + " " + codec.dumps(report) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
