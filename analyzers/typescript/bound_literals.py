"""Where a string literal may be bound to a secret-looking name, found from the text alone:
the anchors of RL301 (TypeScript), so that a file with secret words but no literal bound
to one is checked without being parsed.

Every RL301 pattern ends in a string or template literal that follows, with only
whitespace and comments between, one of four operators:

- `??` / `||`: a fallback (`process.env.TOKEN ?? "dev"`), judged by the name it is
  bound to elsewhere: always a candidate;
- `:`: an object key (`apiKey: "..."`, `"x-api-key": "..."`) or a literal type; the key
  or name stands right before the colon;
- `=`: a variable, field, parameter, destructuring default or assignment. The name stands
  before the `=`, possibly with a type annotation between (`token: string = "..."`). A
  type holds no bare `=` (only `=>`), so the name lies after the previous bare `=`.

A literal is a candidate when one of the secret words occurs in that stretch before its
operator. The stretches are supersets of the name (the test suite checks that every
finding survives, on the fixtures and on the prefilter soundness cases). What is not
followed: a key split from its colon by a comment holding `,;{}()[]`, and a type
annotation holding a string with `=` in it.
"""

from __future__ import annotations

import functools
import re

from ..anchors import MAX_SPANS, Span, TooManySpans

# An operator's last character, then whitespace and comments, then the opening quote of a
# literal. One character class first: the regex engine skips ahead to it in C (~4x faster
# than spelling the operators out). The quantifiers are possessive: a line with many `//`
# (a URL after `:`) must not backtrack.
_BOUND = re.compile(rb"[=:?|][ \t\r\n]*+(?:(?:/\*.*?\*/|//[^\n]*+)[ \t\r\n]*+)*+[\"'`]", re.S)
# What ends the stretch before a colon: a key holds none of these (outside a string).
_KEY_STOPS = b",;{}()[]"


@functools.lru_cache(maxsize=8)
def _words_regex(words: tuple[bytes, ...]) -> re.Pattern[bytes]:
    return re.compile(b"|".join(re.escape(w) for w in words))


def bound_literal_spans(lowered: bytes, words: tuple[bytes, ...]) -> list[Span]:
    """Spans (at the operator) of every literal bound, as far as the text tells, to a
    name holding one of `words` (lower-case; `lowered` is the lower-cased source), plus
    every `??` / `||` fallback to a literal."""
    has_word = _words_regex(words).search
    out: list[Span] = []
    search = _BOUND.search
    pos = 0
    while (m := search(lowered, pos)) is not None:
        # Overlapping: what looks like a comment after an operator may be in a string
        # (`"https://..."`), with real operators inside the stretch it took.
        op_at = pos = m.start()
        pos += 1
        op = lowered[op_at:op_at + 1]
        if op == b"=":
            if lowered[op_at - 1:op_at] in (b"=", b"!", b"<"):
                continue  # `==`, `!=`, `<=`: a comparison, not a binding (`>=` may end a type)
            if not has_word(lowered, _previous_bare_equals(lowered, op_at) + 1, op_at):
                continue
        elif op == b":":
            if not has_word(lowered, _key_start(lowered, op_at), op_at):
                continue
        elif lowered[op_at - 1:op_at] == op:  # `??`, `||`: a fallback
            op_at -= 1
        else:
            continue  # `a ? "x" : y`, `a | "x"`: a conditional, a union type
        out.append((op_at, op_at + 2))  # the operator: inside the root node of the match
        if len(out) > MAX_SPANS:
            raise TooManySpans("bound literals")
    return out


def _previous_bare_equals(source: bytes, before: int) -> int:
    """Offset of the last `=` before `before` that is not part of `==`, `!=`, `<=`, `>=`
    or `=>` (a type can hold `=>`; stopping later than needed only widens the stretch);
    -1 when there is none."""
    at = source.rfind(b"=", 0, before)
    while at >= 0:
        prev = source[at - 1:at]
        nxt = source[at + 1:at + 2]
        if nxt not in (b"=", b">") and prev not in (b"=", b"!", b"<", b">"):
            return at
        at = source.rfind(b"=", 0, at)
    return -1


def _key_start(source: bytes, colon: int) -> int:
    """Where the key (or name) before `colon` starts at the latest: after the last of
    _KEY_STOPS, or at the opening quote of a string key that holds one of them."""
    end = colon
    while end > 0 and source[end - 1] in b" \t\r\n?":
        end -= 1
    if end > 0 and source[end - 1] in b"\"'`":
        quote = source[end - 1:end]
        at = source.rfind(quote, 0, end - 1)
        while at > 0 and source[at - 1] == 0x5C:  # an escaped quote: the string goes on
            at = source.rfind(quote, 0, at)
        if at >= 0:
            return at
    start = colon
    while start > 0 and source[start - 1] not in _KEY_STOPS:
        start -= 1
    return start
