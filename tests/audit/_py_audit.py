"""Shared helpers of the Python rule audit tests (tests/audit/test_audit_python_*.py)."""

from __future__ import annotations

from pathlib import Path

from reviewlens.analyzers.config import Settings
from reviewlens.analyzers.engine import check_source
from reviewlens.analyzers.fixes import fix_until_stable, select_fixes
from reviewlens.analyzers.languages import parse
from reviewlens.analyzers.model import Applicability, Finding

SETTINGS = Settings(root=Path("."))


def check(src: str, code: str, path: str = "app/main.py") -> list[Finding]:
    """Findings of one rule on a snippet, as the CLI would report them for `path`."""
    return check_source(src.encode(), path, SETTINGS, rel_path=path, only=frozenset({code})).findings


def lines(src: str, findings: list[Finding]) -> list[int]:
    """1-based line numbers of the findings' starts."""
    data = src.encode()
    return sorted(data[: f.start].count(b"\n") + 1 for f in findings)


def has_error_nodes(src: str) -> bool:
    tree = parse(src.encode(), "python")
    return tree.root_node.has_error


def apply_fixes(src: str, code: str, minimum: Applicability = Applicability.UNSAFE, path: str = "app/main.py") -> str:
    """Fix until stable; asserts the result parses and no fix of `code` is offered any more."""
    result, after = fix_until_stable(src.encode(), lambda s: check(s.decode(), code, path), minimum)
    out = result.source.decode()
    assert not has_error_nodes(out), out
    assert select_fixes(after, minimum) == [], (out, [f.message for f in after])
    return out


def cases(table):
    """pytest params from (id, path, source, expected_lines) rows."""
    import pytest

    return [pytest.param(path, src, expected, id=ident) for ident, path, src, expected in table]


# The catalog's "Default exempt paths" (RL101, RL102, RL201, RL301, RL306 among the
# Python rules), at any depth, and look-alikes that are application code.
EXEMPT_PATHS = (
    "tests/a.py", "test/a.py", "backend/tests/unit/a.py", "app/__tests__/a.py", "e2e/a.py",
    "cypress/a.py", "playwright/a.py", "app/test_x.py", "app/x_test.py", "conftest.py",
    "app/sub/conftest.py", "scripts/a.py", "backend/scripts/a.py",
)
NOT_EXEMPT_PATHS = (
    "app/testing.py", "app/latest/a.py", "app/attest.py", "app/contest.py", "app/test.py",
    "app/scripts_runner.py", "app/testimonials/a.py", "app/manuscripts/a.py",
)


def assert_exempt_paths(src: str, code: str) -> None:
    assert [p for p in EXEMPT_PATHS if check(src, code, p)] == []
    assert [p for p in NOT_EXEMPT_PATHS if not check(src, code, p)] == []


def assert_runs_everywhere(src: str, code: str) -> None:
    assert [p for p in EXEMPT_PATHS + NOT_EXEMPT_PATHS if not check(src, code, p)] == []


def assert_fixes_sound(table, code: str) -> None:
    """Every flagged row: applying all fixes (unsafe included) until stable gives code that
    parses and no longer offers a fix (`apply_fixes` asserts both)."""
    for ident, path, src, expected in table:
        if expected:
            try:
                apply_fixes(src, code, path=path)
            except AssertionError as exc:  # name the row
                raise AssertionError(f"{ident}: {exc}") from exc
