"""Engine model <-> lsprotocol. Positions go through analyzers.positions.LineIndex only,
in the position encoding negotiated at `initialize`.

A diagnostic's `data` carries everything a code action needs, so no re-analysis happens
when the user opens the lightbulb (ruff's `DiagnosticData`, ESLint's fix map):

    {"reviewlens": 1, "uri": ..., "version": <document version analysed>, "code": "RL101",
     "fix": {"title", "applicability", "edits": [{"range", "newText"}]} | null,
     "alternatives": [<same shape>...], "line": <0-based line of the finding's start>}

Display-only fixes are never carried (they are not applicable, only shown by the CLI).
"""

from __future__ import annotations

from typing import Any

from lsprotocol import types as lsp

from reviewlens.analyzers import registry
from reviewlens.analyzers.model import Applicability, Edit, Finding, Fix, Severity
from reviewlens.analyzers.positions import Encoding, LineIndex

SOURCE = "reviewlens"
DATA_FORMAT = 1

_SEVERITY = {
    Severity.ERROR: lsp.DiagnosticSeverity.Error,
    Severity.WARNING: lsp.DiagnosticSeverity.Warning,
    Severity.INFO: lsp.DiagnosticSeverity.Information,
}


def encoding_of(kind: Any) -> Encoding:
    value = getattr(kind, "value", kind)
    return value if value in ("utf-8", "utf-16", "utf-32") else "utf-16"


def to_range(lines: LineIndex, start: int, end: int, encoding: Encoding) -> lsp.Range:
    a = lines.position(start, encoding)
    b = lines.position(max(end, start), encoding)
    return lsp.Range(lsp.Position(a.line, a.column), lsp.Position(b.line, b.column))


def range_json(lines: LineIndex, start: int, end: int, encoding: Encoding) -> dict:
    a = lines.position(start, encoding)
    b = lines.position(max(end, start), encoding)
    return {"start": {"line": a.line, "character": a.column}, "end": {"line": b.line, "character": b.column}}


def to_offsets(lines: LineIndex, rng: lsp.Range, encoding: Encoding) -> tuple[int, int]:
    start = lines.offset(rng.start.line, rng.start.character, encoding)
    end = lines.offset(rng.end.line, rng.end.character, encoding)
    return start, max(start, end)


def edit_json(lines: LineIndex, edit: Edit, encoding: Encoding) -> dict:
    return {"range": range_json(lines, edit.start, edit.end, encoding), "newText": edit.text}


def fix_json(lines: LineIndex, fix: Fix, encoding: Encoding) -> dict:
    return {
        "title": fix.title,
        "applicability": str(fix.applicability),
        "edits": [edit_json(lines, e, encoding) for e in fix.edits],
    }


def _docs_url(code: str) -> str | None:
    impls = registry.get(code)
    return impls[0].docs_url() if impls else None


def to_diagnostic(finding: Finding, lines: LineIndex, encoding: Encoding, uri: str, version: int | None) -> lsp.Diagnostic:
    tags = []
    if finding.deprecated:
        tags.append(lsp.DiagnosticTag.Deprecated)
    if finding.unnecessary:
        tags.append(lsp.DiagnosticTag.Unnecessary)
    fix = finding.fix if finding.fix is not None and finding.fix.applicability >= Applicability.UNSAFE else None
    data = {
        "reviewlens": DATA_FORMAT,
        "uri": uri,
        "version": version,
        "code": finding.code,
        "line": lines.line_of(finding.start),
        "fix": fix_json(lines, fix, encoding) if fix is not None else None,
        "alternatives": [
            fix_json(lines, alt, encoding) for alt in finding.alternatives if alt.applicability >= Applicability.UNSAFE
        ],
    }
    url = _docs_url(finding.code)
    return lsp.Diagnostic(
        range=to_range(lines, finding.start, finding.end, encoding),
        message=finding.message,
        severity=_SEVERITY.get(finding.severity, lsp.DiagnosticSeverity.Warning),
        code=finding.code,
        code_description=lsp.CodeDescription(href=url) if url else None,
        source=SOURCE,
        tags=tags or None,
        data=data,
    )


def text_edit(raw: Any) -> lsp.TextEdit | None:
    """A TextEdit from the JSON carried in `data` (None when malformed)."""
    try:
        r = raw["range"]
        return lsp.TextEdit(
            range=lsp.Range(
                lsp.Position(int(r["start"]["line"]), int(r["start"]["character"])),
                lsp.Position(int(r["end"]["line"]), int(r["end"]["character"])),
            ),
            new_text=str(raw["newText"]),
        )
    except (KeyError, TypeError, ValueError):
        return None


def hover_markdown(findings: list[Finding]) -> str:
    parts = []
    for f in findings:
        impls = registry.get(f.code)
        head = f"**{f.code}** `{f.name}` ({f.severity}): {f.message}"
        if impls:
            rule = impls[0]
            body = rule.docs()
            # Demote the docs' "## Section" headings below the hover title.
            body = "\n".join("#### " + line[3:] if line.startswith("## ") else line for line in body.splitlines())
            parts.append(f"{head}\n\n{body}\n\n[Documentation for {f.code}]({rule.docs_url()})")
        else:
            parts.append(head)
    return "\n\n---\n\n".join(parts)


def minimal_edit(old: bytes, new: bytes) -> tuple[int, int, bytes]:
    """One whole-line replacement turning `old` into `new`: (start, end) in `old`, new bytes.
    Keeps the client's cursor and folding where nothing changed (not a whole-document edit)."""
    limit = min(len(old), len(new))
    p = 0
    while p < limit and old[p] == new[p]:
        p += 1
    # Back to the start of the line (never between "\r" and "\n", never inside a character).
    while p > 0 and old[p - 1] != 0x0A:
        p -= 1
    s = 0
    limit = min(len(old), len(new)) - p
    while s < limit and old[len(old) - 1 - s] == new[len(new) - 1 - s]:
        s += 1
    # The kept suffix must start at a line start too.
    while s > 0 and old[len(old) - s - 1] != 0x0A:
        s -= 1
    return p, len(old) - s, new[p : len(new) - s]
