"""Deterministic online bin-packing instances, shared by the driver and the scorer (trusted).

Items follow a Weibull(shape 3, scale 45) distribution rounded to integers in [1, capacity] (the
distribution FunSearch used), drawn from a splitmix64 stream so the same seed gives the same
instances on every machine and Python version.
"""

import math

MASK = (1 << 64) - 1


def _splitmix64(state):
    state = (state + 0x9E3779B97F4A7C15) & MASK
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return state, z ^ (z >> 31)


def instances(params):
    """A list of instances, each a list of integer item sizes."""
    seed = int(params.get("seed", 0))
    count = int(params.get("instances", 4))
    items = int(params.get("items", 200))
    capacity = int(params.get("capacity", 100))
    shape = float(params.get("shape", 3.0))
    scale = float(params.get("scale", 45.0))
    state = seed & MASK
    out = []
    for _ in range(count):
        sizes = []
        for _ in range(items):
            state, z = _splitmix64(state)
            u = ((z >> 11) + 0.5) / float(1 << 53)  # in (0, 1)
            size = int(round(scale * (-math.log(1.0 - u)) ** (1.0 / shape)))
            sizes.append(min(capacity, max(1, size)))
        out.append(sizes)
    return out


def best_fit_bins(sizes, capacity):
    """Bins used by best fit: each item goes to the fullest open bin it fits in."""
    bins = []
    for size in sizes:
        best = -1
        for i, remaining in enumerate(bins):
            if remaining >= size and (best < 0 or remaining < bins[best]):
                best = i
        if best < 0:
            bins.append(capacity - size)
        else:
            bins[best] -= size
    return len(bins)


def lower_bound(sizes, capacity):
    """L1 bound: ceil(total size / capacity)."""
    return -(-sum(sizes) // capacity)
