"""Value types shared by the engine, the CLI and the language server."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


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


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace source bytes [start, end) with `text` (UTF-8 when encoded)."""

    start: int
    end: int
    text: str

    @classmethod
    def insert(cls, at: int, text: str) -> "Edit":
        return cls(at, at, text)

    @classmethod
    def delete(cls, start: int, end: int) -> "Edit":
        return cls(start, end, "")


@dataclass(frozen=True, slots=True)
class Fix:
    title: str
    edits: tuple[Edit, ...]
    applicability: Applicability

    def __post_init__(self) -> None:
        ordered = tuple(sorted(self.edits, key=lambda e: (e.start, e.end)))
        for a, b in zip(ordered, ordered[1:]):
            if b.start < a.end:
                raise ValueError(f"fix {self.title!r} has overlapping edits {a} and {b}")
        object.__setattr__(self, "edits", ordered)

    @property
    def start(self) -> int:
        return self.edits[0].start

    @property
    def end(self) -> int:
        return max(e.end for e in self.edits)


@dataclass(slots=True)
class Finding:
    """One reported problem. Ranges are byte offsets into the analysed source."""

    code: str
    name: str
    message: str
    severity: Severity
    start: int
    end: int
    fix: Fix | None = None
    # Further fixes a user may pick in the editor (ESLint's suggestions); never batch-applied.
    alternatives: tuple[Fix, ...] = ()
    deprecated: bool = False  # LSP tag: the flagged construct is deprecated API
    unnecessary: bool = False  # LSP tag: dead code
    extra: dict = field(default_factory=dict)

    def sort_key(self) -> tuple:
        return (self.start, self.end, self.code)
