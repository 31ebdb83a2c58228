#!/usr/bin/env python3
"""A misbehaving external environment for tests: evaluating "crash" exits, "hang" never answers,
"garbage" answers with a line that is not JSON; anything else scores len(completion)."""
import json, os, sys, time

for line in sys.stdin:
    request = json.loads(line)
    method, params = request["method"], request.get("params", {})
    if method == "shutdown":
        break
    if method == "describe":
        result = {"id": "test/flaky-v0", "problem": "Say something.", "summary": "crashes on demand"}
    elif method == "initial_states":
        result = {"states": [{"construction": "", "value": None}]}
    elif method == "references":
        result = {"references": [{"name": "two", "completion": "ab", "reward": [2, 2]}]}
    elif method == "evaluate":
        completion = params["completion"]
        if completion == "crash":
            sys.stderr.write("flaky_env: crashing as asked\n"); sys.stderr.flush()
            os._exit(3)
        if completion == "hang":
            time.sleep(3600)
        if completion == "garbage":
            sys.stdout.write("this is not json\n"); sys.stdout.flush()
            continue
        if completion == "error":
            sys.stdout.write(json.dumps({"id": request["id"], "error": "cannot score that"}) + "\n"); sys.stdout.flush()
            continue
        result = {"reward": len(completion), "status": "ok", "child": {"construction": completion, "value": len(completion)}}
    else:
        result = None
    sys.stdout.write(json.dumps({"id": request["id"], "result": result}) + "\n")
    sys.stdout.flush()
