"""The one byte <-> (line, column) conversion: ASCII, emoji, CJK, CRLF, lone CR, bad UTF-8."""

from __future__ import annotations

import pytest

from reviewlens.analyzers.positions import LineIndex, Position


def test_ascii():
    idx = LineIndex(b"ab\ncd\n")
    assert idx.position(4) == Position(1, 1)
    assert idx.offset(1, 1) == 4


def test_emoji_is_two_utf16_units_four_bytes():
    src = "x = '😀'; print(1)\n".encode()
    at = src.index(b"print")
    assert idx_pos(src, at, "utf-16") == Position(0, 10)
    assert idx_pos(src, at, "utf-8") == Position(0, 12)
    assert idx_pos(src, at, "utf-32") == Position(0, 9)
    assert LineIndex(src).offset(0, 10, "utf-16") == at
    assert LineIndex(src).offset(0, 12, "utf-8") == at


def test_cjk_is_one_utf16_unit_three_bytes():
    src = "名前 = 1\nprint(名前)\n".encode()
    at = src.index("名前)".encode())
    assert idx_pos(src, at, "utf-16") == Position(1, 6)
    assert LineIndex(src).offset(1, 6) == at


def test_crlf_and_lone_cr():
    src = b"a\r\nb\rc\nd"
    idx = LineIndex(src)
    assert idx.line_starts == [0, 3, 5, 7]
    assert idx.position(src.index(b"c")) == Position(2, 0)
    assert idx.position(1) == Position(0, 1)
    assert idx.position(2) == Position(0, 1)  # between \r and \n: end of line 0
    assert idx.line_end(0) == 1
    assert idx.line_text(1) == b"b"


def test_column_past_line_end_clamps():
    idx = LineIndex("é\nx".encode())
    assert idx.offset(0, 99) == 2
    assert idx.offset(9, 0) == len("é\nx".encode())


def test_invalid_utf8_counts_one_unit_per_byte():
    src = b"a\xff\xfeb = 1"
    at = src.index(b"b")
    assert idx_pos(src, at, "utf-16") == Position(0, 3)
    assert LineIndex(src).offset(0, 3) == at


@pytest.mark.parametrize("text", ["héllo 😀 wörld 名前", "a\tb😀😀c", "🇫🇷 flag"])
def test_round_trip_every_char_boundary(text):
    src = text.encode()
    idx = LineIndex(src)
    boundary = 0
    for ch in text:
        for enc in ("utf-8", "utf-16", "utf-32"):
            pos = idx.position(boundary, enc)
            assert idx.offset(pos.line, pos.column, enc) == boundary
        boundary += len(ch.encode())


def idx_pos(src: bytes, at: int, enc):
    return LineIndex(src).position(at, enc)


def _line_starts_by_hand(source: bytes) -> list[int]:
    """LSP's line ends ("\\n", "\\r\\n", a lone "\\r"), one byte at a time."""
    starts, j = [0], 0
    while j < len(source):
        if source[j] == 0x0A:
            starts.append(j + 1)
        elif source[j] == 0x0D:
            if source[j + 1:j + 2] == b"\n":
                j += 1
            starts.append(j + 1)
        j += 1
    return starts


@pytest.mark.parametrize("source", [
    b"", b"a", b"\n", b"\r", b"\r\n", b"\n\r", b"\r\r\n\n", b"a\r\nb\rc\nd", b"x\r", b"caf\xc3\xa9\r\n\xf0\x9f\x98\x80\n",
    b"\xff\r\xfe\n", bytes(range(256)) * 3,
])
def test_line_starts_follow_lsp_line_ends(source):
    assert LineIndex(source).line_starts == _line_starts_by_hand(source)
