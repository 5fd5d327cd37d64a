"""Applying fixes: non-overlapping edits per pass, re-check, bounded passes (ruff's loop)."""

from __future__ import annotations

from typing import Callable, Iterable

from .model import Applicability, Edit, Finding, Fix
from .records import Record

MAX_PASSES = 10


def apply_edits(source: bytes, edits: Iterable[Edit]) -> bytes:
    """Apply edits given in byte offsets of `source`; they must not overlap."""
    ordered = sorted(edits, key=lambda e: (e.start, e.end))
    out: list[bytes] = []
    pos = 0
    for e in ordered:
        if e.start < pos:
            raise ValueError(f"overlapping edit {e}")
        if e.end > len(source) or e.start > e.end:
            raise ValueError(f"edit {e} outside the source ({len(source)} bytes)")
        out.append(source[pos : e.start])
        out.append(e.text.encode("utf-8", "surrogateescape"))
        pos = e.end
    out.append(source[pos:])
    return b"".join(out)


def select_fixes(findings: Iterable[Finding], minimum: Applicability) -> list[Fix]:
    """The fixes of one pass: at or above `minimum`, in order, none touching another."""
    chosen: list[Fix] = []
    taken: list[tuple[int, int]] = []
    candidates = [f.fix for f in findings if f.fix is not None and f.fix.applicability >= minimum]
    for fix in sorted(candidates, key=lambda fx: (fx.start, fx.end)):
        spans = [(e.start, e.end) for e in fix.edits]
        clash = any(
            (s < te and ts < e) or (s == e == ts) or (s == ts and (s == e or ts == te))
            for s, e in spans
            for ts, te in taken
        )
        if clash or fix in chosen:
            continue
        chosen.append(fix)
        taken.extend(spans)
    return chosen


class FixResult(Record):
    __slots__ = FIELDS = ("source", "applied", "passes", "converged")

    def __init__(self, source: bytes, applied: dict[str, int] | None = None, passes: int = 0,
                 converged: bool = True) -> None:
        self.source = source
        self.applied = {} if applied is None else applied  # code -> count
        self.passes = passes
        self.converged = converged

    @property
    def changed(self) -> bool:
        return bool(self.applied)


def fix_until_stable(
    source: bytes,
    check: Callable[[bytes], list[Finding]],
    minimum: Applicability = Applicability.SAFE,
) -> tuple[FixResult, list[Finding]]:
    """Apply fixes, re-check, repeat; stop when nothing applies or after MAX_PASSES."""
    result = FixResult(source)
    findings = check(source)
    for _ in range(MAX_PASSES):
        fixes = select_fixes(findings, minimum)
        if not fixes:
            return result, findings
        edits = [e for fx in fixes for e in fx.edits]
        by_fix_code = {}
        for f in findings:
            if f.fix in fixes:
                by_fix_code[id(f.fix)] = f.code
        result.source = apply_edits(result.source, edits)
        result.passes += 1
        for fx in fixes:
            code = by_fix_code.get(id(fx), "?")
            result.applied[code] = result.applied.get(code, 0) + 1
        findings = check(result.source)
    result.converged = not select_fixes(findings, minimum)
    return result, findings
