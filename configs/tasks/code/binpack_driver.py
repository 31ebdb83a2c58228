"""Trusted driver for online bin packing: runs the packing, asking the candidate only for priorities.

For each arriving item the candidate's `priority(item, bins)` receives the item size and the
remaining capacities of the open bins it fits in, followed by one fresh empty bin (the capacity);
it returns one finite number per bin. The item goes to the bin with the highest priority (the
first on ties). The candidate never sees the packing state beyond these arguments, and this
driver, not the candidate, records where each item went.
"""

import math

import binpack_instances
from protocol import Invalid


def drive(call, current, params):
    capacity = int(params.get("capacity", 100))
    assignments = []
    for sizes in binpack_instances.instances(params):
        remaining = []  # remaining capacity of each open bin
        placed = []
        for size in sizes:
            fits = [i for i, rest in enumerate(remaining) if rest >= size]
            offered = [remaining[i] for i in fits] + [capacity]
            priorities = call("priority", size, offered)
            if type(priorities) not in (list, tuple) or len(priorities) != len(offered):
                raise Invalid("priority(%d, bins) must return a list of %d numbers, one per bin; got %s"
                              % (size, len(offered), _describe(priorities)))
            best = None
            for k, p in enumerate(priorities):
                if type(p) not in (int, float) or not math.isfinite(p):
                    raise Invalid("priority returned %r, which is not a finite number" % (p,))
                if best is None or p > priorities[best]:
                    best = k
            if best == len(fits):
                remaining.append(capacity - size)
                placed.append(len(remaining) - 1)
            else:
                remaining[fits[best]] -= size
                placed.append(fits[best])
        assignments.append(placed)
    return {"assignments": assignments}


def _describe(value):
    if type(value) in (list, tuple):
        return "a %s of length %d" % (type(value).__name__, len(value))
    return "a %s" % type(value).__name__
