"""Inline suppressions (every form in analyzers/suppressions.py) and the edits that add them."""

from __future__ import annotations

import pytest

from reviewlens.analyzers.engine import check_source
from reviewlens.analyzers.fixes import apply_edits
from reviewlens.analyzers.languages import grammar_for_path, parse
from reviewlens.analyzers.positions import LineIndex
from reviewlens.analyzers.suppressions import file_suppression_edit, line_suppression_edit


def found(source: str | bytes, path: str = "app/main.py") -> list[tuple[str, int]]:
    data = source.encode() if isinstance(source, str) else source
    res = check_source(data, path)
    lines = LineIndex(data)
    return [(f.code, lines.line_of(f.start) + 1) for f in res.findings]


# --- Python -------------------------------------------------------------------------------

@pytest.mark.parametrize("comment, suppressed", [
    ("# noqa: RL101", True),
    ("# noqa:RL101", True),
    ("# noqa: RL201, RL101", True),
    ("# noqa: RL201 RL101", True),
    ("# NOQA: rl101", True),
    ("# noqa", True),  # bare: every rule on the line
    ("# noqa: RL201", False),  # another code
    ("# nosec noqa: RL101", False),  # needs `#` right before `noqa`, as in flake8 and ruff
    ("# logged on purpose # noqa: RL101", True),  # a noqa after another comment text
    ("# NoQA: RL101", True),  # any case, as the pattern says (it once needed noqa or NOQA)
    ("# noqa: RL101 # noqa: RL201", True),  # two markers in one comment: the first one counts
])
def test_python_line_forms(comment, suppressed):
    src = f"def f(x):\n    print(x)  {comment}\n"
    assert found(src) == ([] if suppressed else [("RL101", 2)])


def test_a_marker_outside_a_comment_suppresses_nothing():
    src = 'def f(x):\n    print("# noqa: RL101", x)\n    s = """\n    # reviewlens: noqa\n    """\n'
    assert found(src) == [("RL101", 2)]
    ts = 'export function f(x: string) {\n  console.log("// reviewlens-disable-line", x);\n}\n'
    assert [c for c, _ in found(ts, "src/lib/a.ts")] == ["RL101"]


def test_python_noqa_only_silences_its_line():
    src = "def f(x):\n    print(x)  # noqa: RL101\n    print(x)\n"
    assert found(src) == [("RL101", 3)]


def test_python_noqa_on_last_line_of_multiline_finding():
    src = 'def f(x):\n    print(\n        x,\n    )  # noqa: RL101\n'
    assert found(src) == []


@pytest.mark.parametrize("header, expected", [
    ("# reviewlens: noqa: RL101\n", []),
    ("# reviewlens: noqa\n", []),
    ("# reviewlens:noqa:RL101,RL201\n", []),
    ("# reviewlens: noqa: RL201\n", [("RL101", 3)]),
])
def test_python_file_forms(header, expected):
    assert found(header + "def f(x):\n    print(x)\n") == expected


def test_python_file_form_anywhere_in_the_file():
    assert found("def f(x):\n    print(x)\n# reviewlens: noqa: RL101\n") == []


def test_noqa_inside_a_string_is_not_a_comment():
    assert found('def f(x):\n    print("# noqa: RL101")\n') == [("RL101", 2)]


# --- TypeScript / JavaScript ----------------------------------------------------------------

TS_PATH = "src/server/job.ts"


@pytest.mark.parametrize("before, same_line, suppressed", [
    ("// reviewlens-disable-next-line RL101\n", "", True),
    ("// reviewlens-disable-next-line RL302, RL101\n", "", True),
    ("// reviewlens-disable-next-line\n", "", True),  # no codes: every rule
    ("// reviewlens-disable-next-line RL101 -- debugging the queue, removed in #123\n", "", True),
    ("/* reviewlens-disable-next-line RL101 */\n", "", True),
    ("// reviewlens-disable-next-line RL302\n", "", False),
    ("", " // reviewlens-disable-line RL101", True),
    ("", " // reviewlens-disable-line", True),
    ("", " /* reviewlens-disable-line RL101 -- why */", True),
    ("", " // reviewlens-disable-line RL302", False),
    ("// reviewlens-disable-line RL101\n", "", False),  # -line applies to its own line only
])
def test_ts_line_forms(before, same_line, suppressed):
    src = f"export function run(x: number) {{\n  {before}  console.log(x);{same_line}\n}}\n"
    res = found(src, TS_PATH)
    assert (res == []) is suppressed, res


@pytest.mark.parametrize("header, suppressed", [
    ("/* reviewlens-disable RL101 */\n", True),
    ("/* reviewlens-disable */\n", True),
    ("// reviewlens-disable RL101 -- generated file\n", True),
    ("/* reviewlens-disable RL302 */\n", False),
])
def test_ts_file_forms(header, suppressed):
    src = header + "export function run(x: number) {\n  console.log(x);\n}\n"
    assert (found(src, TS_PATH) == []) is suppressed


def test_ts_next_line_skips_only_one_line():
    src = "export function run(x: number) {\n  // reviewlens-disable-next-line RL101\n  console.log(x);\n  console.log(x);\n}\n"
    assert found(src, TS_PATH) == [("RL101", 4)]


# --- edits that add suppressions (the editor's "Disable RLxxx ..." code actions) -------------

def _apply_line(source: bytes, path: str, code: str, line: int) -> bytes:
    grammar = grammar_for_path(path)
    return apply_edits(source, [line_suppression_edit(source, grammar, line, code)])


def _apply_file(source: bytes, path: str, code: str) -> bytes:
    grammar = grammar_for_path(path)
    return apply_edits(source, [file_suppression_edit(source, grammar, code)])


CASES = [
    ("app/main.py", b"def f(x):\n    print(x)\n"),
    ("app/main.py", b"def f(x):\r\n    print(x)\r\n"),
    ("app/main.py", b"#!/usr/bin/env python\n# -*- coding: utf-8 -*-\ndef f(x):\n    print(x)"),
    (TS_PATH, b"export function run(x: number) {\n  console.log(x);\n}\n"),
    (TS_PATH, b"export function run(x: number) {\r\n\tconsole.log(x);\r\n}\r\n"),
    ("src/server/run.js", b"#!/usr/bin/env node\nconsole.log(process.argv);\n"),
]


@pytest.mark.parametrize("path, source", CASES)
def test_line_suppression_edit_suppresses(path, source):
    res = check_source(source, path)
    assert [f.code for f in res.findings] == ["RL101"]
    line = LineIndex(source).line_of(res.findings[0].start)
    out = _apply_line(source, path, "RL101", line)
    after = check_source(out, path)
    assert after.findings == []
    assert not parse(out, grammar_for_path(path)).root_node.has_error
    if b"\r\n" in source:
        assert out.count(b"\r\n") == out.count(b"\n")  # line endings kept


@pytest.mark.parametrize("path, source", CASES)
def test_file_suppression_edit_suppresses(path, source):
    out = _apply_file(source, path, "RL101")
    assert check_source(out, path).findings == []
    assert not parse(out, grammar_for_path(path)).root_node.has_error
    if source.startswith(b"#!"):
        assert out.startswith(source.split(b"\n", 1)[0] + b"\n")  # the shebang stays first
    if b"coding" in source:
        assert out.split(b"\n")[1] == b"# -*- coding: utf-8 -*-"


def test_line_edit_extends_existing_comments():
    py = b"def f(x):\n    print(x)  # noqa: RL201\n"
    assert _apply_line(py, "a.py", "RL101", 1) == b"def f(x):\n    print(x)  # noqa: RL201, RL101\n"
    ts = b"function f() {\n  // reviewlens-disable-next-line RL302\n  console.log(1);\n}\n"
    assert _apply_line(ts, TS_PATH, "RL101", 2) == (
        b"function f() {\n  // reviewlens-disable-next-line RL302, RL101\n  console.log(1);\n}\n")
    bare = b"def f(x):\n    print(x)  # noqa\n"
    assert _apply_line(bare, "a.py", "RL101", 1) == bare  # already silenced


def test_file_edit_extends_existing_python_header():
    src = b"# reviewlens: noqa: RL201\ndef f(x):\n    print(x)\n"
    out = _apply_file(src, "a.py", "RL101")
    assert out.startswith(b"# reviewlens: noqa: RL201, RL101\n")
    assert check_source(out, "app/a.py").findings == []
