"""Every rule is complete: metadata, docs sections, query compiling on its grammars."""

from __future__ import annotations

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
