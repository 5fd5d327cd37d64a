"""What a Python expression contributes to a string: its static text and its dynamic parts.

Shared by RL306 (credentials in URL query strings) and RL307 (shell commands built from
data). `string_parts(ctx, expr)` understands plain and f-strings, implicit concatenation,
`+` chains, `"..." % args` and `"...".format(args)`, and names bound once in the same
scope (or at module level) to one of those.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tree_sitter import Node

from ..anchors import WORD_BYTES
from ..records import Record
from .semantic import scope_of

if TYPE_CHECKING:
    from ..context import FileContext

PLACEHOLDER = "\x00"  # stands for one dynamic part inside `text`


class StringParts(Record):
    """`text` holds the static characters with PLACEHOLDER where data is spliced in;
    `dynamic` holds the expressions spliced in (in order, when known)."""

    __slots__ = FIELDS = ("text", "dynamic", "opaque")

    def __init__(self, text: str, dynamic: list[Node] | None = None, opaque: bool = False) -> None:
        self.text = text
        self.dynamic = [] if dynamic is None else dynamic
        self.opaque = opaque  # some part could not be read (a call, an unknown name)

    @property
    def is_literal(self) -> bool:
        return not self.dynamic and not self.opaque and PLACEHOLDER not in self.text


def _string_node_parts(ctx: "FileContext", node: Node) -> StringParts:
    """One `string` node (possibly an f-string)."""
    text: list[str] = []
    dynamic: list[Node] = []
    for c in node.named_children:
        if c.type == "string_content":
            text.append(ctx.text(c))
        elif c.type == "escape_sequence":
            text.append(ctx.text(c))
        elif c.type == "interpolation":
            expr = c.named_children[0] if c.named_children else c
            text.append(PLACEHOLDER)
            dynamic.append(expr)
    return StringParts("".join(text), dynamic)


def string_parts(ctx: "FileContext", expr: Node | None, depth: int = 0) -> StringParts | None:
    """The string an expression evaluates to, as static text + dynamic parts; None when
    the expression is not string-like at all (a number, a list, ...)."""
    if expr is None or depth > 6:
        return None
    t = expr.type
    if t == "string":
        return _string_node_parts(ctx, expr)
    if t == "concatenated_string":
        out = StringParts("")
        for c in expr.named_children:
            if c.type == "string":
                _extend(out, _string_node_parts(ctx, c))
        return out
    if t == "parenthesized_expression" and expr.named_children:
        return string_parts(ctx, expr.named_children[0], depth + 1)
    if t == "binary_operator":
        op = expr.child_by_field_name("operator")
        left = expr.child_by_field_name("left")
        right = expr.child_by_field_name("right")
        if op is not None and op.type == "+":
            lp = string_parts(ctx, left, depth + 1)
            rp = string_parts(ctx, right, depth + 1)
            if lp is None and rp is None:
                return None
            out = StringParts("")
            for side, node in ((lp, left), (rp, right)):
                if side is None:
                    out.text += PLACEHOLDER
                    out.dynamic.append(node)
                else:
                    _extend(out, side)
            return out
        if op is not None and op.type == "%":
            lp = string_parts(ctx, left, depth + 1)
            if lp is None or right is None:
                return None
            args = right.named_children if right.type == "tuple" else [right]
            return _fill(lp, "%", args)
    if t == "call":
        fn = expr.child_by_field_name("function")
        if fn is not None and fn.type == "attribute" and ctx.text(fn.child_by_field_name("attribute")) == "format":
            base = string_parts(ctx, fn.child_by_field_name("object"), depth + 1)
            if base is not None:
                args = expr.child_by_field_name("arguments")
                return _fill(base, "{", [a for a in (args.named_children if args else []) if a.type != "comment"])
        return None
    if t == "identifier":
        value = single_assignment(ctx, expr)
        if value is not None:
            return string_parts(ctx, value, depth + 1)
        return None
    return None


def _extend(out: StringParts, part: StringParts) -> None:
    out.text += part.text
    out.dynamic.extend(part.dynamic)
    out.opaque = out.opaque or part.opaque


def _fill(base: StringParts, marker: str, args: list[Node]) -> StringParts:
    """`"a=%s" % x` / `"a={}".format(x)`: placeholders become dynamic parts."""
    import re

    pattern = r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[sdrifxXeEgGc]" if marker == "%" else r"\{[^{}]*\}"
    text = re.sub(pattern, PLACEHOLDER, base.text)
    return StringParts(text, base.dynamic + list(args), base.opaque)


def single_assignment(ctx: "FileContext", name: Node) -> Node | None:
    """The value of the one plain assignment `name = value` in the scope `name` is used
    in (or at module level), made before the use; None when there are several or none."""
    ident = ctx.text(name)
    scope = scope_of(name)
    while True:
        body = scope.child_by_field_name("body") if scope is not None else ctx.tree.root_node
        found = _assignments(ctx, body, ident, scope)
        if found:
            if len(found) == 1 and found[0].start_byte < name.start_byte:
                return found[0].child_by_field_name("right")
            return None
        if scope is not None and ctx.py.binds(ident, scope):
            return None  # a parameter or another kind of binding
        if scope is None:
            return None
        scope = scope_of(scope)
        while scope is not None and scope.type == "class_definition":
            scope = scope_of(scope)


_NESTED = ("function_definition", "class_definition", "lambda")
_ASSIGNMENTS = ("assignment", "augmented_assignment")


def _assignments(ctx: "FileContext", body: Node | None, ident: str, scope: Node | None) -> list[Node]:
    """The `ident = ...` / `ident += ...` statements of `body` itself (not of the
    functions, classes and lambdas in it), found from the name's spellings in the body's
    text (a name is spelled a few times; walking the body node by node costs more)."""
    if body is None:
        return []
    key = ("assignments", body.id, ident)
    found = ctx.cache.get(key)
    if found is None:
        found = []
        source = ctx.source
        word = ident.encode("utf-8", "surrogateescape")
        n = len(word)
        lo, hi = body.start_byte, body.end_byte
        root = ctx.tree.root_node
        at = source.find(word, lo, hi) if n else -1
        while at >= 0:
            if (at == 0 or source[at - 1] not in WORD_BYTES) and (at + n >= len(source) or source[at + n] not in WORD_BYTES):
                node = root.descendant_for_byte_range(at, at + n)
                parent = node.parent if node is not None and node.type == "identifier" and node.start_byte == at and node.end_byte == at + n else None
                if parent is not None and parent.type in _ASSIGNMENTS and parent.child_by_field_name("left") == node and _directly_in(parent, body):
                    found.append(parent)
            at = source.find(word, at + 1, hi)
        ctx.cache[key] = found
    if any(n.type == "augmented_assignment" for n in found):
        return found + found  # more than one binding: unknown
    return found


def _directly_in(node: Node, body: Node) -> bool:
    """`node` lies in `body` outside any function, class or lambda nested in it."""
    p = node.parent
    while p is not None and p != body:
        if p.type in _NESTED:
            return False
        p = p.parent
    return p is not None
