"""Every rule is complete: metadata, docs sections, query compiling on its grammars."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from tree_sitter import Query

from reviewlens.analyzers import registry
from reviewlens.analyzers.engine import combined_query
from reviewlens.analyzers.languages import GRAMMARS_OF, language
from reviewlens.analyzers.model import Severity
from reviewlens.analyzers.rule import CODE_RE, DOC_SECTIONS, NAME_RE, OPTIONAL_DOC_SECTIONS

RULES = registry.RULES


@pytest.mark.parametrize("rule", RULES, ids=lambda r: f"{r.code}-{r.language}")
def test_metadata(rule):
    assert CODE_RE.match(rule.code)
    assert NAME_RE.match(rule.name)
    assert isinstance(rule.severity, Severity)
    assert rule.language in GRAMMARS_OF
    assert rule.messages, "messages templates are required"


@pytest.mark.parametrize("rule", RULES, ids=lambda r: f"{r.code}-{r.language}")
def test_docs_have_every_section(rule):
    sections = rule.doc_sections()
    missing = [s for s in DOC_SECTIONS if not sections.get(s)]
    assert not missing, f"{rule.code} docs lack {missing}"
    unknown = set(sections) - set(DOC_SECTIONS) - set(OPTIONAL_DOC_SECTIONS)
    assert not unknown, f"{rule.code} docs have unknown sections {unknown}"
    assert "```" in sections["Example"] and "```" in sections["Use instead"]
    if rule.options:
        assert "Options" in sections, f"{rule.code} has options but no Options section"


@pytest.mark.parametrize("rule", RULES, ids=lambda r: f"{r.code}-{r.language}")
def test_query_compiles_on_every_grammar(rule):
    for grammar in GRAMMARS_OF[rule.language]:
        if rule.query.strip():
            Query(language(grammar), rule.query)


def test_implementations_of_one_code_agree():
    for code, impls in registry.by_code().items():
        assert len({i.name for i in impls}) == 1, code
        assert len({i.severity for i in impls}) == 1, code
        assert len({i.language for i in impls}) == len(impls), f"{code}: two implementations for one language"


def test_combined_queries_build():
    for grammar in ("python", "typescript", "tsx"):
        assert combined_query(grammar).query.pattern_count >= 1


def test_index_lines_match_their_classes():
    """The index is read without importing rules (codes, names, docs URLs): every line
    must say what its class declares, and every rule file must have a line."""
    for (code, name, family, module, cls_name), rule in zip(registry.INDEX, RULES, strict=True):
        assert (rule.code, rule.name, rule.language, rule.__name__) == (code, name, family, cls_name)
        assert rule.__module__ == f"reviewlens.analyzers.rules.{module}"
        assert registry.docs_urls()[code] == rule.docs_url()
    rules_dir = Path(registry.__file__).parent / "rules"
    files = {f"{p.parent.name}.{p.stem}" for p in rules_dir.glob("*/*.py") if p.stem != "__init__"}
    assert files == {e[3] for e in registry.INDEX}
    assert registry.all_codes() == sorted(registry.by_code())
    assert registry.code_names() == {impls[0].name: code for code, impls in registry.by_code().items()}


@pytest.mark.parametrize("suffix, absent", [(".py", "typescript"), (".ts", "python")])
def test_a_one_language_run_imports_only_that_languages_rules(tmp_path, suffix, absent):
    (tmp_path / f"m{suffix}").write_text('print("x")\n' if suffix == ".py" else 'console.log("x");\n')
    code = (
        "import sys, io, contextlib\n"
        "from reviewlens.server.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    main(['check', '--no-cache', '--output-format', 'json', {str(tmp_path)!r}])\n"
        f"print(sorted(m for m in sys.modules if m.startswith('reviewlens.analyzers.rules.{absent}.')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
