"""Strict, tagged encoding of plain Python values for the harness <-> candidate pipe.

Only exact builtin types cross the boundary: None, bool, int, float, complex, str, bytes, list,
tuple, set, frozenset and dict (any plain hashable keys). `encode` refuses subclasses (an `int`
subclass with a lying `__eq__` is rejected), and `decode` only ever builds fresh builtin objects,
so whatever the candidate process sends, the trusted side holds plain data.

Wire form (JSON): null/true/false/numbers/strings as themselves, a list as a JSON array, and the
other containers as one-key objects: {"t": [...]} tuple, {"s": [...]} set, {"f": [...]} frozenset,
{"d": [[k, v], ...]} dict, {"b": "hex"} bytes, {"c": [re, im]} complex, {"x": "nan"|"inf"|"-inf"}
a non-finite float (JSON has no literal for them).
"""

import json
import math

MAX_DEPTH = 100
MAX_EXACT_INT = 2 ** 53


def _short(n):
    text = str(n) if n.bit_length() < 2000 else "with %d bits" % n.bit_length()
    return text if len(text) < 40 else text[:20] + "..."


class CodecError(Exception):
    """A value that cannot cross the boundary (unsupported type, too deep, malformed)."""


def encode(value, depth=0):
    if depth > MAX_DEPTH:
        raise CodecError("value nested deeper than %d levels" % MAX_DEPTH)
    t = type(value)
    if value is None or t is bool or t is str:
        return value
    if t is int:
        return value
    if t is float:
        if math.isnan(value):
            return {"x": "nan"}
        if math.isinf(value):
            return {"x": "inf" if value > 0 else "-inf"}
        return value
    if t is list:
        return [encode(v, depth + 1) for v in value]
    if t is tuple:
        return {"t": [encode(v, depth + 1) for v in value]}
    if t is set:
        return {"s": [encode(v, depth + 1) for v in value]}
    if t is frozenset:
        return {"f": [encode(v, depth + 1) for v in value]}
    if t is dict:
        return {"d": [[encode(k, depth + 1), encode(v, depth + 1)] for k, v in value.items()]}
    if t is bytes:
        return {"b": value.hex()}
    if t is complex:
        return {"c": [encode(value.real, depth + 1), encode(value.imag, depth + 1)]}
    raise CodecError("unsupported type %s (only plain builtin values can be returned)" % t.__name__)


_NONFINITE = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}


def decode(wire, depth=0):
    if depth > MAX_DEPTH:
        raise CodecError("value nested deeper than %d levels" % MAX_DEPTH)
    t = type(wire)
    if wire is None or t is bool or t is str or t is int or t is float:
        return wire
    if t is list:
        return [decode(v, depth + 1) for v in wire]
    if t is not dict or len(wire) != 1:
        raise CodecError("malformed value")
    (tag, body), = wire.items()
    if tag == "x" and type(body) is str and body in _NONFINITE:
        return _NONFINITE[body]
    if tag == "b" and type(body) is str:
        try:
            return bytes.fromhex(body)
        except ValueError:
            raise CodecError("malformed bytes")
    if type(body) is not list:
        raise CodecError("malformed %r container" % tag)
    items = [decode(v, depth + 1) for v in body]
    try:
        if tag == "t":
            return tuple(items)
        if tag == "s":
            return set(items)
        if tag == "f":
            return frozenset(items)
        if tag == "d":
            out = {}
            for pair in items:
                if type(pair) is not list or len(pair) != 2:
                    raise CodecError("malformed dict entry")
                out[pair[0]] = pair[1]
            return out
        if tag == "c" and len(items) == 2 and all(type(v) in (int, float) for v in items):
            return complex(items[0], items[1])
    except TypeError as err:  # unhashable set member or dict key
        raise CodecError("malformed %r container: %s" % (tag, err))
    raise CodecError("unknown tag %r" % tag)


def dumps(value):
    """One line of JSON for `value` (already encoded or plain JSON)."""
    return json.dumps(value, separators=(",", ":"), allow_nan=False)


def to_json_value(value, depth=0):
    """Check that `value` is a strict JSON value (finite numbers, str keys) and return it.

    Used on constructions: tuples are accepted as arrays; NaN/inf, sets, bytes, non-str keys are not.
    """
    if depth > MAX_DEPTH:
        raise CodecError("construction nested deeper than %d levels" % MAX_DEPTH)
    t = type(value)
    if value is None or t is bool or t is str:
        return value
    if t is int:
        if abs(value) > MAX_EXACT_INT:
            raise CodecError("integer %s in construction is beyond +-2^53 (not exact in JSON readers)" % _short(value))
        return value
    if t is float:
        if not math.isfinite(value):
            raise CodecError("non-finite number %r in construction" % value)
        return value
    if t is list or t is tuple:
        return [to_json_value(v, depth + 1) for v in value]
    if t is dict:
        out = {}
        for k, v in value.items():
            if type(k) is not str:
                raise CodecError("construction object key %r is not a string" % (k,))
            out[k] = to_json_value(v, depth + 1)
        return out
    raise CodecError("construction contains a %s, which is not JSON" % t.__name__)
