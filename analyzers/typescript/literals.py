"""Reading string values out of TS/JS literal nodes, shared by the security rules.

* `string_value(node)`: the value of a string literal or a template literal without
  substitutions (escape sequences kept as written), else None.
* `unwrap(node)`: strip parentheses, `as`/`satisfies` casts and `!` non-null assertions.
* `concat_parts(node)`: the pieces of a string, a template literal or a `+`
  concatenation of them, in source order: the text of each static piece (as written)
  and the node of each dynamic one; parentheses, comments and casts between the pieces
  are looked through. None when the node is none of these.
* `static_parts(node)`: the same pieces joined, every dynamic one replaced by `${}`.
* `screaming_snake(name)`: `jwtSecret` / `api-key` -> `JWT_SECRET` / `API_KEY`.
* `const_value(ctx, ident)`: the initializer of the `const` (or never reassigned `let`)
  binding an identifier in an enclosing scope of the same file.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tree_sitter import Node

from ..naming import words

if TYPE_CHECKING:
    from ..context import FileContext

WRAPPERS = ("parenthesized_expression", "as_expression", "satisfies_expression", "non_null_expression",
            "type_assertion")
SCOPE_TYPES = ("statement_block", "program", "class_body", "switch_case", "switch_default")


def unwrap(node: Node | None) -> Node | None:
    while node is not None and node.type in WRAPPERS:
        node = node.named_children[0] if node.type != "type_assertion" else node.named_children[-1]
    return node


def string_value(node: Node | None) -> str | None:
    node = unwrap(node)
    if node is None:
        return None
    if node.type == "string":
        return node.text.decode("utf-8", "replace")[1:-1]
    if node.type == "template_string":
        if any(c.type == "template_substitution" for c in node.named_children):
            return None
        return node.text.decode("utf-8", "replace")[1:-1]
    return None


def is_dynamic_template(node: Node) -> bool:
    return node.type == "template_string" and any(c.type == "template_substitution" for c in node.named_children)


_CASTS = ("as_expression", "satisfies_expression", "type_assertion")
_QUOTES = (b'"', b"'", b"`")


def _unwrap_piece(node: Node | None) -> Node | None:
    """`unwrap` for the pieces of a concatenation: looks past comments inside parentheses,
    and stops at a cast whose type spells a string (`"?a" as "?a"`), which then counts as a
    dynamic piece. So the source between two static pieces joined by `concat_parts` never
    holds a quote outside a comment (the text prefilter of RL306 relies on it)."""
    while node is not None and node.type in WRAPPERS:
        if node.type == "parenthesized_expression":
            inner = next((c for c in node.named_children if c.type != "comment"), None)
        else:
            inner = node.named_children[-1] if node.type == "type_assertion" else node.named_children[0]
            if node.type in _CASTS and any(
                q in c.text for c in node.children if c != inner for q in _QUOTES
            ):
                return node
        node = inner
    return node


def concat_parts(node: Node | None) -> list[str | Node] | None:
    """The pieces of a string, a template literal or a `+` concatenation of them (also
    nested, parenthesised or cast): the text of each static piece (escape sequences as
    written) and the node of each dynamic one (a template substitution, or an operand
    that is not a string), in source order; None when `node` is none of these."""
    node = _unwrap_piece(node)
    if node is None:
        return None
    if node.type == "string":
        return [node.text.decode("utf-8", "replace")[1:-1]]
    if node.type == "template_string":
        return [
            c if c.type == "template_substitution" else c.text.decode("utf-8", "replace")
            for c in node.named_children
        ]
    if node.type == "binary_expression" and node.child_by_field_name("operator").type == "+":
        left_node, right_node = node.child_by_field_name("left"), node.child_by_field_name("right")
        left, right = concat_parts(left_node), concat_parts(right_node)
        if left is None and right is None:
            return None
        return (left if left is not None else [left_node]) + (right if right is not None else [right_node])
    return None


def static_parts(node: Node | None) -> str | None:
    parts = concat_parts(node)
    if parts is None:
        return None
    return "".join(p if isinstance(p, str) else "${}" for p in parts)


def screaming_snake(name: str) -> str:
    return "_".join(w.upper() for w in words(name)) or name.upper()


def const_value(ctx: FileContext, ident: Node) -> Node | None:
    """The initializer bound to `ident` by a declaration in an enclosing scope, when the
    binding is a `const` (or a `let`/`var` with no other assignment in the file)."""
    name = ident.text
    scope = ident.parent
    while scope is not None:
        if scope.type in SCOPE_TYPES:
            for stmt in scope.named_children:
                decl = stmt.named_children[0] if stmt.type == "export_statement" and stmt.named_children else stmt
                if decl.type not in ("lexical_declaration", "variable_declaration"):
                    continue
                if decl.start_byte >= ident.start_byte:
                    break
                for d in decl.named_children:
                    if d.type != "variable_declarator":
                        continue
                    n = d.child_by_field_name("name")
                    if n is not None and n.type == "identifier" and n.text == name:
                        is_const = decl.type == "lexical_declaration" and decl.children[0].type == "const"
                        if is_const or not _reassigned(ctx, name):
                            return d.child_by_field_name("value")
                        return None
        scope = scope.parent
    return None


def _reassigned(ctx: FileContext, name: bytes) -> bool:
    key = "literals.assigned_names"
    assigned = ctx.cache.get(key)
    if assigned is None:
        assigned = set()
        stack = [ctx.tree.root_node]
        while stack:
            n = stack.pop()
            if n.type in ("assignment_expression", "augmented_assignment_expression"):
                left = n.child_by_field_name("left")
                if left is not None and left.type == "identifier":
                    assigned.add(left.text)
            stack.extend(n.named_children)
        ctx.cache[key] = assigned
    return name in assigned
