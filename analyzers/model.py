"""Value types shared by the engine, the CLI and the language server."""

from __future__ import annotations

import enum
from typing import Any

from .records import FrozenRecord, Record


class Severity(enum.IntEnum):
    """Ordered so that max() picks the most serious."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    @classmethod
    def parse(cls, text: str) -> "Severity":
        try:
            return {"info": cls.INFO, "hint": cls.INFO, "information": cls.INFO,
                    "warning": cls.WARNING, "warn": cls.WARNING, "error": cls.ERROR}[text.lower()]
        except KeyError:
            raise ValueError(f"unknown severity {text!r} (expected error, warning or info)") from None

    def __str__(self) -> str:  # "error", "warning", "info"
        return self.name.lower()


class Applicability(enum.IntEnum):
    """How much a fix can be trusted (ruff's model). Higher is safer."""

    DISPLAY_ONLY = 1  # shown to the user, never applied automatically
    UNSAFE = 2  # valid code, but behaviour may change: applied with --unsafe-fixes / by explicit choice
    SAFE = 3  # meaning kept: --fix and fix-all apply it

    def __str__(self) -> str:
        return self.name.lower().replace("_", "-")


class FixAvailability(enum.Enum):
    NONE = "none"
    SOMETIMES = "sometimes"
    ALWAYS = "always"


class Edit(FrozenRecord):
    """Replace source bytes [start, end) with `text` (UTF-8 when encoded)."""

    __slots__ = FIELDS = ("start", "end", "text")
    start: int
    end: int
    text: str

    def __init__(self, start: int, end: int, text: str) -> None:
        self._init(start=start, end=end, text=text)

    @classmethod
    def insert(cls, at: int, text: str) -> "Edit":
        return cls(at, at, text)

    @classmethod
    def delete(cls, start: int, end: int) -> "Edit":
        return cls(start, end, "")


class Fix(FrozenRecord):
    __slots__ = FIELDS = ("title", "edits", "applicability")
    title: str
    edits: tuple[Edit, ...]
    applicability: Applicability

    def __init__(self, title: str, edits: tuple[Edit, ...], applicability: Applicability) -> None:
        ordered = tuple(sorted(edits, key=lambda e: (e.start, e.end)))
        for a, b in zip(ordered, ordered[1:]):
            if b.start < a.end:
                raise ValueError(f"fix {title!r} has overlapping edits {a} and {b}")
        self._init(title=title, edits=ordered, applicability=applicability)

    @property
    def start(self) -> int:
        return self.edits[0].start

    @property
    def end(self) -> int:
        return max(e.end for e in self.edits)


class Finding(Record):
    """One reported problem. Ranges are byte offsets into the analysed source."""

    __slots__ = FIELDS = ("code", "name", "message", "severity", "start", "end", "fix", "alternatives", "deprecated",
                          "unnecessary", "extra")

    def __init__(self, code: str, name: str, message: str, severity: Severity, start: int, end: int,
                 fix: Fix | None = None, alternatives: tuple[Fix, ...] = (), deprecated: bool = False,
                 unnecessary: bool = False, extra: dict[str, Any] | None = None) -> None:
        self.code = code
        self.name = name
        self.message = message
        self.severity = severity
        self.start = start
        self.end = end
        self.fix = fix
        # Further fixes a user may pick in the editor (ESLint's suggestions); never batch-applied.
        self.alternatives = alternatives
        self.deprecated = deprecated  # LSP tag: the flagged construct is deprecated API
        self.unnecessary = unnecessary  # LSP tag: dead code
        self.extra = {} if extra is None else extra

    def sort_key(self) -> tuple:
        return (self.start, self.end, self.code)
