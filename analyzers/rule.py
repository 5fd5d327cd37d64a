"""The Rule base class: one subclass per rule per language, one file each.

A rule declares its metadata as class attributes and its documentation as the class
docstring, in the fixed sections listed in DOC_SECTIONS. Matching is done by the rule's
tree-sitter `query` (merged with every other rule's into one query per grammar by the
engine); `on_match` receives the captures of each match and applies the semantic checks
that a query cannot express. `finish` runs once per file after all matches, for rules
that need to see the whole file before reporting.
"""

from __future__ import annotations

import inspect
import re
from typing import TYPE_CHECKING, Any, ClassVar

from tree_sitter import Node

from .model import Applicability, Edit, Finding, Fix, FixAvailability, Severity

if TYPE_CHECKING:
    from .context import FileContext

DOC_SECTIONS = ("What it does", "Why is this bad?", "Example", "Use instead", "Fix safety")
OPTIONAL_DOC_SECTIONS = ("Options",)
CODE_RE = re.compile(r"^RL[1-9][0-9]{2}$")
NAME_RE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
DOCS_URL = "https://github.com/reviewlens/reviewlens/blob/main/docs/rules.md#{anchor}"

Captures = dict[str, list[Node]]


class Rule:
    code: ClassVar[str]
    name: ClassVar[str]
    language: ClassVar[str]  # languages.PYTHON or languages.TYPESCRIPT
    severity: ClassVar[Severity]
    fix_availability: ClassVar[FixAvailability] = FixAvailability.NONE
    # Whether the catalog's default exempt paths (tests, scripts) switch this rule off.
    exempt_paths: ClassVar[bool] = False
    # Diagnostic tags for the language server.
    deprecated: ClassVar[bool] = False
    messages: ClassVar[dict[str, str]] = {}
    query: ClassVar[str] = ""
    # Option name (kebab-case) -> default value; users set them in config.
    options: ClassVar[dict[str, Any]] = {}

    def __init__(self, ctx: "FileContext", options: dict[str, Any] | None = None) -> None:
        self.ctx = ctx
        self.opts = {**self.options, **(options or {})}

    # --- hooks -----------------------------------------------------------------------
    def on_match(self, captures: Captures, pattern: int) -> None:
        """Called for every match of one of this rule's query patterns (index local to the rule)."""

    def finish(self) -> None:
        """Called once per file after every match was dispatched."""

    # --- reporting -------------------------------------------------------------------
    def report(
        self,
        target: Node | tuple[int, int],
        message_id: str = "default",
        fix: Fix | None = None,
        alternatives: tuple[Fix, ...] = (),
        **data: Any,
    ) -> Finding:
        start, end = (target.start_byte, target.end_byte) if isinstance(target, Node) else target
        template = self.messages[message_id]
        finding = Finding(
            code=self.code,
            name=self.name,
            message=template.format(**data),
            severity=self.severity,
            start=start,
            end=end,
            fix=fix,
            alternatives=tuple(a for a in alternatives if a is not None),
            deprecated=self.deprecated,
        )
        self.ctx.add_finding(finding)
        return finding

    @staticmethod
    def make_fix(title: str, edits: list[Edit] | tuple[Edit, ...], applicability: Applicability) -> Fix:
        return Fix(title, tuple(edits), applicability)

    # --- documentation ---------------------------------------------------------------
    @classmethod
    def docs(cls) -> str:
        return inspect.cleandoc(cls.__doc__ or "")

    @classmethod
    def doc_sections(cls) -> dict[str, str]:
        sections: dict[str, str] = {}
        current = None
        for line in cls.docs().splitlines():
            m = re.match(r"^## (.+?)\s*$", line)
            if m:
                current = m.group(1)
                sections[current] = ""
            elif current is not None:
                sections[current] += line + "\n"
        return {k: v.strip() for k, v in sections.items()}

    @classmethod
    def summary(cls) -> str:
        what = cls.doc_sections().get("What it does", "")
        first = what.split("\n\n")[0].replace("\n", " ")
        return first

    @classmethod
    def docs_url(cls) -> str:
        return DOCS_URL.format(anchor=f"{cls.code.lower()}-{cls.name}")
