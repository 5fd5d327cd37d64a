"""Audit of RL501 bare-except (Python) against the catalog text."""

from __future__ import annotations

import pytest
from reviewlens.analyzers.model import Applicability

from ._py_audit import (
    apply_fixes,
    assert_fixes_sound,
    assert_runs_everywhere,
    cases,
    check,
    lines,
)

CODE = "RL501"
APP = "app/service.py"

TABLE = [
    ("bare-except-body", APP, "try:\n    x = load()\nexcept:\n    x = {}\n", [3]),
    ("bare-except-pass", APP, "try:\n    x = load()\nexcept:\n    pass\n", [3]),
    ("exception-pass", APP, "try:\n    x = load()\nexcept Exception:\n    pass\n", [3]),
    ("exception-ellipsis", APP, "try:\n    x = load()\nexcept Exception:\n    ...\n", [3]),
    ("baseexception-as-pass", APP, "try:\n    x = load()\nexcept BaseException as e:\n    pass\n", [3]),
    ("in-async-route", APP, "async def f():\n    try:\n        await g()\n    except Exception:\n        pass\n", [4]),
    ("tests-not-exempt", "tests/test_x.py", "try:\n    x = load()\nexcept:\n    pass\n", [3]),
    # must not flag
    ("exception-handled", APP, "try:\n    x = load()\nexcept Exception:\n    logger.exception('load failed')\n", []),
    ("todo-is-no-explanation", APP, "try:\n    x = load()\nexcept Exception:\n    pass  # TODO\n", [3]),
    ("specific-pass", APP, "try:\n    x = load()\nexcept KeyError:\n    pass\n", []),
    ("exception-reraise", APP, "try:\n    x = load()\nexcept Exception:\n    raise\n", []),
    ("commented-pass-still-swallows", APP, "try:\n    x = load()\nexcept Exception:  # best effort, the cache is optional\n    pass\n", [3]),
    ("pass-then-more", APP, "try:\n    x = load()\nexcept Exception:\n    pass\n    x = None\n", []),
]


@pytest.mark.parametrize("path, src, expected", cases(TABLE))
def test_rl501(path, src, expected):
    assert lines(src, check(src, CODE, path)) == expected


def test_safe_fix_bare_except():
    out = apply_fixes("try:\n    x = load()\nexcept:\n    x = {}\n", CODE, minimum=Applicability.SAFE)
    assert out == "try:\n    x = load()\nexcept Exception:\n    x = {}\n"


def test_safe_fix_keeps_body_and_nested_indent():
    src = "def f():\n    try:\n        g()\n    except:  # fall back to nothing\n        return None\n"
    out = apply_fixes(src, CODE, minimum=Applicability.SAFE)
    assert "    except Exception:  # fall back to nothing\n        return None\n" in out


def test_broad_pass_has_no_safe_fix():
    (f,) = check("try:\n    x = load()\nexcept Exception:\n    pass\n", CODE, APP)
    assert f.fix is None or f.fix.applicability != Applicability.SAFE


def test_bare_except_pass_after_fix_still_reported_as_swallowing():
    # `except: pass` -> `except Exception: pass` is still a swallowed error, without a further safe fix.
    out = apply_fixes("try:\n    x = load()\nexcept:\n    pass\n", CODE, minimum=Applicability.SAFE)
    assert out == "try:\n    x = load()\nexcept Exception:\n    pass\n"
    assert len(check(out, CODE, APP)) == 1


def test_message_mentions_except():
    (f,) = check("try:\n    x = load()\nexcept:\n    pass\n", CODE, APP)
    assert "except" in f.message


def test_not_exempt_in_test_or_script_paths():
    # Not in the catalog's list of rules with default exempt paths: runs everywhere.
    assert_runs_everywhere('try:\n    g()\nexcept:\n    pass\n', CODE)


def test_fixes_of_flagged_rows_parse_and_converge():
    assert_fixes_sound(TABLE, CODE)
