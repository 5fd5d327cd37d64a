"""server/output/jsontext.dumps writes exactly what json.dumps(indent=2, ensure_ascii=False) does."""

from __future__ import annotations

import json
import random

import pytest

from reviewlens.server.output import jsontext

CASES = [
    {}, [], "", 0, -1, 10**30, None, True, False, "é\u2028\"\\\n\t\x00😀", {"a": {}, "b": [], "c": [[]], "d": [{}]},
    {"schema_version": 1, "findings": [{"byte_range": [1, 2], "fix": None, "alternatives": []}]},
    ("a", ("b",)), {"\udc80": "lone surrogate \udcff"},
]


@pytest.mark.parametrize("value", CASES, ids=range(len(CASES)))
def test_same_as_json_dumps(value):
    assert jsontext.dumps(value) == json.dumps(value, indent=2, ensure_ascii=False)


@pytest.mark.parametrize("value", [1.5, float("nan"), {1: "int key"}, {"x": [1, 2.0]}, {True: 1}, {None: 2}])
def test_what_the_fast_path_leaves_to_json_dumps(value):
    assert jsontext.dumps(value) == json.dumps(value, indent=2, ensure_ascii=False)


def test_random_documents():
    rng = random.Random(5)
    alphabet = ["a", "Z", " ", "\"", "\\", "\n", "é", "中", "😀", "\x7f", "\x01", "/"]

    def value(depth: int):
        kind = rng.randrange(8 if depth < 4 else 4)
        if kind == 0:
            return "".join(rng.choice(alphabet) for _ in range(rng.randrange(6)))
        if kind == 1:
            return rng.randrange(-10**6, 10**6)
        if kind == 2:
            return rng.choice([None, True, False])
        if kind == 3:
            return rng.choice(["", 0])
        if kind in (4, 5):
            return {"".join(rng.choice(alphabet) for _ in range(3)): value(depth + 1) for _ in range(rng.randrange(4))}
        return [value(depth + 1) for _ in range(rng.randrange(4))]

    for _ in range(500):
        doc = value(0)
        assert jsontext.dumps(doc) == json.dumps(doc, indent=2, ensure_ascii=False)
