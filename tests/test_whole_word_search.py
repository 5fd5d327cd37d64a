"""`rule._whole_word_at` answers what `\\bword\\b` does, whichever way it searches (a
regex for words of up to four letters, `find` for longer ones)."""

from __future__ import annotations

import random
import re

import pytest

from reviewlens.analyzers import rule

WORDS = [b"os", b"io", b"jwt", b"log", b"call", b"open", b"print", b"except", b"subprocess", b"a", b"_x", b"9"]
TEXTS = [
    b"", b"os", b"pos", b"os_", b"_os", b"os.path", b"import os\n", b"(os)", b"close os", b"xos os", b"os\xc3\xa9",
    b"\xc3\xa9os", b"log_in login log", b"calls call", "caf\u00e9 open".encode(), b"subprocessx subprocess", b"a", b"ba ab a",
]


def _expected(source: bytes, word: bytes) -> int:
    m = re.search(rb"\b" + re.escape(word) + rb"\b", source)
    return m.start() if m else -1


@pytest.mark.parametrize("word", WORDS)
def test_same_offset_as_the_regex_it_stands_for(word):
    for text in TEXTS:
        assert rule._whole_word_at(text, word) == _expected(text, word), (word, text)


def test_random_sources():
    rng = random.Random(7)
    alphabet = b"osiclgjwtpna_ .9(\n\xc3\xa9"
    for _ in range(3000):
        text = bytes(rng.choice(alphabet) for _ in range(rng.randrange(0, 40)))
        for word in (b"os", b"io", b"log", b"call", b"print", b"a"):
            assert rule._whole_word_at(text, word) == _expected(text, word), (word, text)


@pytest.mark.parametrize("word", WORDS)
def test_word_spans_are_every_whole_word_occurrence(word):
    from reviewlens.analyzers.anchors import word_spans

    for text in TEXTS + [b" ".join(TEXTS)]:
        expected = [m.span() for m in re.finditer(rb"\b" + re.escape(word) + rb"\b", text)]
        assert word_spans(text, word) == expected, (word, text)
        memo = {(word, "w"): rule._whole_word_at(text, word)}  # what a prefilter leaves behind
        assert word_spans(text, word, memo) == expected, (word, text, "memo")


def test_word_spans_give_up_past_the_limit(monkeypatch):
    from reviewlens.analyzers import anchors

    monkeypatch.setattr(anchors, "MAX_SPANS", 10)
    for word in (b"os", b"print"):
        with pytest.raises(anchors.TooManySpans):
            anchors.word_spans(b" ".join([word] * 11), word)
        assert len(anchors.word_spans(b" ".join([word] * 10), word)) == 10


def test_a_part_every_word_spells_is_checked_first():
    """A words term whose words share 3+ bytes (`_id` of user_id|owner_id|account_id)
    first looks for that part once; the answer is the regex's on every source."""
    assert rule._common_part((b"user_id", b"owner_id", b"account_id")) == b"_id"
    assert rule._common_part((b"print", b"pprint")) == b"print"
    assert rule._common_part((b"jwt", b"jose")) is None and rule._common_part((b"except",)) is None
    term = rule._Term(r"\b(?:user_id|owner_id|account_id)\b")
    assert term.common == b"_id"
    sources = [b"", b"x = 1\n", b"_id = 1", b"the_id = user_ids", b"f(user_id)", b"owner_id", b"xaccount_id",
               b"account_idx account_id", b"user-id owner_i d"]
    rng = random.Random(7)
    for _ in range(300):
        sources.append(bytes(rng.choice(b"_ aciduserownt\n") for _ in range(rng.randint(0, 40))))
    for src in sources:
        assert term.search(src, {}) == bool(term.regex.search(src)), src
