"""The engine parses a file only when some rule needs its tree: a file in which every
rule's prefilter fails, or in which no anchor occurs, is checked from its text alone.

* Findings are the same whether the caller hands in a parsed tree or the engine parses
  on demand (every fixture, all rules on).
* A file with nothing for any rule is not parsed; one with a candidate is, and its
  syntax errors are reported.
"""

from __future__ import annotations

import pytest

from reviewlens.analyzers import context, engine
from reviewlens.analyzers.config import Settings
from reviewlens.analyzers.languages import grammar_for_path, parse
from reviewlens.analyzers.workspace import FileSystemWorkspace

from .rule_harness import all_fixtures, settings_for
from .test_prefilter import _findings

FIXTURES = all_fixtures()


@pytest.mark.parametrize("family", ["python", "typescript"])
def test_lazy_and_given_trees_give_the_same_findings(family):
    checked = 0
    for fx in FIXTURES:
        if fx.family != family:
            continue
        source = fx.path.read_bytes()
        ws = FileSystemWorkspace([str(fx.root)])
        lazy = engine.check_source(source, str(fx.path), settings_for(fx), rel_path=fx.rel, workspace=ws)
        given = engine.check_source(source, str(fx.path), settings_for(fx), rel_path=fx.rel, workspace=ws,
                                    tree=parse(source, grammar_for_path(fx.path)))
        assert _findings(lazy) == _findings(given), str(fx)
        assert lazy.has_syntax_errors == (lazy.tree is not None and lazy.tree.root_node.has_error)
        checked += 1
    assert checked > 20


def _count_parses(monkeypatch) -> list[str]:
    seen: list[str] = []
    real = context.FileContext.tree.fget

    def counting(self):
        if self._tree is None:
            seen.append(self.path)
        return real(self)

    monkeypatch.setattr(context.FileContext, "tree", property(counting))
    return seen


@pytest.mark.parametrize("name, source", [
    ("plain.py", b"def add(a, b):\n    return a + b\n"),
    ("broken.py", b"def add(a, b:\n    return a +\n"),  # broken, but no rule has anything to look at
    ("plain.ts", b"export const add = (a: number, b: number) => a + b;\n"),
    ("calls.py", b"total = compute(1, 2)\nlabel = f'{total}'\n"),
])
def test_nothing_to_look_at_is_not_parsed(monkeypatch, name, source):
    parsed = _count_parses(monkeypatch)
    result = engine.check_source(source, f"/project/{name}", Settings())
    assert result.findings == []
    assert parsed == [] and result.tree is None
    assert result.has_syntax_errors is False


def test_a_candidate_is_parsed_and_syntax_errors_reported(monkeypatch):
    parsed = _count_parses(monkeypatch)
    source = b"def show(x):\n    print(x)\n\n\ndef broken(x):\n    if x\n        return 1\n"
    result = engine.check_source(source, "/project/m.py", Settings())
    assert parsed == ["/project/m.py"]
    assert [f.code for f in result.findings] == ["RL101"]
    assert result.tree is not None and result.has_syntax_errors


def test_a_given_tree_is_used_not_reparsed(monkeypatch):
    source = b"print(1)\n"
    tree = parse(source, "python")
    parsed = _count_parses(monkeypatch)
    result = engine.check_source(source, "/project/m.py", Settings(), tree=tree)
    assert parsed == [] and result.tree is tree
    assert [f.code for f in result.findings] == ["RL101"]


def test_only_the_rules_that_pass_their_prefilter_decide(monkeypatch):
    # `except` passes RL501/RL305's prefilters: their anchors need the clause's extent,
    # which only the tree gives.
    parsed = _count_parses(monkeypatch)
    engine.check_source(b"try:\n    x = 1\nexcept ValueError:\n    x = 2\n", "/project/e.py", Settings())
    assert parsed == ["/project/e.py"]
