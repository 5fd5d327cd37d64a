"""The text-only anchors of RL301 (TypeScript): literals bound to a secret-looking name.

The findings-level guarantee (same findings with the anchors on and off) is checked in
tests/test_prefilter_soundness.py; these cases pin down what is and is not a candidate."""

from __future__ import annotations

import re

import pytest

from reviewlens.analyzers.rules.typescript.hardcoded_secret import _SECRET_WORDS, _url_with_password_at
from reviewlens.analyzers.typescript.bound_literals import bound_literal_spans


def spans(source: str) -> list[str]:
    """The operator each span is at."""
    lowered = source.encode().lower()
    out = []
    for a, b in bound_literal_spans(lowered, _SECRET_WORDS):
        text = lowered[a:b].decode()
        out.append(text if text in ("??", "||") else text[0])
    return out


@pytest.mark.parametrize(
    "source, expected",
    [
        ('const apiKey = "x";', ['=']),
        ('const apiKey: string = "x";', ['=']),
        ('const apiKey: Map<string, (a: number) => void> | string = `x`;', ['=']),
        ('this.password = \'x\';', ['=']),
        ('let a = 1, token = "x";', ['=']),
        ('const { token = "x" } = opts;', ['=']),
        ('f({ apiKey: "x" })', [':']),
        ('f({ "x-api-key" : "x" })', [':']),
        ("f({ 'it\\'s a secret': \"x\" })", [':']),
        ('f({ apiKey /* c */ : /* d */ "x" })', [':']),
        ('f({ apiKey:\n  // later\n  "x" })', [':']),
        ('const t = process.env.T ?? "x";', ['??']),
        ('const t = a || /* dev */ "x";', ['||']),
    ],
)
def test_literals_bound_to_a_secret_name_are_candidates(source, expected):
    assert spans(source) == expected


@pytest.mark.parametrize(
    "source",
    [
        'const label = "Name";',  # no secret word before the literal
        'if (token === "x") {}',  # comparisons
        'if (token == "x" || a) {}',
        'if (token !== "x") {}',
        'const k = token ? "a" : "b";',  # a conditional, not a fallback
        'type Mode = "a" | "b";',
        'f(token, "x")',  # an argument, not a binding
        'const y = f(tokenize);',  # a secret word, but no literal bound after it
        '<Item key={id} title="x" />',  # JSX attribute literal after a non-secret name
        'const url = "https://example.com"; const k = 1;',
    ],
)
def test_other_literals_are_not_candidates(source):
    assert spans(source) == []


def test_the_stretch_before_an_equals_starts_after_the_previous_binding():
    # `token` is before the previous `=`: it names another binding.
    assert spans('const token = f(); const label = "Name";') == []
    # ...unless it is in the same stretch (a declarator list, a call's arguments).
    assert spans('const a = f(token), label = "Name";') == ['=']


def test_a_url_in_a_string_hides_no_later_binding():
    # `:` then `//...` looks like an operator and a line comment; in minified code the
    # "comment" runs to the end of the file, over the real bindings after it.
    source = 'const a = { url: "https://x.org/y", apiKey: "v",\n"b": 1 };'
    assert spans(source) == [":"]


def test_many_comment_like_slashes_do_not_backtrack():
    # `//` runs after a colon (URLs, ASCII art) once made the operator-then-comments
    # expression backtrack exponentially; the possessive form is linear.
    source = "x = { apiKey: " + "//a" * 40 + "\n, b: 1 }\n" + "u: '" + "http://x/" * 2000 + "';\n"
    assert spans(source) == []


@pytest.mark.parametrize(
    "source, expected",
    [
        (b'const u = "postgres://admin:hunter2@db:5432/app";', True),
        (b"const u = `redis://:s3cret@cache`;", True),
        (b'const u = "https://example.com/a:b";', False),  # a colon, no `@`
        (b'const u = "https://example.com/@user"; const t = "a:b";', False),  # `@` before the colon
        (b'const u = "https://example.com/x" + " user:pw@";', False),  # a space first
    ],
)
def test_url_password_precheck(source, expected):
    at = source.find(b"://")
    assert _url_with_password_at(source, at) is expected
    # The same answer as the fragment regex' URL branch run on the source from there.
    assert bool(re.match(rb"://[^ ]*:[^ ]*@", source[at:])) is expected
