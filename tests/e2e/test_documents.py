"""Server-side document model and region re-checks, checked against full parses/checks."""

from __future__ import annotations

import random
import sys
from pathlib import Path

from lsprotocol import types as lsp

from reviewlens.analyzers.engine import check_source
from reviewlens.analyzers.languages import parse
from reviewlens.server.documents import Document
from reviewlens.server.incremental import region_findings

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from lsp_latency import generate  # noqa: E402


def _sexp(tree) -> str:
    return str(tree.root_node)


def test_incremental_edits_match_a_full_parse_with_emoji_and_crlf():
    text = "def f():\r\n    x = '😀'\r\n    return x\r\n\r\nclass 名:\r\n    pass\r\n"
    doc = Document(uri="file:///t/a.py", language_id="python", version=1, source=text.encode())
    doc.ensure_tree(10_000_000)
    rnd = random.Random(7)
    pieces = ["print(1)", "\r\n", "😀", "x", "", "    ", "名前", "\n"]
    for _ in range(300):
        line = rnd.randrange(doc.lines.line_count)
        width = len(doc.lines.line_text(line).decode("utf-8", "replace"))
        a, b = sorted(rnd.randrange(width + 1) for _ in range(2))
        change = lsp.TextDocumentContentChangePartial(
            range=lsp.Range(lsp.Position(line, a), lsp.Position(line, b)), text=rnd.choice(pieces))
        doc.apply_change(change, "utf-32")
        assert doc.lines.line_starts == type(doc.lines)(doc.source).line_starts
        assert _sexp(doc.tree) == _sexp(parse(doc.source, "python"))


def _check(path):
    return lambda src, tree=None: check_source(src, path, tree=tree).findings


def test_region_check_equals_full_check_for_edits_inside_function_bodies():
    source = generate(3000).encode()
    path = "/proj/app/routes.py"
    doc = Document(uri="file://" + path, language_id="python", version=1, source=source)
    tree = doc.ensure_tree(10_000_000)
    findings = check_source(source, path, tree=tree).findings
    old_source, old_tree, old_findings = source, tree.copy(), findings
    doc.mark_analysed()
    rnd = random.Random(3)
    used = 0
    for step in range(25):
        lines = doc.source.split(b"\n")
        body_lines = [i for i, l in enumerate(lines) if l.startswith(b"    ") and not l.strip().startswith((b'"""', b"name", b"price"))]
        line = rnd.choice(body_lines)
        indent = "        " if lines[line].startswith(b"        ") else "    "
        new_line = rnd.choice([f"{indent}print('step {step}')\n", f"{indent}value = {step}\n"])
        doc.apply_change(lsp.TextDocumentContentChangePartial(
            range=lsp.Range(lsp.Position(line, 0), lsp.Position(line, 0)), text=new_line), "utf-16")
        region = region_findings(doc.source, doc.tree, old_source, old_tree, old_findings, doc.dirty, _check(path))
        full = check_source(doc.source, path, tree=doc.tree).findings
        if region is not None:
            used += 1
            assert [(f.code, f.start, f.end, f.message, f.fix) for f in region] == \
                   [(f.code, f.start, f.end, f.message, f.fix) for f in full], step
        old_source, old_tree, old_findings = doc.source, doc.tree.copy(), full
        doc.mark_analysed()
    assert used >= 20  # the region path is taken for body edits


def test_region_check_refuses_module_level_edits():
    source = generate(400).encode()
    doc = Document(uri="file:///p/m.py", language_id="python", version=1, source=source)
    tree = doc.ensure_tree(10_000_000)
    findings = check_source(source, "/p/m.py", tree=tree).findings
    old_tree = tree.copy()
    doc.mark_analysed()
    doc.apply_change(lsp.TextDocumentContentChangePartial(
        range=lsp.Range(lsp.Position(0, 0), lsp.Position(0, 0)), text="from rich import print\n"), "utf-16")
    assert region_findings(doc.source, doc.tree, source, old_tree, findings, doc.dirty, _check("/p/m.py")) is None
