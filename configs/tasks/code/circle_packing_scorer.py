"""Trusted scorer for circle packing in the unit square: maximise the sum of radii of n circles.

The construction is a JSON list of exactly n triples [x, y, r]. Feasibility is decided in exact
rational arithmetic on the binary values of the floats (fractions.Fraction), with zero tolerance:
every circle lies inside [0, 1]^2 (x - r >= 0, x + r <= 1, same for y) and every pair satisfies
(xi - xj)^2 + (yi - yj)^2 >= (ri + rj)^2. Touching is allowed; an overlap of 1e-9 is not.
Booleans, non-finite numbers, negative radii and wrong shapes are invalid.
"""

import math
from fractions import Fraction

from protocol import Invalid


def _number(value, where):
    if type(value) not in (int, float):
        raise Invalid("%s is %r, not a number" % (where, value))
    if type(value) is float and not math.isfinite(value):
        raise Invalid("%s is %r, not finite" % (where, value))
    return Fraction(value)


def score(construction, params):
    n = int(params.get("n", 26))
    if type(construction) is not list:
        raise Invalid("the construction must be a list of %d [x, y, r] triples" % n)
    if len(construction) != n:
        raise Invalid("the construction has %d circles; exactly %d are required" % (len(construction), n))
    circles = []
    for i, circle in enumerate(construction):
        if type(circle) is not list or len(circle) != 3:
            raise Invalid("circle %d must be a list [x, y, r]" % i)
        x, y, r = (_number(v, "circle %d %s" % (i, axis)) for v, axis in zip(circle, "xyr"))
        if r < 0:
            raise Invalid("circle %d has a negative radius" % i)
        if x - r < 0 or x + r > 1 or y - r < 0 or y + r > 1:
            raise Invalid("circle %d is not inside the unit square" % i)
        circles.append((x, y, r))
    worst = None
    for i in range(n):
        xi, yi, ri = circles[i]
        for j in range(i + 1, n):
            xj, yj, rj = circles[j]
            gap = (xi - xj) ** 2 + (yi - yj) ** 2 - (ri + rj) ** 2
            if gap < 0:
                raise Invalid("circles %d and %d overlap" % (i, j))
            if worst is None or gap < worst:
                worst = gap
    total = sum(c[2] for c in circles)
    return {"valid": True, "score": float(total), "reason": "",
            "metrics": {"sum_radii": float(total), "min_radius": float(min(c[2] for c in circles)),
                        "min_pair_slack": float(worst) if worst is not None else 0.0}}
