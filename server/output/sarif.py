"""`--output-format sarif`: SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.

One run; `tool.driver.rules` lists every registered rule (id, name, short and full
description, help text + markdown from the rule docs, helpUri, default level);
results point at their rule by `ruleId` and `ruleIndex`; regions use 1-based lines and
columns counted in Unicode code points (`run.columnKind`), end column exclusive; fixes
carry their edits as `artifactChanges` with `replacements`. Paths are relative to the
working directory (`%SRCROOT%`) when the file is below it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ..results import Diagnostic, EditOut, FileResult, FixOut

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/reviewlens/reviewlens"
LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def _uri(path: str) -> dict[str, str]:
    if os.path.isabs(path):
        return {"uri": Path(path).as_uri()}
    return {"uri": Path(path).as_posix(), "uriBaseId": "%SRCROOT%"}


def _region(start, end) -> dict[str, int]:
    return {"startLine": start.line, "startColumn": start.column, "endLine": end.line, "endColumn": end.column}


def rule_descriptor(info) -> dict[str, Any]:
    """`tool.driver.rules[]` entry of one rule (a ruledocs.RuleInfo); the result cache
    keeps these, so a warm run writes SARIF without importing the rules."""
    from ..ruledocs import rule_help_text, rule_markdown

    return {
        "id": info.code,
        "name": info.name,
        "shortDescription": {"text": f"{info.code} {info.name}"},
        "fullDescription": {"text": info.summary or info.name},
        "help": {"text": rule_help_text(info), "markdown": rule_markdown(info)},
        "helpUri": info.docs_url,
        "defaultConfiguration": {"level": LEVEL[info.severity]},
        "properties": {
            "tags": ["reviewlens", *info.languages],
            "fix": info.fix,
        },
    }


def _replacement(e: EditOut) -> dict[str, Any]:
    return {"deletedRegion": _region(e.start, e.end), "insertedContent": {"text": e.content}}


def _fix(d: Diagnostic, f: FixOut) -> dict[str, Any]:
    return {
        "description": {"text": f.title},
        "artifactChanges": [{
            "artifactLocation": _uri(d.path),
            "replacements": [_replacement(e) for e in f.edits],
        }],
        "properties": {"applicability": f.applicability},
    }


def _result(d: Diagnostic, index: dict[str, int]) -> dict[str, Any]:
    res: dict[str, Any] = {
        "ruleId": d.code,
        "ruleIndex": index[d.code],
        "level": LEVEL.get(d.severity, "warning"),
        "message": {"text": d.message},
        "locations": [{
            "physicalLocation": {
                "artifactLocation": _uri(d.path),
                "region": _region(d.start, d.end),
            }
        }],
    }
    fixes = [f for f in ((d.fix,) if d.fix else ()) + d.alternatives if f.applicability != "display-only"]
    if fixes:
        res["fixes"] = [_fix(d, f) for f in fixes]
    return res


def document(results: list[FileResult], diags: list[Diagnostic], *, version: str, cwd: str,
             rules: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """`rules`: the rule descriptors (Catalog.sarif_rules); computed from the registry when omitted."""
    if rules is None:
        from ..ruledocs import rules as all_rules

        rules = [rule_descriptor(info) for info in all_rules()]
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    notifications = [
        {
            "level": "error" if n.fatal else "warning",
            "message": {"text": f"{n.path}: {n.message}"},
            "locations": [{"physicalLocation": {"artifactLocation": _uri(n.path)}}],
        }
        for r in results for n in r.notices
    ]
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "reviewlens",
                "version": version,
                "semanticVersion": version,
                "informationUri": INFORMATION_URI,
                "rules": rules,
            }
        },
        "originalUriBaseIds": {"%SRCROOT%": {"uri": Path(cwd).as_uri() + "/"}},
        "columnKind": "unicodeCodePoints",
        "results": [_result(d, index) for d in diags if d.code in index],
        "invocations": [{
            "executionSuccessful": not any(n.fatal for r in results for n in r.notices),
            "toolExecutionNotifications": notifications,
        }],
    }
    return {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}
