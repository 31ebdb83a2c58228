"""The candidate's host process (UNTRUSTED once the candidate is loaded).

Started by harness.py as `python3 -I worker.py READ_FD WRITE_FD`. It loads the candidate's source into
a fresh module namespace, then answers calls one JSON line at a time. Nothing it says is trusted: the
harness decodes every reply into fresh builtin values and decides pass/fail itself. The candidate's
stdout/stderr are files the harness reads afterwards; the pipe fds carry only the protocol.

Messages (harness -> worker):  {"load": SOURCE, "globals": {NAME: VALUE}}
                               {"id": N, "fn": NAME, "args": [...], "kwargs": [[K, V], ...], "adapt": BOOL}
Replies (worker -> harness):   {"ready": true} | {"ready": false, "kind": KIND, "error": TEXT}
                               {"id": N, "ok": true, "value": V} | {"id": N, "ok": false, "error": TEXT}
`adapt` calls a function that takes no parameters without its arguments (`run()` vs `run(current)`).
"""

import inspect
import json
import os
import sys
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import codec  # noqa: E402

FILENAME = "candidate.py"


def describe(exc):
    """`Type: message (candidate.py line N)` for the innermost frame inside the candidate."""
    line = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename == FILENAME:
            line = frame.lineno
    if isinstance(exc, SyntaxError) and exc.filename == FILENAME:
        line = exc.lineno
    text = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    if line is not None:
        text += " (candidate.py line %d)" % line
    return text[:2000]


def main():
    rfd, wfd = int(sys.argv[1]), int(sys.argv[2])
    inbox = os.fdopen(rfd, "r", encoding="utf-8")
    outbox = os.fdopen(wfd, "w", encoding="utf-8")

    def reply(obj):
        outbox.write(codec.dumps(obj) + "\n")
        outbox.flush()

    first = json.loads(inbox.readline())
    namespace = {"__name__": "candidate", "__builtins__": __builtins__}
    for name, value in first.get("globals", {}).items():
        namespace[name] = codec.decode(value)
    try:
        code = compile(first["load"], FILENAME, "exec")
    except (SyntaxError, ValueError) as exc:
        reply({"ready": False, "kind": "syntax", "error": describe(exc)})
        return
    try:
        exec(code, namespace)
    except MemoryError as exc:
        reply({"ready": False, "kind": "memory", "error": describe(exc)})
        return
    except SystemExit as exc:
        reply({"ready": False, "kind": "exit", "error": "the candidate called exit(%r)" % (exc.code,)})
        return
    except BaseException as exc:  # noqa: B902 - anything the candidate raises is its failure
        reply({"ready": False, "kind": "exception", "error": describe(exc)})
        return
    reply({"ready": True})

    for line in inbox:
        request = json.loads(line)
        ident = request["id"]
        try:
            fn = namespace.get(request["fn"])
            if not callable(fn):
                raise NameError("the candidate does not define a function %r" % request["fn"])
            args = codec.decode(request["args"])
            kwargs = {k: v for k, v in codec.decode(request["kwargs"])}
            if request.get("adapt"):
                try:
                    if not inspect.signature(fn).parameters:
                        args, kwargs = [], {}
                except (TypeError, ValueError):
                    pass
            value = codec.encode(fn(*args, **kwargs))
            reply({"id": ident, "ok": True, "value": value})
        except SystemExit as exc:
            reply({"id": ident, "ok": False, "error": "the candidate called exit(%r)" % (exc.code,)})
        except BaseException as exc:  # noqa: B902
            reply({"id": ident, "ok": False, "error": describe(exc)})


if __name__ == "__main__":
    main()
