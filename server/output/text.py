"""Human output: `path:line:col: CODE message`, then the source line with a caret underline.

Colour only when the stream is a terminal (rich decides; NO_COLOR / FORCE_COLOR are honoured).
Columns are 1-based and count characters; the underline is aligned by display cells, so tabs,
CJK and emoji lines still point at the right place.
"""

from __future__ import annotations

from typing import TextIO

from rich.cells import cell_len
from rich.console import Console
from rich.text import Text

from ..runner import Diagnostic

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


def render_diagnostic(d: Diagnostic, *, show_source: bool = True) -> Text:
    t = Text()
    t.append(d.path, style="bold")
    t.append(f":{d.start.line}:{d.start.column}: ", style="dim")
    t.append(d.code, style=SEVERITY_STYLE.get(d.severity, "bold"))
    t.append(" ")
    if d.fix_applicable:
        t.append("[*] ", style="cyan")
    t.append(d.message)
    if not show_source or not d.source_lines:
        return t
    gutter = len(str(d.end.line if len(d.source_lines) > 1 else d.start.line))
    first = d.source_lines[0].rstrip("\r\n")
    multiline = d.end.line > d.start.line
    t.append("\n")
    t.append(f"{d.start.line:>{gutter}} | ", style="blue")
    t.append(_expand(first))
    pad, width = _caret_line(first, d.start.column, None if multiline else d.end.column)
    t.append("\n")
    t.append(f"{'':>{gutter}} | ", style="blue")
    t.append(" " * pad + "^" * width, style=SEVERITY_STYLE.get(d.severity, "bold"))
    if multiline:
        if len(d.source_lines) > 1:
            last_line_no = d.end.line if d.end.column > 1 else d.end.line - 1
            if last_line_no > d.start.line + 1:
                t.append("\n")
                t.append(f"{'':>{gutter}} | ...", style="blue")
            last = d.source_lines[-1].rstrip("\r\n")
            t.append("\n")
            t.append(f"{last_line_no:>{gutter}} | ", style="blue")
            t.append(_expand(last))
            end_col = d.end.column if last_line_no == d.end.line else len(last) + 1
            pad, width = _caret_line(last, 1, end_col)
            stripped = len(_expand(last)) - len(_expand(last).lstrip())
            t.append("\n")
            t.append(f"{'':>{gutter}} | ", style="blue")
            t.append(" " * stripped + "^" * max(1, pad + width - stripped), style=SEVERITY_STYLE.get(d.severity, "bold"))
    return t


class TextWriter:
    def __init__(self, stream: TextIO, *, color: bool | None = None) -> None:
        force = None if color is None else color
        self.console = Console(file=stream, highlight=False, soft_wrap=True, force_terminal=force,
                               no_color=(color is False) or None, emoji=False, markup=False)
        self.stream = stream
        self.color = self.console.is_terminal and not self.console.no_color if color is None else color

    def line(self, text: Text | str = "") -> None:
        if self.color:
            self.console.print(text)
        else:
            self.stream.write((text.plain if isinstance(text, Text) else text) + "\n")

    def diagnostics(self, diags: list[Diagnostic], *, show_source: bool = True) -> None:
        for d in diags:
            self.line(render_diagnostic(d, show_source=show_source))
            if show_source:
                self.line("")
