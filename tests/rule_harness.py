"""Fixture-driven rule tests (ruff's fixtures + ESLint's RuleTester in one).

Layout: tests/fixtures/<CODE>/<python|typescript>/... The path of a fixture relative to
its language folder is the path the engine sees, so `app/api/x/route.ts` or
`tests/test_x.py` exercise path-dependent behaviour; that folder is also the workspace
root (a package.json placed there is found).

* Case files (any name not starting with `fix_`): every line ending in an
  `expect: CODE [CODE...]` comment (`# expect: RL101` / `// expect: RL101`) must get a
  finding of CODE starting on it; any other finding of CODE is a false positive.
  Files named `ok_*` must have no finding at all. Cases are separated by `case:`
  comments so they can be counted.
* Fix files `fix_<name>.<ext>` with `fix_<name>.expected.<ext>`: every fix of CODE is
  applied until stable (a first-line `fix: safe|unsafe|alternative` comment picks which;
  default unsafe, which includes safe); the result must equal the expected file, parse
  with no more syntax errors than the input, and no longer be fixable by the rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from reviewlens.analyzers.config import Settings
from reviewlens.analyzers.engine import check_source
from reviewlens.analyzers.fixes import apply_edits, fix_until_stable
from reviewlens.analyzers.languages import grammar_for_path, parse
from reviewlens.analyzers.model import Applicability
from reviewlens.analyzers.positions import LineIndex
from reviewlens.analyzers.workspace import FileSystemWorkspace

FIXTURES = Path(__file__).parent / "fixtures"
EXPECT = re.compile(r"(?:#|//|/\*|\{/\*)\s*expect:\s*((?:RL\d{3}[ ,]*)+)")
CASE = re.compile(r"(?:#|//|/\*|\{/\*)\s*case:")
FIX_MODE = re.compile(r"(?:#|//)\s*fix:\s*(safe|unsafe|alternative)")


@dataclass(frozen=True)
class Fixture:
    code: str
    family: str  # python | typescript
    path: Path

    @property
    def root(self) -> Path:
        return FIXTURES / self.code / self.family

    @property
    def rel(self) -> str:
        return self.path.relative_to(self.root).as_posix()

    @property
    def is_fix(self) -> bool:
        return self.path.name.startswith("fix_")

    @property
    def is_expected(self) -> bool:
        return ".expected." in self.path.name

    def expected_path(self) -> Path:
        stem, _, ext = self.path.name.partition(".")
        return self.path.with_name(f"{stem}.expected.{ext}")

    def __str__(self) -> str:
        return f"{self.code}/{self.family}/{self.rel}"


def all_fixtures() -> list[Fixture]:
    out = []
    for code_dir in sorted(FIXTURES.glob("RL*")):
        for family_dir in sorted(p for p in code_dir.iterdir() if p.is_dir()):
            for path in sorted(family_dir.rglob("*")):
                if path.is_file() and grammar_for_path(path):
                    out.append(Fixture(code_dir.name, family_dir.name, path))
    return out


def fixture_sources(family: str) -> list[tuple[str, bytes]]:
    """(path, bytes) of every file of a language family ("python", "typescript") under the
    rules' fixtures, expected outputs included, sorted: sources on which tests compare two
    ways of matching (whatever the rules would say of them)."""
    out = []
    for path in sorted(FIXTURES.glob(f"*/{family}/**/*")):
        grammar = grammar_for_path(str(path)) if path.is_file() else None
        if grammar is not None and (family == "python") == (grammar == "python"):
            out.append((str(path), path.read_bytes()))
    return out


def settings_for(fx: Fixture) -> Settings:
    return Settings(root=fx.root)


def run(fx: Fixture, source: bytes | None = None, code: str | None = None):
    source = fx.path.read_bytes() if source is None else source
    return check_source(
        source,
        str(fx.path),
        settings_for(fx),
        rel_path=fx.rel,
        workspace=FileSystemWorkspace([str(fx.root)]),
        only=frozenset({code or fx.code}),
    )


def expected_lines(source: bytes, code: str) -> set[int]:
    lines = set()
    for i, line in enumerate(source.decode("utf-8", "replace").splitlines()):
        m = EXPECT.search(line)
        if m and code in re.findall(r"RL\d{3}", m.group(1)):
            lines.add(i + 1)
    return lines


def case_count(source: bytes) -> int:
    return len(CASE.findall(source.decode("utf-8", "replace")))


def flagged_lines(fx: Fixture, source: bytes | None = None) -> dict[int, list[str]]:
    source = fx.path.read_bytes() if source is None else source
    result = run(fx, source)
    assert not result.errors, result.errors
    idx = LineIndex(source)
    out: dict[int, list[str]] = {}
    for f in result.findings:
        out.setdefault(idx.line_of(f.start) + 1, []).append(f.message)
    return out


def fix_mode(source: bytes) -> str:
    first = source.split(b"\n", 1)[0].decode("utf-8", "replace")
    m = FIX_MODE.search(first)
    return m.group(1) if m else "unsafe"


def apply_rule_fixes(fx: Fixture) -> tuple[bytes, bytes]:
    """(input, output) after applying the rule's fixes per the file's fix mode."""
    source = fx.path.read_bytes()
    mode = fix_mode(source)

    def check(src: bytes):
        return run(fx, src).findings

    if mode == "alternative":
        out = source
        for _ in range(10):
            findings = [f for f in check(out) if f.alternatives]
            if not findings:
                break
            out = apply_edits(out, findings[0].alternatives[0].edits)
        return source, out
    minimum = Applicability.SAFE if mode == "safe" else Applicability.UNSAFE
    result, _ = fix_until_stable(source, check, minimum)
    return source, result.source


def error_count(source: bytes, path: Path) -> int:
    tree = parse(source, grammar_for_path(path))
    count = 0
    stack = [tree.root_node]
    while stack:
        n = stack.pop()
        if n.type == "ERROR" or n.is_missing:
            count += 1
        if n.has_error:
            stack.extend(n.children)
    return count
