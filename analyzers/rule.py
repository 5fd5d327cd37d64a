"""The Rule base class: one subclass per rule per language, one file each.

A rule declares its metadata as class attributes and its documentation as the class
docstring, in the fixed sections listed in DOC_SECTIONS. Matching is done by the rule's
tree-sitter `query` (merged with every other rule's into one query per grammar by the
engine); `on_match` receives the captures of each match and applies the semantic checks
that a query cannot express. `finish` runs once per file after all matches, for rules
that need to see the whole file before reporting.
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING, Any, Callable, ClassVar

from tree_sitter import Node

from .anchors import SHORT_WORD, WORD_BYTES, compile_anchor, short_word_regex, whole_words
from .model import Applicability, Edit, Finding, Fix, FixAvailability, Severity

if TYPE_CHECKING:
    from .context import FileContext

DOC_SECTIONS = ("What it does", "Why is this bad?", "Example", "Use instead", "Fix safety")
OPTIONAL_DOC_SECTIONS = ("Options",)
CODE_RE = re.compile(r"^RL[1-9][0-9]{2}$")
NAME_RE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
DOCS_URL = "https://github.com/reviewlens/reviewlens/blob/main/docs/rules.md#{anchor}"


def docs_url(code: str, name: str) -> str:
    return DOCS_URL.format(anchor=f"{code.lower()}-{name}")


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
    # A NECESSARY condition on a file's text for this rule to report anything in it: a
    # regular expression searched in the source bytes (or a tuple of them that must all
    # match). The engine does not instantiate the rule for a file that fails it, and runs
    # no query at all when no rule is left. Keep it necessary, never merely likely: count
    # aliases (`import subprocess as sp` still spells "subprocess"), builtins reached
    # without an import, and case (`(?i:...)` for credential words). The engine finds
    # the literals a match must start with by a plain substring search: an alternation
    # of nothing but literals is decided by the first one found (put the commonest
    # first), any other expression runs only from the earliest literal found.
    # A rule whose options add names overrides `prefilter` to include them; one whose
    # condition no regular expression checks fast (an empty block after `catch`) passes
    # `compile_prefilter` a `check` function as well.
    requires: ClassVar[str | tuple[str, ...] | None] = None
    # Where this rule's query matches can matter (analyzers/anchors.py): a regular
    # expression such that every match that can affect the rule's findings intersects
    # an occurrence of it (a word its predicates name, the keyword of the statement its
    # pattern is rooted at). With anchors for every rule it runs, the engine matches only
    # around their occurrences instead of walking the whole tree. None: anywhere. A rule
    # whose anchors depend on the file overrides `anchor_spans`.
    anchor: ClassVar[str | None] = None

    def __init__(self, ctx: "FileContext", options: dict[str, Any] | None = None) -> None:
        self.ctx = ctx
        self.opts = {**self.options, **(options or {})}

    @classmethod
    def prefilter(cls, options: dict[str, Any] | None = None) -> "Prefilter | None":
        """The compiled `requires` (None: the rule may report in any file). `options` are
        the rule's options from the config (only set keys), for rules whose options
        extend what they look for."""
        return compile_prefilter(cls.requires)

    def anchor_spans(self, memo: dict) -> list[tuple[int, int]] | None:
        """Byte spans of the source such that every match of this rule's query that can
        affect its findings intersects one; None when they can be anywhere. `memo` is the
        prefilters' per-file memo (literal positions)."""
        anchor = compile_anchor(self.anchor)
        return None if anchor is None else anchor.spans(self.ctx.source, memo)

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
        import inspect  # (~4 ms to import: only the docs views need it)

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
        return docs_url(cls.code, cls.name)


# --- text prefilters ---------------------------------------------------------------------
try:  # the regex parser, to find the literals every match starts with
    from re import _constants as _sre_c, _parser as _sre_p
except ImportError:  # pragma: no cover - Python < 3.11
    import sre_constants as _sre_c  # type: ignore[no-redef]
    import sre_parse as _sre_p  # type: ignore[no-redef]

_MAX_PREFIXES = 64
_MAX_CLASS = 8
# Whole-word terms with a word under 3 letters are searched by one regex past this many words.
_MAX_FIND_WORDS = 8


def _prefixes(items, ci: bool) -> tuple[list[tuple[bytes, bool]], bool]:
    """(prefixes, exact) of a parsed regex sequence: every match starts with one of the
    literal `prefixes` (each with its case-insensitivity); `exact` when the sequence is
    nothing but those literals, so that finding one is a match."""
    out: list[tuple[bytes, bool]] = [(b"", ci)]
    exact = True
    started = False
    for op, av in items:
        if op is _sre_c.AT and not started:
            exact = False  # a leading `\b`: zero-width, the match still starts at the literal
            continue
        if op is _sre_c.LITERAL:
            out = [(p + bytes([av]), c) for p, c in out]
            started = True
            continue
        if op is _sre_c.SUBPATTERN:
            _group, add, delete, sub = av
            sub_ci = bool((ci or add & _sre_c.SRE_FLAG_IGNORECASE) and not delete & _sre_c.SRE_FLAG_IGNORECASE)
            alts = [_prefixes(sub, sub_ci)]
        elif op is _sre_c.BRANCH:
            alts = [_prefixes(alt, ci) for alt in av[1]]
        elif op is _sre_c.IN and 0 < len(av) <= _MAX_CLASS and all(o is _sre_c.LITERAL for o, _ in av):
            # A small class of plain characters (`gh[pousr]_`): one literal per character.
            alts = [([(bytes([c]), ci)], True) for _, c in av]
        else:
            return out, False
        if any(not p for prefixes, _ in alts for p, _ in prefixes):
            return out, False  # an alternative with no literal start
        combined = [(p + q, c or d) for p, c in out for prefixes, _ in alts for q, d in prefixes]
        if len(combined) > _MAX_PREFIXES:
            return out, False
        out = combined
        started = True
        if not all(e for _, e in alts):
            return out, False
    return out, exact


def _whole_word_at(source: bytes, word: bytes) -> int:
    r"""Offset of the first occurrence of `word` with no word character on either side
    (what `\bword\b` matches in a bytes pattern), or -1."""
    n = len(word)
    if n <= SHORT_WORD:
        m = short_word_regex(word).search(source)
        return m.start() if m is not None else -1
    end = len(source)
    at = source.find(word)
    while at >= 0:
        if (at == 0 or source[at - 1] not in WORD_BYTES) and (at + n == end or source[at + n] not in WORD_BYTES):
            return at
        at = source.find(word, at + 1)
    return -1


def _common_part(words: tuple[bytes, ...]) -> bytes | None:
    """The longest run of bytes every word holds, if it has at least 3 (shorter ones are
    in nearly every file) and there is more than one word."""
    if len(words) < 2:
        return None
    shortest = min(words, key=len)
    for size in range(len(shortest), 2, -1):
        for at in range(len(shortest) - size + 1):
            part = shortest[at:at + size]
            if all(part in w for w in words):
                return part
    return None


class _Term:
    """One regular expression of a prefilter, with the literals its matches start with."""

    __slots__ = ("regex", "literals", "exact", "words", "common")

    def __init__(self, pattern: str) -> None:
        self.regex = re.compile(pattern.encode("utf-8"))
        self.literals: tuple[tuple[bytes, bool], ...] | None = None
        self.exact = False
        # `\bword\b` and `\b(?:one|two)\b`: whole words, checked at each occurrence.
        self.words = whole_words(pattern)
        # A part all the words spell (`_id` of user_id|owner_id|account_id): a file
        # without it holds none of them, found by one scan instead of one per word.
        self.common = _common_part(self.words) if self.words else None
        if self.words and len(self.words) > _MAX_FIND_WORDS and min(len(w) for w in self.words) < 3:
            # A short word (`os`, `io`) occurs inside countless identifiers: among many
            # words, checking each occurrence in Python costs more than one regex search
            # (RL201's 23 words: 33 ms against 25 ms on the corpus' 617 async files). With
            # few words the regex is the slower one: `re` has no fast literal scan for an
            # alternation after `\b` (RL307's 4 words: 60 ms against 15 ms, 1,358 files).
            self.words = None
            return
        if self.words:
            return
        try:
            parsed = _sre_p.parse(pattern.encode("utf-8"))
            prefixes, exact = _prefixes(list(parsed), bool(parsed.state.flags & _sre_c.SRE_FLAG_IGNORECASE))
        except Exception:  # an expression the parser helper does not follow: search it whole
            return
        if prefixes and all(p for p, _ in prefixes):
            # Lower-case literals are searched in the lower-cased source (same offsets).
            self.literals = tuple(dict.fromkeys((p.lower() if c else p, c) for p, c in prefixes))
            self.exact = exact

    def search(self, source: bytes, memo: dict) -> bool:
        if self.words is not None:
            common = self.common
            if common is not None:
                key = (common, "in")
                present = memo.get(key)
                if present is None:
                    present = memo[key] = common in source
                if not present:
                    return False
            for word in self.words:
                key = (word, "w")
                at = memo.get(key)
                if at is None:
                    at = memo[key] = _whole_word_at(source, word)
                if at >= 0:
                    return True
            return False
        literals = self.literals
        if literals is None:
            return self.regex.search(source) is not None
        first = -1
        for key in literals:
            at = memo.get(key)
            if at is None:
                if key[1]:
                    lowered = memo.get(None)
                    if lowered is None:
                        lowered = memo[None] = source.lower()
                    at = lowered.find(key[0])
                else:
                    at = source.find(key[0])
                memo[key] = at
            if at >= 0:
                if self.exact:
                    return True
                if first < 0 or at < first:
                    first = at
        if first < 0:
            return False
        # Every match starts at an occurrence of a literal: none before the first one.
        return self.regex.search(source, first) is not None


class Prefilter:
    """Compiled `Rule.requires`: `matches(source, memo)` is False only for a file in which
    the rule cannot report. `memo` is one dict per file shared by every rule's prefilter
    (literal positions and the lower-cased source are computed once). `check`, when set,
    is one more necessary condition, `check(source, memo) -> bool`, run after the terms
    pass: a scan no regular expression does fast enough (an empty block after a `catch`)."""

    __slots__ = ("terms", "patterns", "check")

    def __init__(self, patterns: tuple[str, ...], check: Callable[[bytes, dict], bool] | None = None) -> None:
        self.patterns = patterns
        self.terms = tuple(_term(p) for p in patterns)
        self.check = check

    def matches(self, source: bytes, memo: dict | None = None) -> bool:
        if memo is None:
            memo = {}
        for term in self.terms:
            # Terms are shared by the rules that spell them alike (`\bexcept\b`): each is
            # searched once per file.
            found = memo.get(term)
            if found is None:
                found = memo[term] = term.search(source, memo)
            if not found:
                return False
        return self.check is None or self.check(source, memo)

    def __repr__(self) -> str:
        check = f", {self.check.__name__}" if self.check is not None else ""
        return f"Prefilter({self.patterns!r}{check})"


@functools.lru_cache(maxsize=1024)
def _term(pattern: str) -> _Term:
    return _Term(pattern)


@functools.lru_cache(maxsize=512)
def compile_prefilter(
    requires: str | tuple[str, ...] | None, check: Callable[[bytes, dict], bool] | None = None
) -> Prefilter | None:
    if not requires:
        return None
    return Prefilter((requires,) if isinstance(requires, str) else tuple(requires), check)
