"""Classes of one module and what they inherit, from the tree.

`settings_classes(ctx)`: classes deriving from pydantic's `BaseSettings` (pydantic v1,
pydantic-settings, `pydantic.v1`), directly or through an intermediate base defined in the
same file (`class Base(BaseSettings)` then `class Settings(Base)`). `enum_classes(ctx)` does
the same for `enum.Enum` and friends. `class_field_default(ctx, name)` finds the default of
a class-body field of that name (a settings field or a plain class constant), for rules
that follow `settings.CORS_ORIGINS` back to its value. Built once per file, cached in
`ctx.cache`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tree_sitter import Node

if TYPE_CHECKING:
    from ..context import FileContext

SETTINGS_BASES = frozenset({
    "pydantic.BaseSettings", "pydantic_settings.BaseSettings", "pydantic.v1.BaseSettings",
    "pydantic_settings.main.BaseSettings", "pydantic.env_settings.BaseSettings",
})
ENUM_BASES = frozenset({"enum.Enum", "enum.StrEnum", "enum.IntEnum", "enum.Flag", "enum.IntFlag"})


def _classes(ctx: "FileContext") -> dict[str, list[Node]]:
    cached = ctx.cache.get("py.classes")
    if cached is None:
        cached = {}
        stack = [ctx.tree.root_node]
        while stack:
            n = stack.pop()
            if n.type == "class_definition":
                name = n.child_by_field_name("name")
                if name is not None:
                    cached.setdefault(ctx.text(name), []).append(n)
            if n.type in ("module", "block", "class_definition", "decorated_definition", "if_statement",
                          "else_clause", "try_statement", "function_definition", "elif_clause",
                          "except_clause", "finally_clause", "with_statement"):
                stack.extend(n.named_children)
        ctx.cache["py.classes"] = cached
    return cached


def base_expressions(cls: Node) -> list[Node]:
    supers = cls.child_by_field_name("superclasses")
    if supers is None:
        return []
    return [a for a in supers.named_children if a.type in ("identifier", "attribute", "subscript")]


def _derived_from(ctx: "FileContext", roots: frozenset[str], key: str) -> dict[str, Node]:
    cached = ctx.cache.get(key)
    if cached is not None:
        return cached
    classes = _classes(ctx)
    result: dict[str, Node] = {}
    changed = True
    while changed:  # fixed point: bases defined anywhere in the file, in any order
        changed = False
        for name, nodes in classes.items():
            for cls in nodes:
                if cls.id in {c.id for c in result.values()}:
                    continue
                for base in base_expressions(cls):
                    if base.type == "subscript":
                        base = base.child_by_field_name("value") or base
                    qn = ctx.py.qualified_name(base)
                    local = ctx.text(base) if base.type == "identifier" else None
                    if qn in roots or (local is not None and local in result and qn is None):
                        result.setdefault(name, cls)
                        changed = True
                        break
    ctx.cache[key] = result
    return result


def settings_classes(ctx: "FileContext") -> dict[str, Node]:
    """Class name -> class node, for every BaseSettings subclass defined in the file."""
    return _derived_from(ctx, SETTINGS_BASES, "py.settings_classes")


def enum_classes(ctx: "FileContext") -> dict[str, Node]:
    return _derived_from(ctx, ENUM_BASES, "py.enum_classes")


def enclosing_class(node: Node) -> Node | None:
    """The class whose body directly holds `node` (not through a def)."""
    p = node.parent
    while p is not None:
        if p.type == "class_definition":
            return p
        if p.type in ("function_definition", "lambda", "module"):
            return None
        p = p.parent
    return None


def is_in(cls: Node | None, classes: dict[str, Node]) -> bool:
    return cls is not None and any(c.id == cls.id for c in classes.values())


def class_fields(cls: Node) -> list[tuple[Node, Node]]:
    """(assignment, name identifier) for each `name[: T] = value` / `name: T` in the body."""
    body = cls.child_by_field_name("body")
    out: list[tuple[Node, Node]] = []
    if body is None:
        return out
    for stmt in body.named_children:
        if stmt.type != "expression_statement" or not stmt.named_children:
            continue
        assign = stmt.named_children[0]
        if assign.type != "assignment":
            continue
        left = assign.child_by_field_name("left")
        if left is not None and left.type == "identifier":
            out.append((assign, left))
    return out


def field_default(ctx: "FileContext", assign: Node) -> Node | None:
    """The default value expression of a field: the right side, or `Field(default=...)`'s
    / `Field(<positional>)`'s value, or `Field(default_factory=lambda: value)`'s body."""
    right = assign.child_by_field_name("right")
    if right is None:
        return None
    if right.type == "call" and ctx.text(right.child_by_field_name("function")).rsplit(".", 1)[-1] == "Field":
        args = right.child_by_field_name("arguments")
        if args is None:
            return None
        for i, arg in enumerate(a for a in args.named_children if a.type != "comment"):
            if arg.type == "keyword_argument":
                key = ctx.text(arg.child_by_field_name("name"))
                value = arg.child_by_field_name("value")
                if key == "default":
                    return value
                if key == "default_factory" and value is not None and value.type == "lambda":
                    return value.child_by_field_name("body")
            elif i == 0:
                return arg
        return None
    return right


def class_field_default(ctx: "FileContext", name: str) -> Node | None:
    """The default of a class-body field `name` in any class of the file (first found)."""
    for nodes in _classes(ctx).values():
        for cls in nodes:
            for assign, left in class_fields(cls):
                if ctx.text(left) == name:
                    value = field_default(ctx, assign)
                    if value is not None:
                        return value
    return None
