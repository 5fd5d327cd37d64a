"""Every fixture of every rule: hits, false positives, and fixes proven three ways."""

from __future__ import annotations

import pytest

from reviewlens.analyzers import registry
from reviewlens.analyzers.model import Applicability, FixAvailability

from .rule_harness import (
    all_fixtures,
    apply_rule_fixes,
    case_count,
    error_count,
    expected_lines,
    flagged_lines,
    fix_mode,
    run,
)

FIXTURES = all_fixtures()
CASE_FILES = [f for f in FIXTURES if not f.is_expected]
FIX_FILES = [f for f in FIXTURES if f.is_fix and not f.is_expected]


@pytest.mark.parametrize("fx", CASE_FILES, ids=str)
def test_flags_exactly_the_expected_lines(fx):
    source = fx.path.read_bytes()
    expected = expected_lines(source, fx.code)
    flagged = flagged_lines(fx)
    missed = sorted(expected - set(flagged))
    false_positives = {line: msgs for line, msgs in flagged.items() if line not in expected}
    if fx.is_fix:
        # Fix inputs only need their flagged lines marked; they are checked for hits.
        assert not missed, f"{fx}: expected findings on lines {missed}"
        return
    assert not missed, f"{fx}: expected findings on lines {missed}"
    assert not false_positives, f"{fx}: unexpected findings {false_positives}"
    if fx.path.name.startswith("ok_"):
        assert not expected, f"{fx}: an ok_ file must not expect findings"


@pytest.mark.parametrize("fx", FIX_FILES, ids=str)
def test_fix_output(fx):
    expected_path = fx.expected_path()
    assert expected_path.exists(), f"{fx}: missing {expected_path.name}"
    source, fixed = apply_rule_fixes(fx)
    assert fixed != source, f"{fx}: no fix was applied"
    # 1. the output is the expected file
    assert fixed.decode() == expected_path.read_bytes().decode()
    # 2. the output still parses, with no new syntax errors
    assert error_count(fixed, fx.path) <= error_count(source, fx.path)
    # 3. checking the output again no longer offers the same fix
    mode = fix_mode(source)
    again = run(fx, fixed).findings
    if mode == "alternative":
        assert not any(f.alternatives for f in again), f"{fx}: still fixable after the fix"
    else:
        minimum = Applicability.SAFE if mode == "safe" else Applicability.UNSAFE
        assert not [f for f in again if f.fix and f.fix.applicability >= minimum], f"{fx}: still fixable"


def _implementations():
    return [(code, impl) for code, impls in registry.by_code().items() for impl in impls]


@pytest.mark.parametrize("code,impl", _implementations(), ids=lambda x: getattr(x, "__module__", x))
def test_every_rule_has_fixtures_both_ways(code, impl):
    mine = [f for f in CASE_FILES if f.code == code and f.family == impl.language and not f.is_fix]
    assert mine, f"{code} ({impl.language}) has no fixtures"
    flagged = sum(len(expected_lines(f.path.read_bytes(), code)) for f in mine)
    clean_cases = sum(case_count(f.path.read_bytes()) for f in mine if f.path.name.startswith("ok_"))
    assert flagged >= 5, f"{code} ({impl.language}): only {flagged} must-flag cases"
    assert clean_cases >= 5, f"{code} ({impl.language}): only {clean_cases} must-not-flag cases in ok_ files"
    fixes = [f for f in FIX_FILES if f.code == code and f.family == impl.language]
    if impl.fix_availability is not FixAvailability.NONE:
        assert fixes, f"{code} ({impl.language}) declares fixes but has no fix_ fixture"


@pytest.mark.parametrize("code,impl", _implementations(), ids=lambda x: getattr(x, "__module__", x))
def test_declared_fixability_matches_behaviour(code, impl):
    """A rule declared without fixes never produces one (ESLint's `fixable` check)."""
    if impl.fix_availability is not FixAvailability.NONE:
        return
    for fx in (f for f in CASE_FILES if f.code == code and f.family == impl.language):
        for finding in run(fx).findings:
            assert finding.fix is None and not finding.alternatives, f"{fx}: {code} is declared unfixable"
