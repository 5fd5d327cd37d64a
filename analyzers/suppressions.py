"""Inline suppressions, and the edits that add them (for the editor's code actions).

Python:      x = 1  # noqa: RL101, RL201      (bare `# noqa` silences every rule on the line)
             # reviewlens: noqa: RL101          (anywhere in the file: the whole file; bare = all)
TS / JS:     // reviewlens-disable-next-line RL302
             foo()  // reviewlens-disable-line RL302
             /* reviewlens-disable RL302 */     (the whole file; no codes = all rules)
A reason may follow ` -- ` in the TS forms, as in ESLint.
"""

from __future__ import annotations

import re

from .model import Edit, Finding
from .positions import LineIndex
from .records import Record

ALL = "*"
_CODES = r"[A-Z]+[0-9]+(?:\s*,?\s*[A-Z]+[0-9]+)*"
_PY_LINE = re.compile(r"#\s*noqa(?!\w)(?::\s*(?P<codes>" + _CODES + r"))?", re.IGNORECASE)
_PY_FILE = re.compile(r"#\s*reviewlens\s*:\s*noqa(?!\w)(?::\s*(?P<codes>" + _CODES + r"))?", re.IGNORECASE)
_TS = re.compile(
    r"(?://|/\*)\s*reviewlens-disable(?P<kind>-next-line|-line)?(?![\w-])(?P<codes>[^\n*]*?)\s*(?:--.*)?(?:\*/|$)",
)
_CODE = re.compile(r"[A-Z]+[0-9]+")


def _codes(text: str | None) -> set[str]:
    if not text or not text.strip():
        return {ALL}
    return set(_CODE.findall(text.upper())) or {ALL}


def _marked_comments(source: bytes, grammar: str, tree):
    """The comments that spell the suppression marker (`noqa` in any case for Python,
    `reviewlens-disable` for TS/JS), in document order: found from the marker's
    occurrences (comments are leaves), not by matching every comment of the file."""
    if grammar == "python":
        marker, haystack = b"noqa", source.lower()
    else:
        marker, haystack = b"reviewlens-disable", source
    at = haystack.find(marker)
    if at < 0:
        return
    root = tree.root_node
    last = -1
    while at >= 0:
        node = root.descendant_for_byte_range(at, at + len(marker))
        if node is not None and node.type == "comment" and node.start_byte > last:
            last = node.start_byte
            yield node
        at = haystack.find(marker, at + len(marker))


class Suppressions(Record):
    __slots__ = FIELDS = ("file", "lines")

    def __init__(self, file: set[str] | None = None, lines: dict[int, set[str]] | None = None) -> None:
        self.file = set() if file is None else file
        self.lines = {} if lines is None else lines

    @classmethod
    def of(cls, ctx) -> "Suppressions":
        return cls.parse(ctx.source, ctx.grammar, ctx.tree, ctx.lines)

    @classmethod
    def parse(cls, source: bytes, grammar: str, tree, lines: LineIndex) -> "Suppressions":
        sup = cls()
        for node in _marked_comments(source, grammar, tree):
            text = source[node.start_byte : node.end_byte].decode("utf-8", "replace")
            line = node.start_point[0]
            if grammar == "python":
                m = _PY_FILE.search(text)
                if m:
                    sup.file |= _codes(m.group("codes"))
                    continue
                m = _PY_LINE.search(text)
                if m:
                    sup.lines.setdefault(line, set()).update(_codes(m.group("codes")))
            else:
                m = _TS.search(text)
                if not m:
                    continue
                codes = _codes(m.group("codes"))
                kind = m.group("kind")
                if kind == "-next-line":
                    end_line = node.end_point[0]
                    sup.lines.setdefault(end_line + 1, set()).update(codes)
                elif kind == "-line":
                    sup.lines.setdefault(line, set()).update(codes)
                else:
                    sup.file |= codes
        return sup

    def suppressed(self, finding: Finding, lines: LineIndex) -> bool:
        if ALL in self.file or finding.code in self.file:
            return True
        if not self.lines:
            return False
        for line in {lines.line_of(finding.start), lines.line_of(max(finding.end - 1, finding.start))}:
            codes = self.lines.get(line)
            if codes and (ALL in codes or finding.code in codes):
                return True
        return False


# --- edits for "disable for this line / file" code actions --------------------------------

def line_suppression_edit(source: bytes, grammar: str, line: int, code: str) -> Edit:
    lines = LineIndex(source)
    text = lines.line_text(line).decode("utf-8", "surrogateescape")
    end = lines.line_end(line)
    if grammar == "python":
        m = _PY_LINE.search(text)
        if m and m.group("codes"):
            # Extend an existing `# noqa: A, B`.
            codes_end = lines.line_start(line) + len(text[: m.end("codes")].encode("utf-8", "surrogateescape"))
            return Edit.insert(codes_end, f", {code}")
        if m:
            return Edit.insert(end, "")  # bare noqa already silences everything
        return Edit.insert(end, f"  # noqa: {code}")
    # TS/JS: a comment on the line above, with the line's indentation.
    if line > 0:
        above = lines.line_text(line - 1).decode("utf-8", "surrogateescape")
        m = _TS.search(above)
        if m and m.group("kind") == "-next-line":
            insert_at = lines.line_start(line - 1) + len(above[: m.end("codes")].encode("utf-8", "surrogateescape"))
            sep = ", " if m.group("codes").strip() else " "
            return Edit.insert(insert_at, f"{sep}{code}")
    indent = text[: len(text) - len(text.lstrip())]
    newline = "\r\n" if b"\r\n" in source[:4096] else "\n"
    return Edit.insert(lines.line_start(line), f"{indent}// reviewlens-disable-next-line {code}{newline}")


def file_suppression_edit(source: bytes, grammar: str, code: str) -> Edit:
    lines = LineIndex(source)
    newline = "\r\n" if b"\r\n" in source[:4096] else "\n"
    at = 0
    # Keep a shebang (and a Python coding line) first.
    first = lines.line_text(0)
    if first.startswith(b"#!"):
        at = lines.line_end(0, include_newline=True)
        if grammar == "python" and lines.line_count > 1 and re.match(rb"#.*coding[:=]", lines.line_text(1)):
            at = lines.line_end(1, include_newline=True)
    elif grammar == "python" and re.match(rb"#.*coding[:=]", first):
        at = lines.line_end(0, include_newline=True)
    if at == len(source) and source and not source.endswith((b"\n", b"\r")):
        prefix = newline
    else:
        prefix = ""
    if grammar == "python":
        m = _PY_FILE.search(source.decode("utf-8", "surrogateescape"))
        if m and m.group("codes"):
            pos = len(source.decode("utf-8", "surrogateescape")[: m.end("codes")].encode("utf-8", "surrogateescape"))
            return Edit.insert(pos, f", {code}")
        return Edit.insert(at, f"{prefix}# reviewlens: noqa: {code}{newline}")
    return Edit.insert(at, f"{prefix}/* reviewlens-disable {code} */{newline}")
