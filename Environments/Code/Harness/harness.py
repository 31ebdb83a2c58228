"""Trusted harness for code/python-v0; runs inside the sandbox, never imports candidate code.

Usage: `python3 -I -S harness.py < REQUEST.json`. The request (see docs/env-code.md) carries a per-run
random sentinel. The harness reads the whole request, closes stdin, makes itself non-dumpable (so
other processes of the same user cannot read its memory or open its /proc fds), and loads its own
modules and the task's trusted modules. Only then does it start the candidate in a child process
(worker.py, managed by candidate_process.py) with capabilities dropped, stdin from /dev/null and
stdout/stderr into files, and talk to it over two private pipes. Results are computed here, from plain values decoded by codec.py,
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
import importlib.util  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import signal  # noqa: E402
import time  # noqa: E402
import traceback  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import checks  # noqa: E402
import codec  # noqa: E402
from candidate_process import Candidate, clip, make_undumpable  # noqa: E402
from protocol import CandidateFailure, Invalid, TaskError  # noqa: E402


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
    # The candidate runs as the same user and can signal the harness. SIGINT would surface here as
    # KeyboardInterrupt and end the run without a report (read as an infrastructure error, which is never
    # trained on); ignoring it leaves only signals that kill or stop the harness: `crash` or `timeout`.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
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
