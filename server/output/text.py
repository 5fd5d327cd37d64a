"""Human output: `path:line:col: CODE message`, then the source line with a caret underline.

Colour only when the stream is a terminal (rich decides; NO_COLOR / FORCE_COLOR are honoured).
Columns are 1-based and count characters; the underline is aligned by display cells, so tabs,
CJK and emoji lines still point at the right place.
"""

from __future__ import annotations

import os
from typing import Any, Iterator, TextIO

from rich.cells import cell_len

from ..results import Diagnostic

SEVERITY_STYLE = {"error": "bold red", "warning": "bold yellow", "info": "bold cyan"}
TAB = 4


def _expand(line: str) -> str:
    return line.replace("\t", " " * TAB)


def _caret_line(line: str, start_col: int, end_col: int | None) -> tuple[int, int]:
    """(cells before the range, cells of the range) on `line` for 1-based char columns."""
    before = _expand(line[: start_col - 1])
    if end_col is None:
        span = _expand(line[start_col - 1 :])
    else:
        span = _expand(line[start_col - 1 : end_col - 1])
    return cell_len(before), max(1, cell_len(span))


def _segments(d: Diagnostic, show_source: bool) -> Iterator[tuple[str, str | None]]:
    """The diagnostic's text as (text, style) pieces: joined for plain output, styled by rich."""
    yield d.path, "bold"
    yield f":{d.start.line}:{d.start.column}: ", "dim"
    yield d.code, SEVERITY_STYLE.get(d.severity, "bold")
    yield " ", None
    if d.fix_applicable:
        yield "[*] ", "cyan"
    yield d.message, None
    if not show_source or not d.source_lines:
        return
    gutter = len(str(d.end.line if len(d.source_lines) > 1 else d.start.line))
    first = d.source_lines[0].rstrip("\r\n")
    multiline = d.end.line > d.start.line
    yield "\n", None
    yield f"{d.start.line:>{gutter}} | ", "blue"
    yield _expand(first), None
    pad, width = _caret_line(first, d.start.column, None if multiline else d.end.column)
    yield "\n", None
    yield f"{'':>{gutter}} | ", "blue"
    yield " " * pad + "^" * width, SEVERITY_STYLE.get(d.severity, "bold")
    if multiline:
        if len(d.source_lines) > 1:
            last_line_no = d.end.line if d.end.column > 1 else d.end.line - 1
            if last_line_no > d.start.line + 1:
                yield "\n", None
                yield f"{'':>{gutter}} | ...", "blue"
            last = d.source_lines[-1].rstrip("\r\n")
            yield "\n", None
            yield f"{last_line_no:>{gutter}} | ", "blue"
            yield _expand(last), None
            end_col = d.end.column if last_line_no == d.end.line else len(last) + 1
            pad, width = _caret_line(last, 1, end_col)
            stripped = len(_expand(last)) - len(_expand(last).lstrip())
            yield "\n", None
            yield f"{'':>{gutter}} | ", "blue"
            yield " " * stripped + "^" * max(1, pad + width - stripped), SEVERITY_STYLE.get(d.severity, "bold")


def render_plain(d: Diagnostic, *, show_source: bool = True) -> str:
    return "".join(text for text, _ in _segments(d, show_source))


def render_diagnostic(d: Diagnostic, *, show_source: bool = True):
    """A rich Text (imports rich's console machinery: only for coloured output)."""
    from rich.text import Text

    t = Text()
    for text, style in _segments(d, show_source):
        if style is None:
            t.append(text)
        else:
            t.append(text, style=style)
    return t


def _plainly_not_a_terminal(stream: TextIO) -> bool:
    """True when rich's Console would certainly not colour `stream` (so it need not be
    built): no TTY_COMPATIBLE / FORCE_COLOR override and the stream is not a terminal."""
    if "TTY_COMPATIBLE" in os.environ or "FORCE_COLOR" in os.environ:
        return False
    isatty = getattr(stream, "isatty", None)
    try:
        return isatty is None or not isatty()
    except ValueError:
        return True


class TextWriter:
    def __init__(self, stream: TextIO, *, color: bool | None = None) -> None:
        self.stream = stream
        self.console: Any = None
        if color is False or (color is None and _plainly_not_a_terminal(stream)):
            self.color = False  # plain text: rich's console is not even imported
            return
        from rich.console import Console

        force = None if color is None else color
        self.console = Console(file=stream, highlight=False, soft_wrap=True, force_terminal=force,
                               no_color=(color is False) or None, emoji=False, markup=False)
        self.color = self.console.is_terminal and not self.console.no_color if color is None else color

    def line(self, text: Any = "") -> None:
        if self.color:
            self.console.print(text)
        else:
            self.stream.write((text if isinstance(text, str) else text.plain) + "\n")

    def diagnostics(self, diags: list[Diagnostic], *, show_source: bool = True) -> None:
        for d in diags:
            if self.color:
                self.line(render_diagnostic(d, show_source=show_source))
            else:
                self.line(render_plain(d, show_source=show_source))
            if show_source:
                self.line("")
