"""Anchored matching (analyzers/anchors.py): the combined query runs only around the
anchors of the rules a file runs, and gives the findings a whole-tree walk gives.

Findings with anchors on and off are compared on every fixture, audit snippet and
adversarial prefilter case by tests/test_prefilter.py and
tests/test_prefilter_soundness.py; this module checks the mechanism itself.
"""

from __future__ import annotations

import pytest
from tree_sitter import Query, QueryCursor

from reviewlens.analyzers import anchors, engine, registry
from reviewlens.analyzers.anchors import compile_anchor, merge, ranged_matches, word_spans
from reviewlens.analyzers.config import Settings
from reviewlens.analyzers.languages import language, parse
from reviewlens.analyzers.rule import Rule


def test_word_spans_are_whole_words_only():
    source = b"print(x); blueprint(); print_all(); sprint; (print)\nprint"
    assert [source[a:b] for a, b in word_spans(source, b"print")] == [b"print"] * 3
    assert [a for a, _ in word_spans(source, b"print")] == [0, source.index(b"(print)") + 1, source.rindex(b"print")]


def test_word_spans_start_from_the_prefilter_memo():
    source = b"x = 1\nprint(1)\nprint(2)\n"
    first = source.find(b"print")
    assert word_spans(source, b"print", {(b"print", "w"): first}) == [(first, first + 5), (first + 9, first + 14)]
    assert word_spans(source, b"print", {(b"print", "w"): -1}) == []  # the memo knows there is none


def test_anchor_forms():
    words = compile_anchor(r"\b(?:raise|return)\b")
    assert words.words == (b"raise", b"return")
    src = b"def f():\n    return 1\n    raise E\n"
    assert sorted(src[a:b] for a, b in words.spans(src)) == [b"raise", b"return"]
    regex = compile_anchor(r"foo\d")
    assert regex.words is None and regex.spans(b"foo1 foo foo22") == [(0, 4), (9, 13)]
    assert compile_anchor(None) is None


def test_merge_joins_close_and_overlapping_spans():
    assert merge([]) == []
    assert merge([(50, 60), (0, 10), (5, 20)], gap=0) == [(0, 20), (50, 60)]
    assert merge([(0, 10), (30, 40)], gap=20) == [(0, 40)]
    assert merge([(0, 10), (31, 40)], gap=20) == [(0, 10), (31, 40)]
    assert merge([(0, 100), (10, 20)], gap=0) == [(0, 100)]


def test_ranged_matches_find_matches_reaching_outside_the_range_once():
    """A match is returned when any node of its pattern intersects a range (captures
    outside it included), and once when it intersects two ranges."""
    src = b"def f():\n    return {\n        'a': info(x),\n        'b': error(y),\n    }\n"
    tree = parse(src, "python")
    query = Query(language("python"), "(return_statement (dictionary) @body) @stmt (call) @call")
    full = QueryCursor(query).matches(tree.root_node)
    spans = [(src.find(b"info"), src.find(b"info") + 4), (src.find(b"error"), src.find(b"error") + 5)]
    got = ranged_matches(query, tree.root_node, merge(spans, gap=0))
    assert len(merge(spans, gap=0)) == 2
    assert sorted((p, caps[next(iter(caps))][0].start_byte) for p, caps in got) == \
        sorted((p, caps[next(iter(caps))][0].start_byte) for p, caps in full)
    assert [p for p, _ in got].count(0) == 1  # the return statement spans both ranges


def test_ranged_matches_see_an_uncaptured_pattern_root():
    src = b"try { f(); } catch (e) { console.log(e) }\n"
    tree = parse(src, "typescript")
    query = Query(language("typescript"), "(catch_clause parameter: (identifier) @param body: (statement_block) @body)")
    at = src.find(b"catch")
    assert len(ranged_matches(query, tree.root_node, [(at, at + 5)])) == 1


def test_every_rule_in_a_combined_query_has_an_anchor():
    """Without an anchor for every rule a file runs, the engine walks the whole tree: a
    rule with a query and no anchor would switch anchored matching off everywhere."""
    for rule in registry.RULES:
        if rule.query.strip():
            assert rule.anchor or rule.anchor_spans is not Rule.anchor_spans, f"{rule.code} {rule.language}: no anchor"
    ts = engine.combined_query("typescript")
    assert ts.prefetch_from is not None and ts.prefetch_anchor


def test_anchors_of_expected_findings_are_in_the_fixtures():
    """Each fixture line that must be flagged by an anchored rule's query holds the
    rule's anchor when the rule's query is what reports it (a sanity check of the
    declared words against the fixtures; the findings comparison is the real test)."""
    from .rule_harness import all_fixtures, expected_lines

    checked = 0
    for fx in all_fixtures():
        if fx.is_expected or fx.is_fix:
            continue
        source = fx.path.read_bytes()
        lines = expected_lines(source, fx.code)
        if not lines:
            continue
        for rule in registry.get(fx.code):
            anchor = compile_anchor(rule.anchor)
            if rule.language != fx.family or anchor is None:
                continue
            assert anchor.spans(source), f"{fx}: no occurrence of {rule.code}'s anchor {anchor}"
            checked += 1
    assert checked > 15


def test_the_engine_matches_only_around_the_anchors(monkeypatch):
    seen = []
    real = anchors.ranged_matches

    def spy(query, root, ranges):
        seen.append(list(ranges))
        return real(query, root, ranges)

    monkeypatch.setattr(engine, "ranged_matches", spy)
    monkeypatch.setattr(engine, "PREFILTER", True)
    monkeypatch.setattr(engine, "ANCHORS", True)
    body = "".join(f"def f{i}(x):\n    y = x + {i}\n\n" for i in range(200))
    src = f"{body}def g():\n    try:\n        h()\n    except:\n        pass\n".encode()
    res = engine.check_source(src, "app/x.py", Settings(), rel_path="app/x.py")
    assert [f.code for f in res.findings] == ["RL501"]
    assert seen and sum(b - a for a, b in seen[0]) < len(src) // 10
    # A region re-check (no prefilters) walks its tiny tree whole.
    seen.clear()
    engine.check_source(src, "app/x.py", Settings(), rel_path="app/x.py", prefilter=False)
    assert not seen


def test_no_anchor_in_the_file_means_no_match_and_a_complete_semantic_model(monkeypatch):
    """A TS file running a query rule without any anchor occurrence matches nothing, and
    the semantic model (whose import patterns ride in the combined query) still sees
    every import by running its own query."""
    monkeypatch.setattr(engine, "PREFILTER", False)
    monkeypatch.setattr(engine, "ANCHORS", True)
    src = (b'import { jwtDecode } from "jwt-decode";\n\nexport function user(header: string) {\n'
           b'  const a = jwtDecode<{ sub: string }>(header.slice(7));\n  return a.sub;\n}\n')
    path = "server/auth.ts"
    only = frozenset({"RL303", "RL501"})  # RL501's anchor (`catch`) is not in the file
    ranged = []
    monkeypatch.setattr(engine, "ranged_matches", lambda *a: ranged.append(a) or [])
    on = [f.code for f in engine.check_source(src, path, Settings(), rel_path=path, only=only).findings]
    assert not ranged
    monkeypatch.setattr(engine, "ANCHORS", False)
    off = [f.code for f in engine.check_source(src, path, Settings(), rel_path=path, only=only).findings]
    assert on == off == ["RL303"]


@pytest.mark.parametrize("gap", [0, 1, 256, 10_000])
def test_findings_do_not_depend_on_the_merge_gap(monkeypatch, gap):
    src = (
        b"import subprocess, logging\nlog = logging.getLogger()\n"
        + b"".join(b"def f%d(token):\n    log.info('t %%s', token)\n    return {'detail': 1}\n" % i for i in range(30))
        + b"def g(cmd):\n    try:\n        subprocess.run(cmd, shell=True)\n    except ValueError as exc:\n"
        b"        raise RuntimeError(str(exc))\n    except:\n        print('x')\n"
    )
    monkeypatch.setattr(engine, "PREFILTER", True)
    monkeypatch.setattr(engine, "ANCHORS", False)
    whole = [(f.code, f.start) for f in engine.check_source(src, "app/x.py", Settings(), rel_path="app/x.py").findings]
    monkeypatch.setattr(engine, "ANCHORS", True)
    monkeypatch.setattr(anchors, "MERGE_GAP", gap)
    monkeypatch.setattr(engine, "merge", lambda spans: merge(spans, gap))
    ranged = [(f.code, f.start) for f in engine.check_source(src, "app/x.py", Settings(), rel_path="app/x.py").findings]
    assert ranged == whole and {"RL102", "RL307", "RL501", "RL502"} <= {c for c, _ in whole}


def test_a_failing_anchor_falls_back_to_the_whole_tree(monkeypatch):
    """A rule whose `anchor_spans` raises costs a whole-tree walk, never a finding."""
    from reviewlens.analyzers.rules.python.bare_except import BareExcept

    def boom(self, memo):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(BareExcept, "anchor_spans", boom)
    src = b"try:\n    x = 1\nexcept:\n    pass\n"
    res = engine.check_source(src, "app/x.py", Settings(), rel_path="app/x.py")
    assert [f.code for f in res.findings] == ["RL501"] and not res.errors


def test_a_dense_file_walks_the_whole_tree(monkeypatch):
    """Past MAX_SPANS occurrences the engine stops collecting them and walks the tree
    (cheaper for a generated table); the findings are the same."""
    monkeypatch.setattr(anchors, "MAX_SPANS", 50)
    monkeypatch.setattr(engine, "MAX_SPANS", 50)
    walked = []
    monkeypatch.setattr(engine, "ranged_matches", lambda *a: walked.append("ranged") or real_ranged(*a))
    real_ranged = anchors.ranged_matches
    src = b"import logging\nlog = logging.getLogger()\n" + b"".join(
        b"def f%d(token):\n    log.info('t %%s', token)\n" % i for i in range(80)
    ) + b"try:\n    x = 1\nexcept:\n    pass\n"
    dense = [(f.code, f.start) for f in engine.check_source(src, "app/x.py", Settings(), rel_path="app/x.py").findings]
    assert not walked
    monkeypatch.setattr(engine, "ANCHORS", False)
    whole = [(f.code, f.start) for f in engine.check_source(src, "app/x.py", Settings(), rel_path="app/x.py").findings]
    assert dense == whole and {"RL102", "RL501"} <= {c for c, _ in whole}
    with pytest.raises(anchors.TooManySpans):
        word_spans(b"a " * 60, b"a")


def test_except_clause_spans_are_the_handlers():
    from reviewlens.analyzers.context import FileContext
    from reviewlens.analyzers.python.handlers import except_clause_spans

    src = (b'msg = "except in a string"\ntry:\n    f()\nexcept* ValueError:\n    raise\n'
           b'except KeyError as e:\n    try:\n        g()\n    except:\n        pass\n')
    ctx = FileContext("app/x.py", src, parse(src, "python"), "python", Settings(), "app/x.py")
    spans = except_clause_spans(ctx, {})
    assert [src[a:b].split(b"\n")[0] for a, b in spans] == [b"except* ValueError:", b"except KeyError as e:", b"except:"]
