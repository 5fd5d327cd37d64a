"""Matching outside the combined query, for rules whose every finding needs a rare word.

The combined query of a grammar is compiled once per process, and tree-sitter's pattern
analysis makes every `call_expression` / `member_expression` step of a TypeScript pattern
cost ~2.5 ms to compile (per grammar); its text predicates (`#match?`, `#eq?`,
`#any-of?`) are evaluated by py-tree-sitter in Python for every candidate node of every
file. A rule whose findings all need a word that few files contain (`localStorage`,
`child_process`, `...Sync`) pays both in every file for nothing. Such a rule keeps its
`on_match` but is fed from `finish()`:

* `word_nodes`: the leaves spelling a word, found by a regex over the source and
  `descendant_for_byte_range` (no query at all), for patterns simple enough to check by
  hand;
* `gated_matches`: the rule's own query, compiled lazily the first time a file passes
  the text gate, run only over such files.

Both hand `on_match` exactly what the combined query would: the same nodes under the
same capture names, in document order, and drop the matches the engine would drop as
unsound in a file with syntax errors. (One difference: an exception in `on_match` called
from `finish()` ends that rule's matching in the file, where the engine would go on with
the next match; the engine records the crash either way.)
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Iterator

from tree_sitter import Node, Query, QueryCursor

from ..context import FileContext
from ..languages import language
from ..soundness import error_ranges, unsound

Captures = dict[str, list[Node]]


@functools.cache
def compiled(grammar: str, source: str) -> Query:
    return Query(language(grammar), source)


def _sound(ctx: FileContext) -> Callable[[Captures], bool]:
    """A predicate on captures: False for a match the engine would not dispatch."""
    key = "gated.error_ranges"
    errors = ctx.cache.get(key)
    if errors is None:
        errors = ctx.cache[key] = error_ranges(ctx.tree)
    if not errors:
        return lambda captures: True
    return lambda captures: not unsound(captures)


def gated_matches(ctx: FileContext, source: str) -> list[tuple[int, Captures]]:
    """The sound matches of `source` (a rule's own query) over the file, in the order
    `QueryCursor.matches` gives them."""
    matches = QueryCursor(compiled(ctx.grammar, source)).matches(ctx.tree.root_node)
    sound = _sound(ctx)
    return [(p, c) for p, c in matches if sound(c)]


def sound_filter(ctx: FileContext, matches: Iterable[tuple[int, Captures]]) -> Iterator[tuple[int, Captures]]:
    sound = _sound(ctx)
    return ((p, c) for p, c in matches if sound(c))


def mentions(ctx: FileContext, *words: bytes, ignore_case: bool = False) -> bool:
    """Whether the source contains one of `words` (lower-case words with `ignore_case`):
    plain substring searches, much faster than a case-insensitive regex."""
    source = lower_source(ctx) if ignore_case else ctx.source
    return any(w in source for w in words)


def lower_source(ctx: FileContext) -> bytes:
    """The source in lower case (ASCII letters; same offsets), computed once per file."""
    low = ctx.cache.get("gated.lower")
    if low is None:
        low = ctx.cache["gated.lower"] = ctx.source.lower()
    return low


def word_nodes(ctx: FileContext, pattern: re.Pattern[bytes], types: frozenset[str], *, whole: bool = True) -> Iterator[Node]:
    """Leaves of one of `types` at the hits of `pattern` (bytes) in the source, in document
    order, each once. `whole`: the leaf spans exactly the hit (`#eq?`, `#any-of?`);
    otherwise it ends where the hit ends (`#match? "...$"`)."""
    root = ctx.tree.root_node
    last = -1
    for m in pattern.finditer(ctx.source):
        start, end = m.span()
        if start == end:
            continue
        node = root.descendant_for_byte_range(start, end)
        if node is None or node.type not in types or node.end_byte != end:
            continue
        if whole and node.start_byte != start:
            continue
        if node.start_byte <= last:
            continue
        last = node.start_byte
        yield node
