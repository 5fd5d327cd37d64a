"""Rule prefilters (`Rule.requires`) are necessary conditions and anchors
(`Rule.anchor`) sufficient places to match: they may skip work, never a finding.

* Every fixture (tests/fixtures/**) and every source snippet of the audit tests
  (tests/audit/**) gives the same findings with and without prefilters and anchors
  (all rules on), and with anchors alone.
* Every fixture file with an expected finding passes its rule's prefilter.
* The fast path of a prefilter (literal search, whole-word scan) agrees with plain
  `re.search` of its expressions on all of those sources.
* REVIEWLENS_NO_PREFILTER=1 switches them off.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from reviewlens.analyzers import engine, registry
from reviewlens.analyzers.config import Settings
from reviewlens.analyzers.anchors import whole_words
from reviewlens.analyzers.rule import _MAX_FIND_WORDS, compile_prefilter
from reviewlens.analyzers.workspace import FileSystemWorkspace

from .rule_harness import all_fixtures, expected_lines, settings_for

AUDIT = Path(__file__).parent / "audit"
FIXTURES = all_fixtures()


def _findings(result) -> list[tuple]:
    return [
        (f.code, f.start, f.end, f.message, f.severity, repr(f.fix), tuple(repr(a) for a in f.alternatives))
        for f in result.findings
    ]


# (prefilters, anchors): everything on, anchors alone (every rule runs, matched only
# around its anchors), everything off.
TEXT_SWITCHES = ((True, True), (False, True), (False, False))


def _both(monkeypatch, source: bytes, path: str, settings: Settings, rel: str, workspace=None) -> tuple[list, list]:
    """Findings with prefilters and anchors on and with both off (also checked: anchors
    alone give the same as both off)."""
    out = []
    for prefilter, anchors in TEXT_SWITCHES:
        monkeypatch.setattr(engine, "PREFILTER", prefilter)
        monkeypatch.setattr(engine, "ANCHORS", anchors)
        out.append(_findings(engine.check_source(source, path, settings, rel_path=rel, workspace=workspace)))
    assert out[1] == out[2], (path, "anchors change the findings")
    return out[0], out[2]


def _audit_snippets() -> list[tuple[str, str, str]]:
    """(test module, path the snippet is checked as, source) for every multi-line string
    constant of the audit tests: Python modules' snippets as .py, TS modules' as .ts/.tsx."""
    out = []
    for module in sorted(AUDIT.glob("test_audit_*.py")):
        family = "python" if "_python_" in module.name else "typescript"
        seen = set()
        for node in ast.walk(ast.parse(module.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and "\n" in node.value.strip():
                if node.value in seen:
                    continue
                seen.add(node.value)
                paths = ("app/main.py",) if family == "python" else ("src/lib/api.ts", "app/components/view.tsx")
                out.extend((module.name, path, node.value) for path in paths)
    return out


AUDIT_SNIPPETS = _audit_snippets()


def test_sources_found():
    assert len(FIXTURES) > 100
    assert len(AUDIT_SNIPPETS) > 100


@pytest.mark.parametrize("family", ["python", "typescript"])
def test_fixtures_same_findings_with_and_without_prefilters(monkeypatch, family):
    checked = 0
    for fx in FIXTURES:
        if fx.family != family:
            continue
        with_pf, without = _both(monkeypatch, fx.path.read_bytes(), str(fx.path), settings_for(fx), fx.rel,
                                 FileSystemWorkspace([str(fx.root)]))
        assert with_pf == without, str(fx)
        checked += 1
    assert checked > 20


@pytest.mark.parametrize("family", ["python", "typescript"])
def test_audit_snippets_same_findings_with_and_without_prefilters(monkeypatch, family):
    settings = Settings(root=Path("."))
    checked = 0
    for module, path, src in AUDIT_SNIPPETS:
        if path.endswith(".py") != (family == "python"):
            continue
        with_pf, without = _both(monkeypatch, src.encode(), path, settings, path)
        assert with_pf == without, (module, path, src[:200])
        checked += 1
    assert checked > 50


def test_every_expected_finding_passes_its_rules_prefilter():
    checked = 0
    for fx in FIXTURES:
        if fx.is_expected:
            continue
        source = fx.path.read_bytes()
        if not fx.is_fix and not expected_lines(source, fx.code):
            continue
        for rule in registry.get(fx.code):
            if rule.language != fx.family:
                continue
            prefilter = rule.prefilter()
            if prefilter is not None:
                assert prefilter.matches(source), f"{fx} does not pass {rule.code}'s prefilter {prefilter}"
                checked += 1
    assert checked > 50


def _all_sources() -> list[bytes]:
    return [fx.path.read_bytes() for fx in FIXTURES] + [src.encode() for _, path, src in AUDIT_SNIPPETS if path.endswith((".py", ".ts"))]


def test_fast_path_agrees_with_plain_regex_search():
    sources = _all_sources()
    prefilters = {r.code + r.language: r.prefilter() for r in registry.RULES if r.prefilter() is not None}
    assert prefilters
    for key, prefilter in prefilters.items():
        slow = [re.compile(p.encode()) for p in prefilter.patterns]
        for source in sources:
            memo: dict = {}
            expected = all(r.search(source) for r in slow) and (prefilter.check is None or prefilter.check(source))
            assert prefilter.matches(source, memo) == expected, (key, source[:200])


@pytest.mark.parametrize(
    "requires, source, expected",
    [
        (r"\b(?:print|pprint)\b", b"blueprint(x); sprint()", False),
        (r"\b(?:print|pprint)\b", b"from pprint import pp", True),
        (r"\b(?:print|pprint)\b", b"x = 1\nprint_all()\nprint(x)", True),
        (r"(?i:token|jwt)|://", b"API_TOKEN = 1", True),
        (r"(?i:token|jwt)|://", b"url = 'postgres://u:p@h'", True),
        (r"(?i:token|jwt)|://", b"nothing here", False),
        ((r"\bexcept\b", r"\braise\b"), b"try: x\nexcept E: raise Y", True),
        ((r"\bexcept\b", r"\braise\b"), b"try: x\nexcept E: pass", False),
        ((r"\bexcept\b", r"\braise\b"), b"exceptional; raise", False),
        (r"allow_credentials", b"CORSMiddleware(allow_credentials=True)", True),
        (r"A[KS]IA[0-9A-Z]|x+y", b"AKIAQ", True),
        (r"A[KS]IA[0-9A-Z]|x+y", b"AKIA-", False),
        (r"foo(?=bar)", b"foo foobar", True),
        (r"foo(?=bar)", b"foo foobaz", False),
        (r"\bab", b"cab ab", True),
        (r"\bab", b"cab", False),
        (r"\bcafé\b", "x café y".encode(), False),
        (r"\bcafé\b", "x cafés".encode(), True),
        (r"gh[pousr]_|xox[bp]-", b"token ghs_abc", True),
        (r"gh[pousr]_|xox[bp]-", b"ghx_ xoxa- xox-", False),
        (r"(?i)a[ks]ia", b"x = 'ASIAQ'", True),
        (r"(?i)a[ks]ia", b"asian", True),
        (r"(?i)a[ks]ia", b"akxia", False),
        (r"k[ab]z[a-c]", b"kaz kbzd", False),
        (r"k[ab]z[a-c]", b"kbzc", True),
        # A few words, short ones among them, are found word by word (`os` inside
        # identifiers skipped); past _MAX_FIND_WORDS such a list takes one regex: same answers.
        (r"\b(?:io|os|time)\b", b"import os.path", True),
        (r"\b(?:io|os|time)\b", b"positions = ratio(osx)", False),
        (r"\b(?:io|os|time)\b", b"x = io", True),
        (r"\b(?:io|os|a1|a2|a3|a4|a5|a6|a7)\b", b"positions = ratio(osx) a10", False),
        (r"\b(?:io|os|a1|a2|a3|a4|a5|a6|a7)\b", b"positions = ratio(osx) a7", True),
    ],
)
def test_prefilter_semantics(requires, source, expected):
    prefilter = compile_prefilter(requires)
    for term in prefilter.terms:  # which path the term takes (see _Term)
        words = whole_words(term.regex.pattern.decode())
        if words:
            assert (term.words is None) == (len(words) > _MAX_FIND_WORDS and min(map(len, words)) < 3)
    assert prefilter.matches(source) is expected
    patterns = (requires,) if isinstance(requires, str) else requires
    assert all(re.search(p.encode(), source) for p in patterns) is expected


def test_rules_failing_their_prefilter_are_not_run(monkeypatch):
    """No finding and no instance of a rule whose prefilter fails; no query at all when
    every rule is left out."""
    made = []
    for rule in registry.for_language("python"):
        original = rule.__init__

        def spy(self, ctx, options=None, _original=original):
            made.append(type(self).code)
            _original(self, ctx, options)

        monkeypatch.setattr(rule, "__init__", spy)
    ran = []
    real = engine.QueryCursor

    class Cursor:
        def __init__(self, query):
            self.inner = real(query)

        def matches(self, node):
            ran.append(node)
            return self.inner.matches(node)

    monkeypatch.setattr(engine, "QueryCursor", Cursor)
    monkeypatch.setattr(engine, "PREFILTER", True)
    monkeypatch.setattr(engine, "ANCHORS", False)  # whole-tree walks: counted by the spy
    res = engine.check_source(b"x = 1\n", "app/x.py", Settings(), rel_path="app/x.py")
    assert res.findings == [] and made == [] and ran == []
    res = engine.check_source(b"try:\n    x = 1\nexcept:\n    pass\n", "app/x.py", Settings(), rel_path="app/x.py")
    assert [f.code for f in res.findings] == ["RL501"]
    assert "RL501" in made and "RL101" not in made and len(ran) == 1
    made.clear()
    monkeypatch.setattr(engine, "PREFILTER", False)
    engine.check_source(b"x = 1\n", "app/x.py", Settings(), rel_path="app/x.py")
    assert "RL101" in made


@pytest.mark.parametrize("variable, flag", [("REVIEWLENS_NO_PREFILTER", "PREFILTER"), ("REVIEWLENS_NO_ANCHORS", "ANCHORS")])
def test_env_switch_turns_prefilters_and_anchors_off(variable, flag):
    code = f"from reviewlens.analyzers import engine; print(engine.{flag})"
    env = {**os.environ, variable: "1"}
    off = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    env.pop(variable)
    on = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    assert (off.strip(), on.strip()) == ("False", "True")


def test_subset_query_gives_the_same_matches(monkeypatch):
    """A file matched with the query of only its rules' patterns (a recurring subset)
    gets the findings it gets from the full query."""
    source = b"import os\ntry:\n    os.system(cmd)\nexcept:\n    raise ValueError('x')\n"
    monkeypatch.setattr(engine, "PREFILTER", True)
    monkeypatch.setattr(engine, "SUBSET_AFTER", 1)
    monkeypatch.setattr(engine, "_SUBSET_SEEN", {})
    monkeypatch.setattr(engine, "_SUBSET_QUERIES", {})
    subset = _findings(engine.check_source(source, "app/x.py", Settings(), rel_path="app/x.py"))
    assert engine._SUBSET_QUERIES, "the subset query was not used"
    monkeypatch.setattr(engine, "PREFILTER", False)
    full = _findings(engine.check_source(source, "app/x.py", Settings(), rel_path="app/x.py"))
    assert subset == full and {f[0] for f in full} >= {"RL307", "RL501", "RL502"}


def test_batch_workers_never_compile_subset_queries(monkeypatch, tmp_path):
    """SUBSET_AFTER None (what a batch worker sets) keeps the full query, once compiled
    (the batch parent compiles it before the fork), for every subset however often it
    recurs; the findings are the same."""
    from reviewlens.server import runner

    source = b"import os\ntry:\n    os.system(cmd)\nexcept:\n    raise ValueError('x')\n"
    monkeypatch.setattr(engine, "PREFILTER", True)
    monkeypatch.setattr(engine, "SUBSET_AFTER", 16)
    monkeypatch.setattr(engine, "_SUBSET_SEEN", {})
    monkeypatch.setattr(engine, "_SUBSET_QUERIES", {})
    runner._init_worker(runner.Options(roots=[str(tmp_path)]))
    assert engine.SUBSET_AFTER is None
    engine.combined_query("python")
    results = {tuple(_findings(engine.check_source(source, "app/x.py", Settings(), rel_path="app/x.py")))
               for _ in range(40)}
    assert not engine._SUBSET_QUERIES and len(results) == 1


def test_a_grammar_without_its_full_query_starts_with_subsets(monkeypatch):
    """Before a process has compiled a grammar's full query, the rule subsets met get
    their own queries (reused when they recur) while all of them together hold at most
    half of the grammar's rules; then the full query is compiled. Findings are those of
    the full query."""
    sources = [
        b"def f():\n    print(1)\n",
        b"try:\n    f()\nexcept:\n    pass\n",
        b"import os\ntry:\n    os.system(cmd)\nexcept:\n    raise ValueError('x')\n",
        b"API_KEY = 'sk-live-0123456789abcdef'\n",
    ]
    monkeypatch.setattr(engine, "PREFILTER", True)
    monkeypatch.setattr(engine, "SUBSET_AFTER", None)
    monkeypatch.setattr(engine, "_SUBSET_SEEN", {})
    monkeypatch.setattr(engine, "_SUBSET_QUERIES", {})
    monkeypatch.setattr(engine, "_SUBSET_RULES_MADE", {})
    monkeypatch.setattr(engine, "_COMBINED", {})
    built: list[int] = []
    real_build = engine._build_query
    monkeypatch.setattr(engine, "_build_query", lambda g, rules: built.append(len(rules)) or real_build(g, rules))
    half = len(engine._with_query("python")) // 2

    def check(source: bytes) -> list:
        return _findings(engine.check_source(source, "app/x.py", Settings(), rel_path="app/x.py"))

    got = [check(sources[0]), check(sources[0]), check(sources[1])]
    assert len(built) == 2 and len(engine._SUBSET_QUERIES) == 2, "two subsets, each compiled once"
    assert sum(built) <= half and "python" not in engine._COMBINED
    got += [check(sources[2]), check(sources[3])]
    assert sum(n for n in built if n < len(engine._rules_of("python"))) <= half
    assert "python" in engine._COMBINED, "past half of the rules, the full query"
    monkeypatch.setattr(engine, "PREFILTER", False)
    assert got == [check(s) for s in [sources[0], sources[0], sources[1], sources[2], sources[3]]]
    assert got[0] and got[2] and {f[0] for f in got[3]} >= {"RL307", "RL501", "RL502"} and got[4]


def test_a_grammar_of_many_files_compiles_its_full_query_first(monkeypatch, tmp_path):
    """engine.FULL_FIRST (set in a batch worker for the grammars of FULL_FIRST_FILES files
    of the run): no subset query before the full one."""
    from reviewlens.server import runner

    monkeypatch.setattr(engine, "PREFILTER", True)
    monkeypatch.setattr(engine, "_SUBSET_SEEN", {})
    monkeypatch.setattr(engine, "_SUBSET_QUERIES", {})
    monkeypatch.setattr(engine, "_SUBSET_RULES_MADE", {})
    monkeypatch.setattr(engine, "_COMBINED", {})
    monkeypatch.setattr(engine, "SUBSET_AFTER", engine.SUBSET_AFTER)
    monkeypatch.setattr(engine, "FULL_FIRST", engine.FULL_FIRST)
    runner._init_worker(runner.Options(roots=[str(tmp_path)]), None, (), frozenset({"python"}))
    assert engine.FULL_FIRST == {"python"}
    findings = _findings(engine.check_source(b"def f():\n    print(1)\n", "app/x.py", Settings(), rel_path="app/x.py"))
    assert findings and not engine._SUBSET_QUERIES and "python" in engine._COMBINED
    runner._init_worker(runner.Options(roots=[str(tmp_path)]))
    assert engine.FULL_FIRST == frozenset()


def test_batch_workers_are_told_the_grammars_of_many_files(monkeypatch, tmp_path):
    from reviewlens.server import runner

    told: list = []
    monkeypatch.setattr(runner, "_in_parallel", lambda paths, *a: told.append(a[5]) or iter(()))
    paths = [str(tmp_path / f"m{i}.py") for i in range(40)] + [str(tmp_path / f"c{i}.tsx") for i in range(runner.FULL_FIRST_FILES)]
    paths += [str(tmp_path / "one.js")]
    for p in paths:
        Path(p).write_text("x = 1\n" * 2000)
    runner._check_files(paths, runner.Options(roots=[str(tmp_path)]), jobs=2)
    assert told == [frozenset({"python", "tsx"})]


def test_check_source_can_skip_the_prefilters(monkeypatch):
    """prefilter=False (the server's region re-check) runs every enabled rule whatever its
    prefilter says; the default consults them."""
    from reviewlens.analyzers.rule import compile_prefilter

    debug_print = next(r for r in registry.get("RL101") if r.language == "python")
    monkeypatch.setattr(engine, "PREFILTER", True)
    monkeypatch.setattr(debug_print, "prefilter", classmethod(lambda cls, options=None: compile_prefilter("(?!)")))
    source = b"print('x')\n"
    skipped = engine.check_source(source, "app/x.py", Settings(), rel_path="app/x.py")
    run = engine.check_source(source, "app/x.py", Settings(), rel_path="app/x.py", prefilter=False)
    assert "RL101" not in [f.code for f in skipped.findings]
    assert "RL101" in [f.code for f in run.findings]
