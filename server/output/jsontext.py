"""`json.dumps(obj, indent=2, ensure_ascii=False)`, several times faster: with `indent`,
the standard library leaves its C encoder for a generator per nested value (~16 ms for
the 140 findings of a large run, on the serial path after the checks). Strings go
through the C `encode_basestring`; anything but str / int / float / bool / None / list /
tuple / dict with str keys goes to `json.dumps` itself, which decides. The output is
byte-identical (tests/test_jsontext.py)."""

from __future__ import annotations

from typing import Any

try:  # the C function json.encoder uses, without importing the json package (~1 ms)
    from _json import encode_basestring
except ImportError:  # pragma: no cover - an interpreter without the accelerator
    from json.encoder import encode_basestring


# Encoded keys (`"code": `), the same few in every finding; str keys only.
_KEYS: dict[str, str] = {}


class _Other(Exception):
    """A value the fast path does not write: json.dumps writes the whole document."""


def dumps(obj: Any) -> str:
    out: list[str] = []
    try:
        _write(obj, out, "\n")
    except _Other:
        import json

        return json.dumps(obj, indent=2, ensure_ascii=False)
    return "".join(out)


def _write(o: Any, out: list[str], nl: str) -> None:
    t = type(o)
    if t is str:
        out.append(encode_basestring(o))
    elif t is int:
        out.append(int.__repr__(o))
    elif o is None:
        out.append("null")
    elif o is True:
        out.append("true")
    elif o is False:
        out.append("false")
    elif t is dict:
        if not o:
            out.append("{}")
            return
        inner = nl + "  "
        sep = "{" + inner
        keys = _KEYS
        for key, value in o.items():
            written = keys.get(key)
            if written is None:
                if type(key) is not str:
                    raise _Other
                written = keys[key] = encode_basestring(key) + ": "
            out.append(sep + written)
            _write(value, out, inner)
            sep = "," + inner
        out.append(nl + "}")
    elif t is list or t is tuple:
        if not o:
            out.append("[]")
            return
        inner = nl + "  "
        sep = "[" + inner
        for value in o:
            out.append(sep)
            _write(value, out, inner)
            sep = "," + inner
        out.append(nl + "]")
    else:  # floats (NaN, Infinity), subclasses, anything else
        raise _Other
