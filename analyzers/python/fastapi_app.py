"""FastAPI structure of one Python file: apps, routers and route handlers.

Shared by RL401 (event handlers of an app), RL308 (route handlers and the dependencies
that guard them) and any later rule that needs to know what `app` or `router` is.
Everything is resolved from the tree: `from fastapi import FastAPI as F; api = F()` is an
app, `import fastapi; r = fastapi.APIRouter(prefix="/x")` a router. Built once per file
(memoised in `ctx.cache`) and only when a rule asks.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from tree_sitter import Node, Query, QueryCursor

from ..anchors import TooManySpans, word_spans
from ..languages import language
from ..records import Record
from .semantic import FUNCTION_TYPES, SCOPE_TYPES, scope_of

if TYPE_CHECKING:
    from ..context import FileContext

APP_CLASSES = frozenset({"fastapi.FastAPI", "fastapi.applications.FastAPI"})
ROUTER_CLASSES = frozenset({"fastapi.APIRouter", "fastapi.routing.APIRouter"})
ROUTE_METHODS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "trace", "api_route", "websocket"})

# The shapes looked for, matched from bare patterns and the source's words (the parts
# are read in Python): a pattern step with children costs ~0.3-0.6 ms to compile
# (tree-sitter's analysis), in every process; these three patterns took ~6 ms.
#   constructions: (assignment left: (identifier) @name
#                    right: (call function: [(identifier) (attribute)] @fn) @call) @assign
#     found from the spellings of the app and router classes (_constructions): a walk of
#     every assignment of the tree cost ~0.25 ms a file
#   routes: (decorated_definition
#             (decorator (call function: (attribute object: (identifier) @obj attribute: (identifier) @method)
#                              arguments: (argument_list) @args) @call)
#             definition: (function_definition) @func) @decorated
#   includes: (call function: (attribute object: (_) attribute: (identifier) @m (#eq? @m "include_router"))
#                   arguments: (argument_list . (identifier) @router) @args) @call
_ASSIGNMENTS = "(assignment) @assign"
_DECORATED = "(decorated_definition) @decorated"
_INCLUDE_ROUTER = b"include_router"


@functools.cache
def _query(src: str) -> Query:
    return Query(language("python"), src)


class Construction(Record):
    """`name = FastAPI(...)` / `name = APIRouter(...)` somewhere in the file."""

    __slots__ = FIELDS = ("kind", "name", "scope", "statement", "call", "cls_text", "duplicate")

    def __init__(self, kind: str, name: str, scope: Node | None, statement: Node, call: Node, cls_text: str,
                 duplicate: bool = False) -> None:
        self.kind = kind  # "app" | "router"
        self.name = name
        self.scope = scope  # enclosing function, None at module level
        self.statement = statement  # the expression statement holding the assignment
        self.call = call  # the FastAPI(...) / APIRouter(...) call
        self.cls_text = cls_text  # how the class is spelled at the call (`FastAPI`, `F`, `fastapi.FastAPI`)
        self.duplicate = duplicate  # the same name is constructed more than once in the scope

    @property
    def arguments(self) -> Node | None:
        return self.call.child_by_field_name("arguments")

    def keyword(self, key: str) -> Node | None:
        """The value of keyword argument `key`, if given."""
        args = self.arguments
        if args is None:
            return None
        for arg in args.named_children:
            if arg.type == "keyword_argument":
                name = arg.child_by_field_name("name")
                if name is not None and name.text.decode() == key:
                    return arg.child_by_field_name("value")
        return None

    @property
    def has_splat(self) -> bool:
        args = self.arguments
        return args is not None and any(
            a.type in ("list_splat", "dictionary_splat", "parenthesized_list_splat") for a in args.named_children
        )


class Route(Record):
    """A function decorated with `@<app|router>.<method>(path, ...)`."""

    __slots__ = FIELDS = ("owner", "method", "decorator_call", "function", "path", "dependencies")

    def __init__(self, owner: Construction, method: str, decorator_call: Node, function: Node, path: str | None,
                 dependencies: list[Node] | None = None) -> None:
        self.owner = owner
        self.method = method
        self.decorator_call = decorator_call
        self.function = function
        self.path = path  # the literal path, when it is one
        # `dependencies=[...]` elements on the decorator
        self.dependencies = [] if dependencies is None else dependencies


class FastApiFile:
    def __init__(self, ctx: "FileContext") -> None:
        self.ctx = ctx
        self.py = ctx.py

    # --- constructions ---------------------------------------------------------------
    @functools.cached_property
    def constructions(self) -> list[Construction]:
        out: list[Construction] = []
        root = self.ctx.tree.root_node
        for assign, name, call, fn in _constructions(root, self.ctx.source, _class_spellings(self.py.imports)):
            target = self.py.qualified_name(fn)
            if target in APP_CLASSES:
                kind = "app"
            elif target in ROUTER_CLASSES:
                kind = "router"
            else:
                continue
            stmt = assign.parent
            if stmt is None or stmt.type != "expression_statement":
                continue
            out.append(Construction(kind, name.text.decode(), scope_of(assign), stmt, call, self.ctx.text(fn)))
        seen: dict[tuple[int | None, str], Construction] = {}
        for c in out:
            key = (c.scope.id if c.scope is not None else None, c.name)
            if key in seen:
                seen[key].duplicate = True
                c.duplicate = True
            else:
                seen[key] = c
        return out

    def _by_scope_name(self) -> dict[tuple[int | None, str], Construction]:
        cached = self.ctx.cache.get("fastapi_by_scope")
        if cached is None:
            cached = {}
            for c in self.constructions:
                cached.setdefault((c.scope.id if c.scope is not None else None, c.name), c)
            self.ctx.cache["fastapi_by_scope"] = cached
        return cached

    def binding_scope(self, ident: Node) -> tuple[bool, Node | None]:
        """(found, scope) of the scope whose binding `ident` refers to; found is False when
        the name is not bound in this file (imported or a builtin/unknown global)."""
        name = ident.text.decode()
        scope = scope_of(ident)
        while scope is not None:
            if scope.type in FUNCTION_TYPES and self.py.binds(name, scope):
                return True, scope
            scope = scope_of(scope)
        return self.py.binds(name, None), None

    def resolve(self, expr: Node | None) -> Construction | None:
        """The app/router an identifier refers to, when it is constructed in this file."""
        if expr is None or expr.type != "identifier":
            return None
        found, scope = self.binding_scope(expr)
        if not found:
            return None
        return self._by_scope_name().get((scope.id if scope is not None else None, expr.text.decode()))

    def is_imported(self, expr: Node | None) -> bool:
        if expr is None or expr.type != "identifier":
            return False
        found, _ = self.binding_scope(expr)
        return not found and expr.text.decode() in self.py.imports

    # --- routes ----------------------------------------------------------------------
    @functools.cached_property
    def routes(self) -> list[Route]:
        out: list[Route] = []
        root = self.ctx.tree.root_node
        for obj, method_node, dec_call, args, func in _route_decorators(root):
            method = method_node.text.decode()
            if method not in ROUTE_METHODS:
                continue
            owner = self.resolve(obj)
            if owner is None:
                continue
            path = None
            deps: list[Node] = []
            positional = [a for a in args.named_children if a.type not in ("keyword_argument", "comment")]
            if positional and positional[0].type == "string":
                path = string_value(positional[0])
            for arg in args.named_children:
                if arg.type != "keyword_argument":
                    continue
                key = arg.child_by_field_name("name")
                value = arg.child_by_field_name("value")
                if key is None or value is None:
                    continue
                if key.text.decode() == "path" and value.type == "string":
                    path = string_value(value)
                elif key.text.decode() == "dependencies":
                    deps.extend(sequence_items(value))
            out.append(Route(owner, method, dec_call, func, path, deps))
        return out

    def router_dependencies(self, router: Construction) -> list[Node]:
        """`dependencies=[...]` of an APIRouter(...) and of every `include_router(router, ...)`
        in this file that mounts it."""
        deps: list[Node] = []
        value = router.keyword("dependencies")
        if value is not None:
            deps.extend(sequence_items(value))
        if router.kind == "app":
            return deps
        for included, args in _includes(self.ctx.source, self.ctx.tree.root_node):
            if self.resolve(included) is not router:
                continue
            for arg in args.named_children:
                if arg.type == "keyword_argument":
                    key = arg.child_by_field_name("name")
                    if key is not None and key.text.decode() == "dependencies":
                        deps.extend(sequence_items(arg.child_by_field_name("value")))
        return deps


# The last name of each class's dotted path: how `fastapi.FastAPI(...)` or
# `routing.APIRouter(...)` spell it, whatever the module is imported as.
_CLASS_NAMES = frozenset(q.rsplit(".", 1)[1] for q in APP_CLASSES | ROUTER_CLASSES)


def _class_spellings(imports: dict[str, str]) -> frozenset[str]:
    """The names a callee resolving to an app or router class can end with: the names
    bound to a class by an import (`from fastapi import FastAPI as F`), and the classes'
    own last names (an attribute `x.FastAPI`). semantic.qualified_name resolves a plain
    name through the imports only and an attribute by its last name, so no construction
    of those classes is spelled otherwise."""
    return _CLASS_NAMES | {name for name, target in imports.items() if target in APP_CLASSES or target in ROUTER_CLASSES}


def _constructions(root: Node, source: bytes, spellings) -> list[tuple[Node, Node, Node, Node]]:
    """(assignment, name, call, callee) of each `name = callee(...)` whose callee (a name,
    or an attribute) ends with one of `spellings`, in document order: found from the
    occurrences of those words in `source` (the text of `root`'s tree)."""
    found: dict[int, tuple[Node, Node, Node, Node]] = {}
    try:
        spans = [span for word in spellings for span in word_spans(source, word.encode())]
    except TooManySpans:
        return _constructions_walked(root, spellings)
    for start, end in spans:
        node = root.descendant_for_byte_range(start, end)
        if node is None or node.type != "identifier" or node.start_byte != start or node.end_byte != end:
            continue  # in a string or a comment, or part of a longer name
        shaped = _construction_of(node)
        if shaped is not None:
            found[shaped[0].id] = shaped
    return sorted(found.values(), key=lambda c: c[0].start_byte)


def _construction_of(name: Node) -> tuple[Node, Node, Node, Node] | None:
    """The construction whose callee is `name` or ends with it (`x.name`), if it is one."""
    fn = name
    parent = name.parent
    if parent is not None and parent.type == "attribute" and parent.child_by_field_name("attribute") == name:
        fn, parent = parent, parent.parent
    if parent is None or parent.type != "call" or parent.child_by_field_name("function") != fn:
        return None
    assign = parent.parent
    if assign is None or assign.type != "assignment" or assign.child_by_field_name("right") != parent:
        return None
    target = assign.child_by_field_name("left")
    if target is None or target.type != "identifier":
        return None
    return assign, target, parent, fn


def _constructions_walked(root: Node, spellings) -> list[tuple[Node, Node, Node, Node]]:
    """_constructions for a source with too many occurrences to look at one by one: every
    assignment of the tree, matched bare."""
    out = []
    for assign in QueryCursor(_query(_ASSIGNMENTS)).captures(root).get("assign", ()):
        name, call = assign.child_by_field_name("left"), assign.child_by_field_name("right")
        if name is None or name.type != "identifier" or call is None or call.type != "call":
            continue
        fn = call.child_by_field_name("function")
        last = fn.child_by_field_name("attribute") if fn is not None and fn.type == "attribute" else fn
        if fn is not None and fn.type in ("identifier", "attribute") and last is not None and last.text.decode() in spellings:
            out.append((assign, name, call, fn))
    out.sort(key=lambda c: c[0].start_byte)
    return out


def _route_decorators(root: Node) -> list[tuple[Node, Node, Node, Node, Node]]:
    """(object, method, decorator call, its argument list, function) of each
    `@object.method(...)` decorating a function, in document order."""
    out = []
    for decorated in QueryCursor(_query(_DECORATED)).captures(root).get("decorated", ()):
        out += route_decorators_of(decorated)
    out.sort(key=lambda r: r[2].start_byte)
    return out


def route_decorators_of(decorated: Node) -> list[tuple[Node, Node, Node, Node, Node]]:
    """(object, method, decorator call, its argument list, function) of each
    `@object.method(...)` of one `decorated_definition` of a function, in order."""
    func = decorated.child_by_field_name("definition")
    if func is None or func.type != "function_definition":
        return []
    out = []
    for decorator in decorated.named_children:
        if decorator.type != "decorator":
            continue
        for call in decorator.named_children:
            if call.type != "call":
                continue
            fn, args = call.child_by_field_name("function"), call.child_by_field_name("arguments")
            if fn is None or fn.type != "attribute" or args is None or args.type != "argument_list":
                continue
            obj, method = fn.child_by_field_name("object"), fn.child_by_field_name("attribute")
            if obj is not None and obj.type == "identifier" and method is not None and method.type == "identifier":
                out.append((obj, method, call, args, func))
    return out


def _includes(source: bytes, root: Node) -> list[tuple[Node, Node]]:
    """(first argument, argument list) of each `x.include_router(name, ...)` whose first
    argument (a comment counts, as a query's anchor sees it) is a plain name."""
    out = []
    n = len(_INCLUDE_ROUTER)
    at = source.find(_INCLUDE_ROUTER)
    while at >= 0:
        node = root.descendant_for_byte_range(at, at + n)
        attribute = node.parent if node is not None and node.type == "identifier" else None
        if (
            attribute is not None and node.start_byte == at and node.end_byte == at + n
            and attribute.type == "attribute" and attribute.child_by_field_name("attribute") == node
        ):
            call = attribute.parent
            args = call.child_by_field_name("arguments") if call is not None and call.type == "call" else None
            if args is not None and args.type == "argument_list" and call.child_by_field_name("function") == attribute \
                    and args.named_child_count and args.named_children[0].type == "identifier":
                out.append((args.named_children[0], args))
        at = source.find(_INCLUDE_ROUTER, at + 1)
    return out


def sequence_items(value: Node | None) -> list[Node]:
    if value is None:
        return []
    if value.type in ("list", "tuple", "set"):
        return [c for c in value.named_children if c.type != "comment"]
    return [value]


def string_value(node: Node) -> str | None:
    """The value of a plain (non-f) string literal, else None."""
    if node.type != "string":
        return None
    start = node.child(0)
    if start is None or "f" in start.text.decode().lower():
        return None
    parts = [c.text.decode("utf-8", "replace") for c in node.named_children if c.type == "string_content"]
    if any(c.type == "interpolation" for c in node.named_children):
        return None
    return "".join(parts)


def fastapi_file(ctx: "FileContext") -> FastApiFile:
    fa = ctx.cache.get("fastapi_file")
    if fa is None:
        fa = ctx.cache["fastapi_file"] = FastApiFile(ctx)
    return fa


__all__ = ["APP_CLASSES", "ROUTER_CLASSES", "ROUTE_METHODS", "Construction", "Route", "FastApiFile", "fastapi_file", "string_value", "sequence_items", "SCOPE_TYPES"]
