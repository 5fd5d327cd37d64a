"""Every rule implementation of `registry.RULES` through one real `reviewlens serve` session.

One server (module-scoped) is started with every fixture language folder
(tests/fixtures/<CODE>/<python|typescript>/) as a workspace folder, so a document opened
with its real file URI is analysed with the path the engine's fixture harness uses
(roles, exempt paths, the package.json found in that folder). For each (code, language)
the first case file with `expect: CODE` markers is opened and the published diagnostics
must equal what `check_source` reports for the same file with the same (default) settings;
every diagnostic carries the LSP fields editors rely on. For each rule with a fix, the
rule's quick fix is requested at one flagged diagnostic and its edit, applied to the
buffer, must give the text the engine's fix gives.
"""

from __future__ import annotations

from functools import cache

import pytest
import pytest_asyncio
from lsprotocol import types as lsp

from reviewlens.analyzers import registry
from reviewlens.analyzers.engine import check_source
from reviewlens.analyzers.fixes import apply_edits
from reviewlens.analyzers.model import Applicability, Finding, Fix, FixAvailability, Severity
from reviewlens.analyzers.positions import LineIndex
from reviewlens.analyzers.rule import Rule
from reviewlens.analyzers.workspace import FileSystemWorkspace

from ..rule_harness import FIXTURES, Fixture, all_fixtures, expected_lines, settings_for
from .conftest import apply_text_edits, open_session

IN_SESSION = pytest.mark.asyncio(loop_scope="module")  # the tests share the module-scoped server

LANGUAGE_IDS = {
    ".py": "python",
    ".ts": "typescript",
    ".mts": "typescript",
    ".cts": "typescript",
    ".tsx": "typescriptreact",
    ".js": "javascript",
    ".mjs": "javascript",
    ".cjs": "javascript",
    ".jsx": "javascriptreact",
}
SEVERITY = {
    Severity.ERROR: lsp.DiagnosticSeverity.Error,
    Severity.WARNING: lsp.DiagnosticSeverity.Warning,
    Severity.INFO: lsp.DiagnosticSeverity.Information,
}


def rule_id(rule: type[Rule]) -> str:
    return f"{rule.code}-{rule.language}"


# --- fixture selection (pure, shared by the coverage test and the session) ---------------------

@cache
def _fixtures() -> tuple[Fixture, ...]:
    return tuple(all_fixtures())


def _engine(fx: Fixture, source: bytes | None = None) -> list[Finding]:
    source = fx.path.read_bytes() if source is None else source
    result = check_source(source, str(fx.path), settings_for(fx), rel_path=fx.rel,
                          workspace=FileSystemWorkspace([str(fx.root)]))
    assert not result.errors, result.errors
    return result.findings


def _fixes(finding: Finding) -> list[Fix]:
    """The fixes an editor offers for `finding`, in order: its fix, then its alternatives
    (display-only fixes are never offered)."""
    fixes = [finding.fix] if finding.fix is not None else []
    fixes += finding.alternatives
    return [f for f in fixes if f.applicability >= Applicability.UNSAFE and f.edits]


def _engine_fix(finding: Finding) -> Fix | None:
    """The fix the rule's quick fix for `finding` applies: its fix, else its first alternative."""
    fixes = _fixes(finding)
    return fixes[0] if fixes else None


def case_fixture(rule: type[Rule]) -> Fixture | None:
    """The first case file of the rule's code and language with `expect: CODE` markers."""
    for fx in _fixtures():
        if (fx.code == rule.code and fx.family == rule.language and not fx.is_fix and not fx.is_expected
                and expected_lines(fx.path.read_bytes(), rule.code)):
            return fx
    return None


def _fixable(findings: list[Finding], rule: type[Rule]) -> list[Finding]:
    return sorted((f for f in findings if f.code == rule.code and _engine_fix(f) is not None), key=lambda f: (f.start, f.end))


@cache
def fix_target(rule: type[Rule]) -> Fixture | None:
    """The fixture to try the rule's quick fix in: the case file when one of the rule's findings
    there has a fix, else the rule's first `fix_` file with one."""
    candidates = [case_fixture(rule)] + [fx for fx in _fixtures() if fx.code == rule.code and fx.family == rule.language
                                        and fx.is_fix and not fx.is_expected]
    for fx in candidates:
        if fx is None:
            continue
        if _fixable(_engine(fx), rule):
            return fx
    return None


def session_fixtures() -> list[Fixture]:
    """Every file the session opens (their language folders become its workspace folders)."""
    out: list[Fixture] = []
    for rule in registry.RULES:
        wanted = [case_fixture(rule)]
        if rule.fix_availability != FixAvailability.NONE:
            wanted.append(fix_target(rule))
        out.extend(fx for fx in wanted if fx is not None and fx not in out)
    return out


# --- the one server session --------------------------------------------------------------------

class EveryRuleSession:
    def __init__(self, session) -> None:
        self.s = session
        self.uris: dict[Fixture, str] = {}
        self.sources: dict[Fixture, bytes] = {}

    async def open(self, fx: Fixture) -> tuple[str, bytes, list[lsp.Diagnostic]]:
        """Open `fx` (once) with its real file URI; its URI, the bytes sent, and its diagnostics."""
        uri = self.uris.get(fx)
        if uri is None:
            uri = fx.path.as_uri()
            # Bytes, not read_text(): keep the file's line endings. The engine checks these
            # same bytes, so a fixture edited on disk meanwhile cannot cause a mismatch.
            self.sources[fx] = fx.path.read_bytes()
            text = self.sources[fx].decode("utf-8")
            self.s.buffers.text[uri] = text
            self.s.buffers.version[uri] = 1
            self.s.client.text_document_did_open(lsp.DidOpenTextDocumentParams(text_document=lsp.TextDocumentItem(
                uri=uri, language_id=LANGUAGE_IDS[fx.path.suffix], version=1, text=text)))
            self.uris[fx] = uri
        return uri, self.sources[fx], await self.s.diagnostics(uri, 1)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def server():
    fixtures = session_fixtures()
    folders = sorted({fx.root for fx in fixtures})
    async with open_session(FIXTURES, folders=folders) as s:
        yield EveryRuleSession(s)


RULES_UNDER_TEST = list(registry.RULES)


async def check_quick_fixes(server: EveryRuleSession, fx: Fixture, uri: str, source: bytes, diags: list[lsp.Diagnostic],
                            rule: type[Rule], findings: list[Finding]) -> int:
    """Request code actions at the diagnostic of each finding and apply every fix action of
    the rule to the buffer's text; returns how many fixes were applied and compared."""
    text = source.decode("utf-8")
    index = LineIndex(source)
    applied = 0
    for finding in findings:
        a, b = index.position(finding.start, "utf-16"), index.position(finding.end, "utf-16")
        span = (a.line, a.column, b.line, b.column)
        matches = [d for d in diags if d.code == rule.code and d.message == finding.message
                   and (d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character) == span]
        assert matches, f"{fx}: no diagnostic for {finding}"
        actions = await server.s.code_actions(uri, [matches[0]])
        ours = [x for x in actions if x.kind == lsp.CodeActionKind.QuickFix
                and (x.title.endswith(f"({rule.code})") or x.title.endswith(f"({rule.code}) (unsafe)"))]
        fixes = _fixes(finding)
        titles = [f"{f.title} ({rule.code})" + (" (unsafe)" if f.applicability == Applicability.UNSAFE else "") for f in fixes]
        assert [x.title for x in ours] == titles, (str(fx), span)
        for action, fix in zip(ours, fixes):
            assert action.is_preferred == (fix is finding.fix and fix.applicability == Applicability.SAFE), action.title
            (change,) = action.edit.document_changes  # VS Code capabilities: one versioned TextDocumentEdit
            assert change.text_document.uri == uri and change.text_document.version == 1
            got = apply_text_edits(text, list(change.edits))
            want = apply_edits(source, fix.edits).decode("utf-8")
            assert got != text, action.title
            assert got == want, (str(fx), action.title)
            applied += 1
    return applied


# --- tests -------------------------------------------------------------------------------------

def test_every_rule_implementation_is_covered():
    """A rule added to the registry without a must-flag fixture (or, for a rule with a fix,
    without a fixture showing a fix) fails here, and its parametrized test below fails too."""
    missing = []
    for rule in registry.RULES:
        fx = case_fixture(rule)
        if fx is None:
            missing.append(f"{rule_id(rule)}: no case file with `expect: {rule.code}` markers in {FIXTURES / rule.code / rule.language}")
            continue
        if fx.path.suffix not in LANGUAGE_IDS:
            missing.append(f"{rule_id(rule)}: no languageId for {fx}")
        if rule.fix_availability != FixAvailability.NONE and fix_target(rule) is None:
            missing.append(f"{rule_id(rule)}: fix availability {rule.fix_availability.value} but no fixture has a fixable finding")
    assert not missing, "\n".join(missing)
    assert len({rule_id(r) for r in registry.RULES}) == len(registry.RULES)  # one implementation per (code, language)


@IN_SESSION
@pytest.mark.parametrize("rule", RULES_UNDER_TEST, ids=rule_id)
async def test_rule_diagnostics_match_the_engine(server, rule):
    fx = case_fixture(rule)
    assert fx is not None, f"no must-flag fixture for {rule_id(rule)}"
    uri, source, diags = await server.open(fx)
    index = LineIndex(source)
    findings = _engine(fx, source)

    engine_all = {(f.code, index.line_of(f.start)) for f in findings}
    published_all = {(d.code, d.range.start.line) for d in diags}
    engine_rule = {x for x in engine_all if x[0] == rule.code}
    published_rule = {x for x in published_all if x[0] == rule.code}
    assert engine_rule, f"the engine flags nothing of {rule.code} in {fx}"
    assert published_rule == engine_rule, fx
    assert published_all == engine_all, fx  # the other rules agree too
    assert sum(d.code == rule.code for d in diags) == sum(f.code == rule.code for f in findings), fx

    for d in diags:
        impl = registry.get(str(d.code))
        assert impl, d.code
        assert d.source == "reviewlens"
        assert d.code_description is not None and d.code_description.href == impl[0].docs_url()
        assert d.severity == SEVERITY[impl[0].severity], (d.code, d.severity)
    for d in diags:
        if d.code == rule.code:
            assert d.severity == SEVERITY[rule.severity]
            assert d.code_description.href.endswith(f"#{rule.code.lower()}-{rule.name}")

    # At every finding of the rule the lightbulb offers exactly the engine's fixes (none where
    # the engine has none), and each one's edit gives the engine's text.
    await check_quick_fixes(server, fx, uri, source, diags, rule, [f for f in findings if f.code == rule.code])


FIX_RULES = [r for r in RULES_UNDER_TEST if r.fix_availability != FixAvailability.NONE]


@IN_SESSION
@pytest.mark.parametrize("rule", FIX_RULES, ids=rule_id)
async def test_rule_quick_fix_matches_the_engine_fix(server, rule):
    fx = fix_target(rule)
    assert fx is not None, f"{rule_id(rule)} has a fix but no fixture shows one"
    uri, source, diags = await server.open(fx)
    fixable = _fixable(_engine(fx, source), rule)
    assert fixable, f"{fx}: no finding of {rule.code} with a fix"
    applied = await check_quick_fixes(server, fx, uri, source, diags, rule, fixable[:1])
    assert applied >= 1
