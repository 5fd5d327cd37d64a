"""analyzers/typescript/literals.py: the string/URL/constant readers the TS security rules share."""

from __future__ import annotations

from reviewlens.analyzers.config import Settings
from reviewlens.analyzers.context import FileContext
from reviewlens.analyzers.languages import parse
from reviewlens.analyzers.typescript.literals import (
    const_value,
    screaming_snake,
    static_parts,
    string_value,
    unwrap,
)
from tree_sitter import Node


def _ctx(src: str) -> FileContext:
    source = src.encode()
    return FileContext("x.ts", source, parse(source, "typescript"), "typescript", Settings(), "x.ts")


def _find(node: Node, type_: str, text: str | None = None) -> Node:
    stack = [node]
    while stack:
        n = stack.pop(0)
        if n.type == type_ and (text is None or n.text.decode() == text):
            return n
        stack.extend(n.children)
    raise AssertionError(f"no {type_} {text!r}")


def test_string_value_reads_literals_and_plain_templates_only():
    ctx = _ctx('const a = "x\\ny"; const b = `plain`; const c = `t${d}`; const e = ("p" as string);\n')
    root = ctx.tree.root_node
    values = [string_value(d.child_by_field_name("value")) for d in _all(root, "variable_declarator")]
    assert values == ["x\\ny", "plain", None, "p"]


def test_static_parts_marks_dynamic_pieces():
    ctx = _ctx('const u = `${base}/ws?token=${t}`; const v = "/a?x=" + x + "&y=1"; const w = f();\n')
    parts = [static_parts(d.child_by_field_name("value")) for d in _all(ctx.tree.root_node, "variable_declarator")]
    assert parts == ["${}/ws?token=${}", "/a?x=${}&y=1", None]


def test_screaming_snake():
    assert screaming_snake("jwtSecret") == "JWT_SECRET"
    assert screaming_snake("x-api-key") == "X_API_KEY"
    assert screaming_snake("DB_PASSWORD") == "DB_PASSWORD"


def test_const_value_follows_scopes_and_refuses_reassigned_lets():
    ctx = _ctx(
        "const A = 'a';\n"
        "let B = 'b';\n"
        "let C = 'c';\n"
        "C = 'd';\n"
        "function f() {\n"
        "  const A = 'inner';\n"
        "  use(A, B, C);\n"
        "}\n"
        "use(A);\n"
    )
    calls = _all(ctx.tree.root_node, "call_expression")
    inner_args = calls[0].child_by_field_name("arguments").named_children
    outer_arg = calls[1].child_by_field_name("arguments").named_children[0]
    assert [string_value(const_value(ctx, a)) for a in inner_args[:2]] == ["inner", "b"]
    assert const_value(ctx, inner_args[2]) is None  # `C` is reassigned
    assert string_value(const_value(ctx, outer_arg)) == "a"


def test_unwrap_strips_casts_and_parentheses():
    ctx = _ctx("const x = ((y as any)!);\n")
    value = _find(ctx.tree.root_node, "variable_declarator").child_by_field_name("value")
    assert unwrap(value).type == "identifier"


def _all(node: Node, type_: str) -> list[Node]:
    out, stack = [], [node]
    while stack:
        n = stack.pop()
        if n.type == type_:
            out.append(n)
        stack.extend(reversed(n.children))
    return out
