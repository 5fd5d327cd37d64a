"""RL301 (Python) finds key-format / URL-password literals with one regex scan of the
source instead of a `#match?` predicate on every string literal. The scan must pick
exactly the literals the predicate picked: checked here against the predicate itself on
tricky sources (hints overlapping across literals, nested f-string literals, implicit
concatenation with comments in between) and on every RL301 Python fixture."""

from __future__ import annotations

from pathlib import Path

import pytest
from reviewlens.analyzers.config import Settings
from reviewlens.analyzers.context import FileContext
from reviewlens.analyzers.languages import language, parse
from reviewlens.analyzers.rules.python.hardcoded_secret import (
    _FORMAT_HINT,
    HardcodedSecret,
)
from tree_sitter import Query, QueryCursor

FIXTURES = Path(__file__).parent / "fixtures" / "RL301" / "python"

TRICKY = [
    # A URL-password hint running from one literal into the next hides the AWS key hint
    # that starts inside the second literal from a non-overlapping scan.
    b'f("://a:","AKIAIOSFODNN7EXAMPLE@")\n',
    b'x = ("postgres://u:p" "@host/db")\n',
    b'x = ("://u:p"  # sk-comment\n     "@h")\n',
    b'x = f"{d[\'sk-abc\']}ghp_zzz"\n',
    b'x = f"{y}" "sk-live"\n',
    b'"""sk-docstring"""\nKEY = "sk-1234567890abcdef"\n',
    b'a = "xoxb-1"; b = "task-sk-2"; c = "no hint"\n',
    b"k = '-----BEGIN RSA PRIVATE KEY-----'\n",
    b'u = "redis://:secret@localhost:6379/0"\nv = "https://example.com/a:b@c"\n',
    b'broken = ("sk-1" +\n',
    b'k_live_x = 1\na = "rk_live_abc"; b = "sk_test_abc"; c = "xk_live_no"\n',
    b'a = "AKIAKIAB"; b = "gh" "p_x"\n',
    "s = 'caf\u00e9://u:p\u00e9@h sk-\u00e9'\n".encode(),
]


def _context(source: bytes) -> FileContext:
    tree = parse(source, "python")
    return FileContext("app/settings.py", source, tree, "python", Settings(), "app/settings.py")


def _by_predicate(ctx: FileContext) -> list[tuple[int, int]]:
    query = Query(language("python"), f'([(string) (concatenated_string)] @lit (#match? @lit "{_FORMAT_HINT}"))')
    found = set()
    for _, caps in QueryCursor(query).matches(ctx.tree.root_node):
        lit = caps["lit"][0]
        if lit.parent is not None and lit.parent.type == "concatenated_string":
            continue
        found.add((lit.start_byte, lit.end_byte))
    return sorted(found, key=lambda r: (r[0], -r[1]))


def _sources() -> list[tuple[str, bytes]]:
    cases = [(f"tricky-{i}", s) for i, s in enumerate(TRICKY)]
    cases += [(p.name, p.read_bytes()) for p in sorted(FIXTURES.rglob("*.py"))]
    return cases


@pytest.mark.parametrize(("name", "source"), _sources(), ids=lambda v: v if isinstance(v, str) else "")
def test_scan_picks_the_literals_the_predicate_picked(name: str, source: bytes) -> None:
    ctx = _context(source)
    rule = HardcodedSecret(ctx)
    scanned = [(n.start_byte, n.end_byte) for n in rule._format_candidates()]
    assert scanned == _by_predicate(ctx)


def test_tricky_sources_have_candidates() -> None:
    # The comparison above is not vacuous: the tricky sources do contain hinted literals.
    assert sum(len(_by_predicate(_context(s))) for s in TRICKY) >= 12
