#!/usr/bin/env python3
"""An external Discovery environment in plain Python (no dependencies).

Problem: approximate sqrt(2) by a fraction p/q with 1 <= q <= max_denominator.
Reward: digits of accuracy, -log10(|p/q - sqrt(2)|) (higher is better); a reply that is not a fraction
is invalid (reward 0). The protocol (one JSON request per line on stdin, one JSON response per line on
stdout) is described in docs/environments.md.

Run it by hand:  echo '{"id":1,"method":"describe","params":{"options":{}}}' | python3 sqrt2_env.py
Use it:          discover envs check external/jsonl --env-arg command="python3 examples/python-environment/sqrt2_env.py"
"""
import json
import math
import re
import sys
from fractions import Fraction

OPTIONS = {"max_denominator": 100}
FRACTION = re.compile(r"^\s*(-?\d{1,30})\s*/\s*(\d{1,30})\s*$")


def score(p, q):
    error = abs(p / q - math.sqrt(2))
    return -math.log10(max(error, 1e-16))


def describe(params):
    options = params.get("options", {})
    if "max_denominator" in options:
        OPTIONS["max_denominator"] = int(options["max_denominator"])
    return {
        "id": "example/sqrt2-fraction-v0",
        "summary": "approximate sqrt(2) by a fraction with a bounded denominator",
        "problem": "Find integers p and q with 1 <= q <= %d such that p/q is as close as possible to "
                   "the square root of 2. Reply with the fraction as p/q." % OPTIONS["max_denominator"],
        "higher_is_better": True,
        "deterministic": True,
        "prompt": True,
    }


def initial_states(params):
    return {"states": [{"construction": "1/1", "value": score(1, 1), "feedback": ""}]}


def prompt(params):
    state = params["state"]
    value = state.get("value")
    text = "Approximate sqrt(2) by p/q with q <= %d.\nCurrent: %s (%.3f digits)\nBetter fraction:" % (
        OPTIONS["max_denominator"], state["construction"], value if value is not None else 0.0)
    return {"prompt": text}


def evaluate(params):
    match = FRACTION.match(params["completion"].strip().splitlines()[0] if params["completion"].strip() else "")
    if not match:
        return {"reward": 0, "status": "invalid", "feedback": "reply with a fraction p/q"}
    p, q = int(match.group(1)), int(match.group(2))
    if not 1 <= q <= OPTIONS["max_denominator"]:
        return {"reward": 0, "status": "invalid",
                "feedback": "the denominator must be between 1 and %d" % OPTIONS["max_denominator"]}
    reward = score(p, q)
    construction = "%d/%d" % (p, q)
    feedback = "%s is off by %.3g" % (construction, abs(p / q - math.sqrt(2)))
    return {"reward": reward, "status": "ok", "metrics": {"denominator": q}, "feedback": feedback,
            "child": {"construction": construction, "value": reward, "feedback": feedback}}


def references(params):
    return {"references": [
        {"name": "99/70", "completion": "99/70", "reward": [4.14, 4.15]},
        {"name": "three halves", "completion": "3/2", "reward": [1.06, 1.07]},
        {"name": "not a fraction", "completion": "about 1.41", "reward": [0, 0]},
    ]}


METHODS = {"describe": describe, "initial_states": initial_states, "prompt": prompt,
           "evaluate": evaluate, "references": references}


def main():
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        method = request.get("method")
        if method == "shutdown":
            break
        try:
            response = {"id": request["id"], "result": METHODS[method](request.get("params", {}))}
        except Exception as error:  # report, keep serving
            response = {"id": request.get("id"), "error": "%s: %s" % (type(error).__name__, error)}
        sys.stdout.write(json.dumps(response) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
