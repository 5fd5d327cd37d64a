"""Audit of RL502 raise-without-from (Python) against the catalog text."""

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

CODE = "RL502"
APP = "app/routes.py"
H = "from fastapi import HTTPException\n"

TABLE = [
    ("unbound-handler", APP, H + "def f():\n    try:\n        g()\n    except KeyError:\n        raise HTTPException(status_code=404, detail='nf')\n", [6]),
    ("bound-handler", APP, H + "def f():\n    try:\n        g()\n    except ValueError as e:\n        raise HTTPException(400, 'bad')\n", [6]),
    ("class-raise", APP, "def f():\n    try:\n        g()\n    except KeyError:\n        raise LookupError\n", [5]),
    ("nested-in-if", APP, "def f(x):\n    try:\n        g()\n    except OSError as err:\n        if x:\n            raise RuntimeError('io')\n", [6]),
    ("attribute-exc", APP, "import errors\ndef f():\n    try:\n        g()\n    except Exception:\n        raise errors.AppError('x')\n", [6]),
    ("tests-not-exempt", "tests/test_x.py", "def f():\n    try:\n        g()\n    except KeyError:\n        raise LookupError('x')\n", [5]),
    # must not flag
    ("bare-raise", APP, "def f():\n    try:\n        g()\n    except KeyError:\n        raise\n", []),
    ("raise-bound", APP, "def f():\n    try:\n        g()\n    except KeyError as e:\n        raise e\n", []),
    ("with-from", APP, "def f():\n    try:\n        g()\n    except KeyError as e:\n        raise LookupError('x') from e\n", []),
    ("from-none", APP, "def f():\n    try:\n        g()\n    except KeyError:\n        raise LookupError('x') from None\n", []),
    ("outside-handler", APP, "def f():\n    raise ValueError('x')\n", []),
    ("in-try-body", APP, "def f():\n    try:\n        raise ValueError('x')\n    except KeyError as e:\n        pass\n", []),
    ("nested-def", APP, "def f():\n    try:\n        g()\n    except KeyError:\n        def h():\n            raise ValueError('later')\n        return h\n", []),
    ("in-else", APP, "def f():\n    try:\n        g()\n    except KeyError:\n        pass\n    else:\n        raise ValueError('x')\n", []),
]


@pytest.mark.parametrize("path, src, expected", cases(TABLE))
def test_rl502(path, src, expected):
    assert lines(src, check(src, CODE, path)) == expected


def test_fix_uses_bound_name():
    out = apply_fixes(TABLE[1][2], CODE, minimum=Applicability.SAFE)
    assert "raise HTTPException(400, 'bad') from e\n" in out


def test_fix_binds_as_exc_when_unbound():
    out = apply_fixes(TABLE[0][2], CODE, minimum=Applicability.SAFE)
    assert "    except KeyError as exc:\n" in out
    assert "raise HTTPException(status_code=404, detail='nf') from exc\n" in out


def test_fix_tuple_handler_and_free_name():
    src = "def f(exc):\n    try:\n        g(exc)\n    except (KeyError, ValueError):\n        raise LookupError('x')\n"
    out = apply_fixes(src, CODE, minimum=Applicability.SAFE)
    assert "    except (KeyError, ValueError) as err:\n" in out and "raise LookupError('x') from err\n" in out


def test_fix_multiline_raise():
    src = H + "def f():\n    try:\n        g()\n    except KeyError as e:\n        raise HTTPException(\n            status_code=404,\n            detail='nf',\n        )\n"
    out = apply_fixes(src, CODE, minimum=Applicability.SAFE)
    assert "        ) from e\n" in out


def test_bare_except_gets_no_fix():
    (f,) = check("def f():\n    try:\n        g()\n    except:\n        raise LookupError('x')\n", CODE, APP)
    assert f.fix is None


def test_message():
    (f,) = check(TABLE[1][2], CODE, APP)
    assert "from e" in f.message


def test_not_exempt_in_test_or_script_paths():
    # Not in the catalog's list of rules with default exempt paths: runs everywhere.
    assert_runs_everywhere('try:\n    g()\nexcept KeyError:\n    raise ValueError("x")\n', CODE)


def test_fixes_of_flagged_rows_parse_and_converge():
    assert_fixes_sound(TABLE, CODE)
