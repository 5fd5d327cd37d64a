"""`--output-format json`: the stable, documented schema (docs/json-schema.md).

Top level is an object, `schema_version` 1. Lines and columns are 1-based; columns count
characters (Unicode code points); `end` positions are exclusive. Byte offsets are given
too (UTF-8, 0-based, end exclusive) for tools that patch bytes.
"""

from __future__ import annotations

from typing import Any

from ..results import Diagnostic, EditOut, FileResult, FixOut, Loc

SCHEMA_VERSION = 1


def _loc(loc: Loc) -> dict[str, int]:
    return {"line": loc.line, "column": loc.column}


def _edit(e: EditOut) -> dict[str, Any]:
    return {"content": e.content, "location": _loc(e.start), "end_location": _loc(e.end),
            "byte_range": [e.start_byte, e.end_byte]}


def _fix(f: FixOut | None) -> dict[str, Any] | None:
    if f is None:
        return None
    return {"title": f.title, "applicability": f.applicability, "edits": [_edit(e) for e in f.edits]}


def diagnostic(d: Diagnostic, url: str | None) -> dict[str, Any]:
    return {
        "code": d.code,
        "name": d.name,
        "message": d.message,
        "severity": d.severity,
        "path": d.path,
        "location": _loc(d.start),
        "end_location": _loc(d.end),
        "byte_range": [d.start_byte, d.end_byte],
        "url": url,
        "fix": _fix(d.fix),
        "fix_applicable": d.fix_applicable,
        "alternatives": [_fix(a) for a in d.alternatives],
    }


def document(results: list[FileResult], diags: list[Diagnostic], *, version: str, urls: dict[str, str],
             files_checked: int, statistics: list[dict] | None = None) -> dict[str, Any]:
    notices = [
        {"path": n.path, "kind": n.kind, "message": n.message, "fatal": n.fatal}
        for r in results for n in r.notices
    ]
    fixed = [{"path": r.path, "fixes": dict(sorted(r.fixed.items()))} for r in results if r.fixed]
    doc: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "reviewlens", "version": version},
        "summary": {
            "files_checked": files_checked,
            "findings": len(diags),
            "fixable": sum(1 for d in diags if d.fix_applicable),
            "fixed": sum(sum(r.fixed.values()) for r in results),
            "by_severity": {s: sum(1 for d in diags if d.severity == s) for s in ("error", "warning", "info")},
        },
        "findings": [diagnostic(d, urls.get(d.code)) for d in diags],
        "fixed": fixed,
        "notices": notices,
    }
    if statistics is not None:
        doc["statistics"] = statistics
    return doc
