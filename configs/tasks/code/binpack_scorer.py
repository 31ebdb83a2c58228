"""Trusted scorer for online bin packing: bins used against best fit on the same instances.

The construction is {"assignments": [[bin index of each item] for each instance]}, produced by the
trusted driver. The scorer regenerates the instances from the seed, checks every item is placed in
a bin whose load stays within the capacity, and scores total best-fit bins / total bins used:
1.0 matches best fit, above 1.0 beats it.
"""

import binpack_instances
from protocol import Invalid


def score(construction, params):
    capacity = int(params.get("capacity", 100))
    problems = binpack_instances.instances(params)
    if type(construction) is not dict or type(construction.get("assignments")) is not list:
        raise Invalid("the construction must be {\"assignments\": [...]}")
    assignments = construction["assignments"]
    if len(assignments) != len(problems):
        raise Invalid("expected assignments for %d instances, got %d" % (len(problems), len(assignments)))
    used = baseline = bound = 0
    for k, (sizes, placed) in enumerate(zip(problems, assignments)):
        if type(placed) is not list or len(placed) != len(sizes):
            raise Invalid("instance %d: expected %d bin indices" % (k, len(sizes)))
        loads = {}
        for size, b in zip(sizes, placed):
            if type(b) is not int or b < 0:
                raise Invalid("instance %d: bin index %r is not a non-negative integer" % (k, b))
            loads[b] = loads.get(b, 0) + size
            if loads[b] > capacity:
                raise Invalid("instance %d: bin %d is over capacity" % (k, b))
        used += len(loads)
        baseline += binpack_instances.best_fit_bins(sizes, capacity)
        bound += binpack_instances.lower_bound(sizes, capacity)
    return {"valid": True, "score": baseline / used, "reason": "",
            "metrics": {"bins": float(used), "best_fit_bins": float(baseline), "l1_bound": float(bound),
                        "excess_over_l1_pct": 100.0 * (used - bound) / bound}}
