"""Code actions, in vscode-eslint's order, built from the fixes carried in `Diagnostic.data`.

Per diagnostic: the rule's fix (quickfix; preferred when safe; unsafe ones say so), its
alternatives, "Disable RLxxx for this line", "Disable RLxxx for this file", "Show
documentation for RLxxx". Then, once per request, `source.fixAll.reviewlens` (safe fixes
only, re-checked until stable like `reviewlens check --fix`).

Every edit is a versioned TextDocumentEdit carrying the version the fix was computed
for, so a client refuses a fix for text that changed since (never misapplies it). When
the client cannot take `documentChanges`, a fix is only offered for the current version.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from lsprotocol import types as lsp

from reviewlens.analyzers import registry
from reviewlens.analyzers.fixes import fix_until_stable
from reviewlens.analyzers.model import Applicability, Finding
from reviewlens.analyzers.positions import Encoding, LineIndex
from reviewlens.analyzers.suppressions import file_suppression_edit, line_suppression_edit

from . import convert
from .documents import Document

FIX_ALL_KIND = "source.fixAll.reviewlens"
SHOW_DOCS_COMMAND = "reviewlens.showDocumentation"
APPLY_AUTOFIX_COMMAND = "reviewlens.applyAutofix"
FIX_ALL_COMMAND = "reviewlens.fixAll"
DEBUG_COMMAND = "reviewlens.printDebugInformation"


@dataclass
class Client:
    """What the code actions need to know about the client."""

    encoding: Encoding
    document_changes: bool = True
    resolve_edit: bool = False  # codeAction/resolve may fill in `edit` lazily


def workspace_edit(uri: str, version: int | None, edits: list[lsp.TextEdit], client: Client) -> lsp.WorkspaceEdit:
    if client.document_changes:
        return lsp.WorkspaceEdit(
            document_changes=[
                lsp.TextDocumentEdit(
                    text_document=lsp.OptionalVersionedTextDocumentIdentifier(uri=uri, version=version),
                    edits=edits,
                )
            ]
        )
    return lsp.WorkspaceEdit(changes={uri: edits})


def _kind_allowed(only: list[str] | None, kind: str) -> bool:
    if not only:
        return True
    return any(kind == k or kind.startswith(k + ".") for k in only)


def _data(diag: lsp.Diagnostic) -> dict | None:
    data = diag.data
    if isinstance(data, dict) and data.get("reviewlens") == convert.DATA_FORMAT and isinstance(data.get("code"), str):
        return data
    return None


def _from_analysis(doc: Document, diag: lsp.Diagnostic, client: Client) -> dict | None:
    """Rebuild the payload from the server's latest analysis for clients that drop `data`."""
    analysis = doc.analysis
    if analysis is None or diag.source != convert.SOURCE or not isinstance(diag.code, str):
        return None
    for d in analysis.diagnostics:
        if d.code == diag.code and d.range == diag.range:
            return d.data
    return None


def _fix_title(fix: dict, code: str) -> str:
    title = f"{fix.get('title', 'Fix')} ({code})"
    if fix.get("applicability") == str(Applicability.UNSAFE):
        title += " (unsafe)"
    return title


def for_diagnostics(
    doc: Document,
    diagnostics: list[lsp.Diagnostic],
    only: list[str] | None,
    client: Client,
) -> list[lsp.CodeAction]:
    quick = _kind_allowed(only, lsp.CodeActionKind.QuickFix.value)
    actions: list[lsp.CodeAction] = []
    disables: list[lsp.CodeAction] = []
    docs: list[lsp.CodeAction] = []
    seen_line: set[tuple[str, int]] = set()
    seen_file: set[str] = set()
    if not quick:
        return []
    for diag in diagnostics:
        data = _data(diag) or _from_analysis(doc, diag, client)
        if data is None:
            continue
        code = data["code"]
        version = data.get("version")
        uri = doc.uri
        current = version == doc.version
        if not current and not client.document_changes:
            continue  # unversioned edits could be misapplied to newer text
        fixes = []
        if isinstance(data.get("fix"), dict):
            fixes.append((data["fix"], True))
        for alt in data.get("alternatives") or []:
            if isinstance(alt, dict):
                fixes.append((alt, False))
        for fix, primary in fixes:
            edits = [e for e in (convert.text_edit(raw) for raw in fix.get("edits") or []) if e is not None]
            if not edits:
                continue
            actions.append(
                lsp.CodeAction(
                    title=_fix_title(fix, code),
                    kind=lsp.CodeActionKind.QuickFix,
                    diagnostics=[diag],
                    is_preferred=primary and fix.get("applicability") == str(Applicability.SAFE),
                    edit=workspace_edit(uri, version, edits, client),
                )
            )
        # Suppressions are computed on the text the diagnostic was made for.
        source = _source_at(doc, version)
        if source is not None and doc.grammar is not None:
            line = data.get("line")
            if not isinstance(line, int):
                line = diag.range.start.line
            lines = LineIndex(source)
            if (code, line) not in seen_line:
                seen_line.add((code, line))
                edit = line_suppression_edit(source, doc.grammar, line, code)
                if edit.text:
                    disables.append(
                        lsp.CodeAction(
                            title=f"Disable {code} for this line",
                            kind=lsp.CodeActionKind.QuickFix,
                            diagnostics=[diag],
                            edit=workspace_edit(uri, version, [_text_edit(lines, edit, client.encoding)], client),
                        )
                    )
            if code not in seen_file:
                seen_file.add(code)
                edit = file_suppression_edit(source, doc.grammar, code)
                disables.append(
                    lsp.CodeAction(
                        title=f"Disable {code} for this file",
                        kind=lsp.CodeActionKind.QuickFix,
                        diagnostics=[diag],
                        edit=workspace_edit(uri, version, [_text_edit(lines, edit, client.encoding)], client),
                    )
                )
        if registry.get(code) and not any(a.command and a.command.arguments == [code] for a in docs):
            docs.append(
                lsp.CodeAction(
                    title=f"Show documentation for {code}",
                    kind=lsp.CodeActionKind.QuickFix,
                    diagnostics=[diag],
                    command=lsp.Command(title=f"Show documentation for {code}", command=SHOW_DOCS_COMMAND, arguments=[code]),
                )
            )
    # vscode-eslint groups per rule; with several diagnostics, fixes come first overall.
    return actions + disables + docs


def _source_at(doc: Document, version: int | None) -> bytes | None:
    if version == doc.version:
        return doc.source
    if doc.analysis is not None and doc.analysis.version == version:
        return doc.analysis.source
    return None


def _text_edit(lines: LineIndex, edit, encoding: Encoding) -> lsp.TextEdit:
    return lsp.TextEdit(range=convert.to_range(lines, edit.start, edit.end, encoding), new_text=edit.text)


def fix_all_edits(doc: Document, check: Callable[[bytes], list[Finding]], encoding: Encoding) -> list[lsp.TextEdit]:
    """Safe fixes applied until stable, as one minimal edit of the current text."""
    result, _ = fix_until_stable(doc.source, check, Applicability.SAFE)
    if not result.changed or result.source == doc.source:
        return []
    start, end, new = convert.minimal_edit(doc.source, result.source)
    return [
        lsp.TextEdit(
            range=convert.to_range(doc.lines, start, end, encoding),
            new_text=new.decode("utf-8", "replace"),
        )
    ]


def has_safe_fix(doc: Document) -> bool:
    analysis = doc.analysis
    return analysis is not None and any(
        f.fix is not None and f.fix.applicability >= Applicability.SAFE for f in analysis.findings
    )


def fix_all_action(doc: Document, edits: list[lsp.TextEdit] | None, client: Client) -> lsp.CodeAction:
    action = lsp.CodeAction(
        title="reviewlens: Fix all auto-fixable problems",
        kind=FIX_ALL_KIND,
        data={"reviewlens": convert.DATA_FORMAT, "fixAll": True, "uri": doc.uri, "version": doc.version},
    )
    if edits is not None:
        action.edit = workspace_edit(doc.uri, doc.version, edits, client)
    return action


def parse_document_argument(args: Any) -> tuple[str | None, int | None]:
    """`[uri]`, `[{"uri", "version"}]` or `[{"textDocument": {...}}]` -> (uri, version)."""
    if isinstance(args, list) and args:
        args = args[0]
    if isinstance(args, str):
        return args, None
    if isinstance(args, dict):
        inner = args.get("textDocument") if isinstance(args.get("textDocument"), dict) else args
        uri = inner.get("uri")
        version = inner.get("version")
        if isinstance(uri, str):
            return uri, version if isinstance(version, int) else None
    uri = getattr(args, "uri", None)
    if isinstance(uri, str):
        return uri, getattr(args, "version", None)
    return None, None
