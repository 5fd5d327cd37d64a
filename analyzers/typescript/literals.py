"""Reading string values out of TS/JS literal nodes, shared by the security rules.

* `string_value(node)`: the value of a string literal or a template literal without
  substitutions (escape sequences kept as written), else None.
* `unwrap(node)`: strip parentheses, `as`/`satisfies` casts and `!` non-null assertions.
* `static_parts(node)`: the source text of a URL/command built from a string, a template
  literal or a `+` concatenation, with every dynamic part replaced by `${}`; None when
  the node is none of these.
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


def static_parts(node: Node | None) -> str | None:
    node = unwrap(node)
    if node is None:
        return None
    if node.type == "string":
        return node.text.decode("utf-8", "replace")[1:-1]
    if node.type == "template_string":
        out = []
        for c in node.named_children:
            if c.type == "template_substitution":
                out.append("${}")
            else:
                out.append(c.text.decode("utf-8", "replace"))
        return "".join(out)
    if node.type == "binary_expression" and node.child_by_field_name("operator").type == "+":
        left = static_parts(node.child_by_field_name("left"))
        right = static_parts(node.child_by_field_name("right"))
        if left is None and right is None:
            return None
        return (left if left is not None else "${}") + (right if right is not None else "${}")
    return None


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
