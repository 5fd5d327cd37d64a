"""Lexical lookups in a TS/JS tree: where a name is declared, what a constant holds,
whether code runs at module load. Enough for rules that follow a value one step
(`const { access_token } = res.data; localStorage.setItem(KEY, access_token)`)."""

from __future__ import annotations

from tree_sitter import Node

from ..records import FrozenRecord
from .semantic import FUNCTION_TYPES

SCOPE_TYPES = ("program", "statement_block", "switch_case", "switch_default", "class_static_block")
DECLARATION_TYPES = ("lexical_declaration", "variable_declaration")
TYPE_CONTEXTS = frozenset({
    "type_annotation", "type_alias_declaration", "interface_declaration", "type_query",
    "ambient_declaration", "type_arguments", "type_parameters", "satisfies_expression_type",
})


class Binding(FrozenRecord):
    """`name` declared by `declarator` (a variable_declarator), possibly destructured from
    property `key` of the initializer (`const { key: name } = init`)."""

    __slots__ = FIELDS = ("name", "declarator", "key", "kind")
    name: str
    declarator: Node
    key: str | None
    kind: str  # "const", "let", "var"

    def __init__(self, name: str, declarator: Node, key: str | None, kind: str) -> None:
        self._init(name=name, declarator=declarator, key=key, kind=kind)

    @property
    def init(self) -> Node | None:
        return self.declarator.child_by_field_name("value")


def declarators(container: Node):
    """variable_declarator nodes declared directly in a statement list (exports included)."""
    for child in container.named_children:
        decl = child
        if child.type == "export_statement":
            decl = child.child_by_field_name("declaration") or next(
                (c for c in child.named_children if c.type in DECLARATION_TYPES), None
            )
            if decl is None:
                continue
        if decl.type in DECLARATION_TYPES:
            kind = decl.children[0].type if decl.children else "var"
            for d in decl.named_children:
                if d.type == "variable_declarator":
                    yield kind, d


def _pattern_binding(pattern: Node, name: str) -> str | None | bool:
    """For an object pattern: the property key bound to `name`, None if `name` is bound
    without a key, False when not bound here."""
    if pattern.type == "identifier":
        return None if pattern.text.decode() == name else False
    if pattern.type == "object_pattern":
        for prop in pattern.named_children:
            if prop.type == "shorthand_property_identifier_pattern" and prop.text.decode() == name:
                return name
            if prop.type == "object_assignment_pattern":
                left = prop.child_by_field_name("left")
                if left is not None and left.text.decode() == name:
                    return name
            if prop.type == "pair_pattern":
                key = prop.child_by_field_name("key")
                value = prop.child_by_field_name("value")
                if value is not None and value.type == "assignment_pattern":
                    value = value.child_by_field_name("left")
                if value is not None and value.type == "identifier" and value.text.decode() == name:
                    return key.text.decode().strip("'\"") if key is not None else None
                if value is not None and value.type in ("object_pattern", "array_pattern"):
                    inner = _pattern_binding(value, name)
                    if inner is not False:
                        return inner
    if pattern.type == "array_pattern":
        for el in pattern.named_children:
            if el.type == "identifier" and el.text.decode() == name:
                return None
    return False


def find_binding(name: str, at: Node) -> Binding | None:
    """The nearest `const/let/var` declaring `name` in a scope enclosing `at`.
    Parameters and function declarations shadow: they return None."""
    node = at
    while node is not None:
        if node.type in SCOPE_TYPES:
            for kind, d in declarators(node):
                pattern = d.child_by_field_name("name")
                if pattern is None:
                    continue
                key = _pattern_binding(pattern, name)
                if key is not False:
                    return Binding(name, d, key, kind)
        if node.type in FUNCTION_TYPES and declares_parameter(node, name):
            return None
        node = node.parent
    return None


def declares_parameter(func: Node, name: str) -> bool:
    params = func.child_by_field_name("parameters") or func.child_by_field_name("parameter")
    if params is None:
        return False
    if params.type == "identifier":
        return params.text.decode() == name
    stack = [params]
    while stack:
        n = stack.pop()
        if n.type in ("identifier", "shorthand_property_identifier_pattern") and n.text.decode() == name:
            parent = n.parent
            if parent is not None and parent.type == "pair_pattern" and parent.child_by_field_name("key") == n:
                continue
            return True
        if n.type not in ("type_annotation", "default_value"):
            stack.extend(n.named_children)
    return False


def is_declared_in_module(root: Node, name: str) -> bool:
    """A module-level declaration, function, class or import binds `name`."""
    for child in root.named_children:
        node = child.child_by_field_name("declaration") if child.type == "export_statement" else child
        if node is None:
            continue
        if node.type in ("function_declaration", "class_declaration", "generator_function_declaration"):
            n = node.child_by_field_name("name")
            if n is not None and n.text.decode() == name:
                return True
    for _, d in declarators(root):
        pattern = d.child_by_field_name("name")
        if pattern is not None and _pattern_binding(pattern, name) is not False:
            return True
    return False


def string_value(node: Node | None) -> str | None:
    """The text of a plain string literal (or a template without substitutions)."""
    if node is None:
        return None
    if node.type == "string":
        return "".join(c.text.decode() for c in node.named_children if c.type in ("string_fragment", "escape_sequence"))
    if node.type == "template_string" and not any(c.type == "template_substitution" for c in node.named_children):
        return "".join(c.text.decode() for c in node.named_children if c.type == "string_fragment")
    return None


def enclosing_function(node: Node) -> Node | None:
    p = node.parent
    while p is not None:
        if p.type in FUNCTION_TYPES:
            return p
        p = p.parent
    return None


def runs_at_module_load(node: Node) -> bool:
    """True when `node` is evaluated while the module is imported: not inside a function
    body (parameters' defaults included), nor in an instance field initializer (those run in
    the constructor). Static fields, static blocks, `extends` clauses and decorators run."""
    p = node.parent
    child = node
    while p is not None:
        if p.type in FUNCTION_TYPES:
            return False
        if p.type in ("public_field_definition", "field_definition") and child.type != "decorator":
            if not any(c.type == "static" for c in p.children):
                value = p.child_by_field_name("value")
                if value is not None and value.start_byte <= node.start_byte and node.end_byte <= value.end_byte:
                    return False
        child, p = p, p.parent
    return True


def in_type_context(node: Node) -> bool:
    p = node.parent
    while p is not None:
        if p.type in TYPE_CONTEXTS:
            return True
        if p.type in FUNCTION_TYPES or p.type in ("program", "statement_block"):
            return False
        p = p.parent
    return False


def binding_scope(name: str, at: Node) -> str | None:
    """Where `name` seen from `at` is bound: "local" (a declaration or parameter inside a
    function or block), "module" (a module-level declaration), or None (a global)."""
    node = at
    while node is not None:
        if node.type in SCOPE_TYPES:
            for _, d in declarators(node):
                pattern = d.child_by_field_name("name")
                if pattern is not None and _pattern_binding(pattern, name) is not False:
                    return "module" if node.type == "program" else "local"
        if node.type in FUNCTION_TYPES and declares_parameter(node, name):
            return "local"
        node = node.parent
    return None
