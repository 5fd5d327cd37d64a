"""Text conditions for TypeScript rules' prefilters that no regular expression checks
fast: each is a NECESSARY condition for its rule to report (see `Rule.requires`), decided
from the source bytes alone, so that a file failing it is never parsed for that rule.

tests/test_prefilter_soundness.py holds the adversarial cases (comments, odd spacing,
Unicode whitespace, unterminated blocks) that keep them necessary.
"""

from __future__ import annotations

import re

from ..anchors import TooManySpans, word_spans

# An empty block: braces around nothing but whitespace and `;` (empty statements). Bytes
# from 0x80 on count as whitespace too: JavaScript also skips NBSP, U+FEFF, U+2028...
_EMPTY_BLOCK = re.compile(rb"\{[\s;\x80-\xff]*\}")
_SKIPPED = frozenset(b" \t\r\n\f\v") | frozenset(range(0x80, 0x100))


def _previous(source: bytes, at: int) -> int:
    """The offset of the last byte before `at` that is not whitespace (-1: none)."""
    i = at - 1
    while i >= 0 and source[i] in _SKIPPED:
        i -= 1
    return i


def empty_block_after_header(source: bytes, memo: dict | None = None) -> bool:
    """Whether some empty block `{ }` follows, past whitespace, a `)` (`catch (e) {}`),
    the word `catch` (`catch {}`) or a comment (`catch (e) /* ignored */ {}`,
    `catch (e) // ignored` then `{}` on the next line): what an empty `catch` block
    looks like in the text, whatever its parameter. A regular expression anchored at
    `catch` cost ~20x this backward look on the benchmark corpus (68 ms against 3.5 ms),
    because `re` has no fast scan for an alternation."""
    for m in _EMPTY_BLOCK.finditer(source):
        i = _previous(source, m.start())
        if i < 0:
            continue
        last = source[i]
        if last == 0x29 or last == 0x2F:  # `)`, or `/` ending a `/* */` comment
            return True
        if source.endswith(b"catch", 0, i + 1):
            return True
        # A line comment (`//`, or HTML-like `<!--` / `-->` in scripts) ends the line the
        # previous text is on: the brace then follows a comment.
        line = source[source.rfind(b"\n", 0, i) + 1 : i + 1]
        if b"//" in line or b"<!--" in line or b"-->" in line:
            return True
    return False


# Where an error detail can reach the client (rules/typescript/error_detail_leak.py):
# module names its qualified names start with, response classes, Koa's `ctx.body = ...`,
# a server action.
_SINK_TEXTS = (b"Response", b"use server", b"@nestjs/", b"@trpc/server", b"hono/http-exception",
               b"@remix-run/", b"@sveltejs/kit", b"react-router", b"ctx.body", b"ctx.response.body")
# ...and the methods that answer a request, read as properties: `res.json(...)`,
# `reply.send(...)`, `res.status(500).end(...)`, `ctx.throw(...)`.
_SINK_METHODS = (b"json", b"send", b"end", b"write", b"jsonp", b"throw")


def mentions_response_sink(source: bytes, memo: dict | None = None) -> bool:
    """Whether the source spells something error_detail_leak reports through: a response
    class, a framework module whose errors or helpers answer the client, `use server`,
    or one of the response methods after a `.` (or a comment) as a whole word."""
    if any(text in source for text in _SINK_TEXTS):
        return True
    for method in _SINK_METHODS:
        try:
            spans = word_spans(source, method, memo)
        except TooManySpans:
            return True
        for start, _ in spans:
            i = _previous(source, start)
            if i >= 0 and source[i] in b"./":
                return True
    return False
