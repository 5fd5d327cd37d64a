"""`--output-format github`: GitHub Actions workflow commands, one per finding.

`::warning file=app/main.py,line=3,col=5,endLine=3,endColumn=15,title=RL101 debug-print::message`
Property values and messages are escaped as the Actions runner expects.
"""

from __future__ import annotations

from ..results import Diagnostic, Notice

LEVEL = {"error": "error", "warning": "warning", "info": "notice"}


def _escape_data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(s: str) -> str:
    return _escape_data(s).replace(":", "%3A").replace(",", "%2C")


def annotation(d: Diagnostic) -> str:
    props = ",".join([
        f"file={_escape_property(d.path)}",
        f"line={d.start.line}",
        f"col={d.start.column}",
        f"endLine={d.end.line}",
        f"endColumn={d.end.column}",
        f"title={_escape_property(f'{d.code} {d.name}')}",
    ])
    return f"::{LEVEL.get(d.severity, 'warning')} {props}::{_escape_data(d.message)}"


def notice_annotation(n: Notice) -> str:
    level = "error" if n.fatal else "warning"
    return f"::{level} file={_escape_property(n.path)},title=reviewlens::{_escape_data(n.message)}"
