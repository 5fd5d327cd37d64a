"""Shared helpers of the TypeScript/JS rule audit tests (tests/audit/test_audit_ts_*.py).

Each case is a small project written into pytest's tmp_path: the file under test plus any
other files the layout needs (importers for file roles, a package.json for RL402).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reviewlens.analyzers.config import Settings
from reviewlens.analyzers.engine import check_source
from reviewlens.analyzers.fixes import fix_until_stable, select_fixes
from reviewlens.analyzers.languages import grammar_for_path, parse
from reviewlens.analyzers.model import Applicability, Finding
from reviewlens.analyzers.workspace import FileSystemWorkspace

NEXT_PKG = json.dumps({"name": "web", "dependencies": {"next": "14.2.0", "react": "18.2.0"}})


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)


def check(root: Path, path: str, src: str, code: str, extra: dict[str, str] | None = None) -> list[Finding]:
    """Findings of one rule on `src` saved as `path` inside a project rooted at `root`."""
    write(root, {path: src, **(extra or {})})
    return check_source(
        src.encode(), str(root / path), Settings(root=root), rel_path=path,
        workspace=FileSystemWorkspace([str(root)]), only=frozenset({code}),
    ).findings


def lines(src: str, findings: list[Finding]) -> list[int]:
    data = src.encode()
    return sorted(data[: f.start].count(b"\n") + 1 for f in findings)


def has_error_nodes(src: str, path: str) -> bool:
    return parse(src.encode(), grammar_for_path(path)).root_node.has_error


def apply_fixes(root: Path, path: str, src: str, code: str, minimum: Applicability = Applicability.SAFE) -> str:
    """Fix until stable; asserts the result parses and no fix of `code` is offered any more."""
    result, after = fix_until_stable(src.encode(), lambda s: check(root, path, s.decode(), code), minimum)
    out = result.source.decode()
    assert not has_error_nodes(out, path), out
    assert select_fixes(after, minimum) == [], (out, [f.message for f in after])
    return out


def cases(table):
    """pytest params from (id, path, source, expected_lines[, extra_files]) rows."""
    out = []
    for row in table:
        ident, path, src, expected, *rest = row
        out.append(pytest.param(path, src, expected, rest[0] if rest else None, id=ident))
    return out
