"""Audit of RL101 debug-print (Python) against the catalog text."""

from __future__ import annotations

import pytest

from ._py_audit import (
    apply_fixes,
    assert_exempt_paths,
    assert_fixes_sound,
    cases,
    check,
    lines,
)

CODE = "RL101"
APP = "app/main.py"

TABLE = [
    ("print-in-route", APP, 'from fastapi import FastAPI\napp = FastAPI()\n@app.get("/")\nasync def root():\n    print("hit")\n    return {}\n', [5]),
    ("pprint-module", APP, "import pprint\ndef f(x):\n    pprint.pprint(x)\n", [3]),
    ("pprint-from-import", APP, "from pprint import pprint\ndef f(x):\n    pprint(x)\n", [3]),
    ("pprint-aliased", APP, "from pprint import pprint as show\ndef f(x):\n    show(x)\n", [3]),
    ("print-as-expression", APP, "def f(x):\n    return print(x) or x\n", [2]),
    ("shadowed-by-def", APP, "def print(*a):\n    pass\n\nprint('x')\n", []),
    ("shadowed-by-import", APP, "from rich import print\nprint('[bold]x')\n", []),
    ("shadowed-by-parameter", APP, "def f(print):\n    print('x')\n", []),
    ("main-guard", APP, "def main():\n    pass\n\nif __name__ == \"__main__\":\n    print('starting')\n    main()\n", []),
    ("main-guard-single-quotes", APP, "if __name__ == '__main__':\n    print('x')\n", []),
    ("tests-dir", "tests/test_api.py", "print('x')\n", []),
    ("nested-tests-dir", "backend/tests/helpers.py", "print('x')\n", []),
    ("test-prefix-file", "app/test_routes.py", "print('x')\n", []),
    ("test-suffix-file", "app/routes_test.py", "print('x')\n", []),
    ("conftest", "backend/conftest.py", "print('x')\n", []),
    ("scripts-dir", "scripts/seed.py", "print('x')\n", []),
    ("nested-scripts-dir", "backend/scripts/seed.py", "print('x')\n", []),
    ("other-print-method", APP, "def f(console):\n    console.print('x')\n", []),
]


@pytest.mark.parametrize("path, src, expected", cases(TABLE))
def test_rl101(path, src, expected):
    assert lines(src, check(src, CODE, path)) == expected


def test_message_names_the_callee():
    (f,) = check("print('x')\n", CODE)
    assert "`print`" in f.message and "logger" in f.message


def test_fix_adds_logging_and_module_logger():
    src = "from fastapi import FastAPI\n\napp = FastAPI()\n\n\ndef f(a, b):\n    print(a, b)\n"
    out = apply_fixes(src, CODE)
    assert "import logging\n" in out
    assert "logger = logging.getLogger(__name__)\n" in out
    assert 'logger.debug("%s %s", a, b)' in out
    assert check(out, CODE) == []


def test_fix_reuses_existing_module_logger():
    src = "import logging\n\nlog = logging.getLogger(__name__)\n\n\ndef f(a):\n    print('value', a)\n"
    out = apply_fixes(src, CODE)
    assert "log.debug(\"%s %s\", 'value', a)" in out
    assert out.count("getLogger") == 1 and out.count("import logging") == 1


def test_delete_alternative_for_whole_statement_only():
    (stmt,) = check("def f(x):\n    print(x)\n", CODE)
    assert any(a is not None and "Delete" in a.title for a in stmt.alternatives)
    (expr,) = check("def f(x):\n    return print(x) or x\n", CODE)
    assert all(a is None for a in expr.alternatives)


def test_default_exempt_paths():
    assert_exempt_paths('print(1)\n', CODE)


def test_fixes_of_flagged_rows_parse_and_converge():
    assert_fixes_sound(TABLE, CODE)
