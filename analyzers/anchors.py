"""Anchors: where in a file a rule's query matches can matter, so that the engine matches
only there instead of walking the whole tree.

A rule's `anchor` is a regular expression such that every match of the rule's query that
can affect its findings intersects an occurrence of it in the source (the word a query
predicate names, the keyword of the statement a pattern is rooted at). The engine takes
the occurrences of the anchors of every rule it runs on a file, merges them into a few
byte ranges and runs the combined query over those ranges only
(`QueryCursor.set_byte_range` returns every match that intersects the range, captures
outside it included). Rules receive the matches of the ranges: all the matches that
intersect their anchors, and possibly other ones, which by the contract have no effect.

A tree-sitter query walk costs about a third of parsing the same tree; the anchors of
most files cover a small part of them. tests/test_prefilter.py and
tests/test_prefilter_soundness.py check that findings are the same with anchors (and
prefilters) on and off; REVIEWLENS_NO_ANCHORS=1 switches them off.
"""

from __future__ import annotations

import functools
import itertools
import re

from tree_sitter import Node, Query, QueryCursor

# `\bword\b` and `\b(?:one|two)\b` (ASCII words): found by substring search, much faster
# than `re` over an alternation (a leading `\b` gets no fast literal search from `re`).
_WHOLE_WORDS = re.compile(r"^\\b(?:([A-Za-z0-9_]+)|\(\?:([A-Za-z0-9_]+(?:\|[A-Za-z0-9_]+)*)\))\\b$")


def whole_words(pattern: str) -> tuple[bytes, ...] | None:
    r"""The words of a `\bword\b` / `\b(?:one|two)\b` expression; None for any other."""
    whole = _WHOLE_WORDS.match(pattern)
    return tuple(w.encode() for w in (whole.group(1) or whole.group(2)).split("|")) if whole else None


# The bytes of an ASCII identifier: what `\b` separates in a bytes pattern (shared by
# every whole-word scan of the engine and the rules).
WORD_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
# Ranges closer than this are matched as one: a cursor run costs a few microseconds,
# about what matching this many bytes of tree costs.
MERGE_GAP = 128

# Past this many occurrences in a file (a generated table, minified code), collecting
# and sorting them costs more than walking the tree: the engine walks it whole.
MAX_SPANS = 20_000

Span = tuple[int, int]


class TooManySpans(Exception):
    """More than MAX_SPANS occurrences: match the whole tree instead."""


class Anchor:
    """A compiled `Rule.anchor`: `spans(source, memo)` gives every occurrence."""

    __slots__ = ("pattern", "regex", "words")

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self.words = whole_words(pattern)
        self.regex: re.Pattern[bytes] | None = None if self.words else re.compile(pattern.encode("utf-8"))

    def spans(self, source: bytes, memo: dict | None = None) -> list[Span]:
        if self.words is None:
            out = []
            for m in self.regex.finditer(source):
                if m.end() > m.start():
                    out.append(m.span())
                    if len(out) > MAX_SPANS:
                        raise TooManySpans(self.pattern)
            return out
        out = []
        for word in self.words:
            out.extend(word_spans(source, word, memo))
        return out

    def __repr__(self) -> str:
        return f"Anchor({self.pattern!r})"


@functools.lru_cache(maxsize=512)
def compile_anchor(pattern: str | None) -> Anchor | None:
    return Anchor(pattern) if pattern else None


# Words this short occur inside countless identifiers (`os` in `pos`, `log` in `login`):
# a regex that starts with the word (`re` then scans for it in C) and looks behind for a
# word character checks each occurrence faster than a Python loop over `find` (2-3x on
# the benchmark corpus); from five letters on, `find`'s own scan is the faster one.
SHORT_WORD = 4


@functools.cache
def short_word_regex(word: bytes) -> re.Pattern:
    r"""`\bword\b` for a word of word characters, spelled so that `re` scans for the word."""
    w = re.escape(word)
    return re.compile(w + rb"(?!\w)(?<!\w" + w + rb")")


def word_spans(source: bytes, word: bytes, memo: dict | None = None) -> list[Span]:
    """Every occurrence of `word` with no word character on either side. `memo` is the
    prefilters' per-file memo: where it already knows the first whole-word occurrence
    (or that there is none), the search starts there."""
    n = len(word)
    end = len(source)
    at = memo.get((word, "w")) if memo is not None else None
    if n <= SHORT_WORD:
        if at is not None and at < 0:
            return []
        out = [m.span() for m in itertools.islice(short_word_regex(word).finditer(source, at or 0), MAX_SPANS + 1)]
        if len(out) > MAX_SPANS:
            raise TooManySpans(word.decode("latin-1"))
        return out
    if at is None:
        at = source.find(word)
    out: list[Span] = []
    while at >= 0:
        if (at == 0 or source[at - 1] not in WORD_BYTES) and (at + n == end or source[at + n] not in WORD_BYTES):
            out.append((at, at + n))
            if len(out) > MAX_SPANS:
                raise TooManySpans(word.decode("latin-1"))
        at = source.find(word, at + n)
    return out


def substring_spans(source: bytes, needles: tuple[bytes, ...], memo: dict | None = None, *, ignore_case: bool = False) -> list[Span]:
    """Every occurrence of each of `needles` (lower-case ones with `ignore_case`, found in
    the lower-cased source the prefilters keep in `memo`)."""
    if ignore_case:
        lowered = memo.get(None) if memo is not None else None
        if lowered is None:
            lowered = source.lower()
            if memo is not None:
                memo[None] = lowered
        source = lowered
    out: list[Span] = []
    for needle in needles:
        n = len(needle)
        at = source.find(needle)
        while at >= 0:
            out.append((at, at + n))
            if len(out) > MAX_SPANS:
                raise TooManySpans(needle.decode("latin-1"))
            at = source.find(needle, at + n)
    return out


def merge(spans: list[Span], gap: int = MERGE_GAP) -> list[Span]:
    """Sorted, non-overlapping ranges covering `spans`; neighbours closer than `gap` joined."""
    if not spans:
        return []
    spans = sorted(spans)
    out = [list(spans[0])]
    for start, end in spans[1:]:
        last = out[-1]
        if start <= last[1] + gap:
            if end > last[1]:
                last[1] = end
        else:
            out.append([start, end])
    return [(a, b) for a, b in out]


def _key(pattern: int, captures: dict[str, list[Node]]) -> tuple:
    # Node ids identify nodes within one tree; a match's captures come in pattern order.
    return (pattern, *(n.id for nodes in captures.values() for n in nodes))


def ranged_matches(query: Query, root: Node, ranges: list[Span]) -> list[tuple[int, dict[str, list[Node]]]]:
    """`QueryCursor(query).matches(root)` restricted to the matches that intersect one of
    `ranges` (sorted, disjoint), each once, in range order."""
    cursor = QueryCursor(query)
    if len(ranges) == 1:
        cursor.set_byte_range(*ranges[0])
        return cursor.matches(root)
    out: list = []
    seen: set[tuple] = set()
    for start, end in ranges:
        cursor.set_byte_range(start, end)
        for pattern, captures in cursor.matches(root):
            # A match spanning two ranges is found in both (its pattern's root node, which
            # need not be captured, may be what spans them): keep the first.
            key = _key(pattern, captures)
            if key not in seen:
                seen.add(key)
                out.append((pattern, captures))
    return out
