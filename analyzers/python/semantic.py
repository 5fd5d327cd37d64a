"""Name resolution for Python, from the tree: imports, aliases, shadowing.

`qualified_name(expr)` turns `rq.get`, `nap` or `print` into `requests.get`, `time.sleep`
or `builtins.print`, knowing `import requests as rq`, `from time import sleep as nap` and
that `print` is not rebound in an enclosing scope. It is built once per file, lazily.
"""

from __future__ import annotations

import builtins
import functools
from typing import TYPE_CHECKING

from tree_sitter import Node, Query, QueryCursor

from ..anchors import WORD_BYTES
from ..languages import language

if TYPE_CHECKING:
    from ..context import FileContext

BUILTIN_NAMES = frozenset(dir(builtins))
FUNCTION_TYPES = ("function_definition", "lambda")
SCOPE_TYPES = ("function_definition", "lambda", "class_definition")

_IMPORTS = """
(import_statement) @import
(import_from_statement) @from
"""

# Names a scope binds other than through imports (parameters are handled separately):
# the identifier in binding position (_binds_here) under one of these nodes
#   (function_definition name: (identifier) @b)
#   (class_definition name: (identifier) @b)
#   (assignment left: (identifier) @b)
#   (assignment left: (pattern_list (identifier) @b))
#   (assignment left: (tuple_pattern (identifier) @b))
#   (augmented_assignment left: (identifier) @b)
#   (for_statement left: (identifier) @b)
#   (for_statement left: (pattern_list (identifier) @b))
#   (with_item value: (as_pattern alias: (as_pattern_target (identifier) @b)))
#   (named_expression name: (identifier) @b)
# matched bare (_bindings): a pattern step with children costs ~0.3-0.6 ms to compile
# (tree-sitter's analysis), in every process; these ten took ~5 ms.
_BINDINGS = """
(function_definition) @site
(class_definition) @site
(named_expression) @site
(assignment) @site
(augmented_assignment) @site
(for_statement) @site
(with_item) @site
"""


# Imports are found from the spellings of `import` in the source (SCAN_QUERY runs only on
# a tree with syntax errors, where a keyword may be MISSING, or when a caller left its
# captures in ctx.cache[SCAN_CACHE_KEY]). Bindings likewise: `binds(name, scope)` finds
# the bindings of one name from its spellings; only the full set of a scope
# (`bindings_of_scope`, rarely needed) runs _BINDINGS over the tree. Neither costs a walk
# of the tree in the common case.
SCAN_QUERY = _IMPORTS
SCAN_CACHE_KEY = "python.semantic.scan"
_IMPORT_KINDS = {"import_statement": "import", "import_from_statement": "from"}


@functools.cache
def _query(src: str) -> Query:
    return Query(language("python"), src)


def enclosing(node: Node, types: tuple[str, ...]) -> Node | None:
    p = node.parent
    while p is not None:
        if p.type in types:
            return p
        p = p.parent
    return None


def scope_of(node: Node) -> Node | None:
    """Nearest enclosing function/lambda/class, or None at module level."""
    return enclosing(node, SCOPE_TYPES)


def _binds_here(node: Node) -> bool:
    """Whether the identifier `node` is in a binding position of the patterns above _BINDINGS."""
    p = node.parent
    if p is None:
        return False
    t = p.type
    if t in ("function_definition", "class_definition", "named_expression"):
        return p.child_by_field_name("name") == node
    if t in ("assignment", "augmented_assignment", "for_statement"):
        return p.child_by_field_name("left") == node
    if t in ("pattern_list", "tuple_pattern"):
        g = p.parent
        if g is None or g.child_by_field_name("left") != p:
            return False
        return g.type == "assignment" or (g.type == "for_statement" and t == "pattern_list")
    if t == "as_pattern_target":
        g = p.parent
        if g is None or g.type != "as_pattern" or g.child_by_field_name("alias") != p:
            return False
        w = g.parent
        return w is not None and w.type == "with_item" and w.child_by_field_name("value") == g
    return False


def _bindings(root: Node) -> list[Node]:
    """The identifiers in binding position under `root` (those of _BINDINGS), in document order."""
    found: list[Node] = []
    for site in QueryCursor(_query(_BINDINGS)).captures(root).get("site", ()):
        if site.type == "with_item":
            pattern = site.child_by_field_name("value")
            target = pattern.child_by_field_name("alias") if pattern is not None and pattern.type == "as_pattern" else None
            candidates = target.named_children if target is not None else ()
        else:
            child = site.child_by_field_name("name" if site.type in _NAMED_SITES else "left")
            if child is not None and child.type in ("pattern_list", "tuple_pattern"):
                candidates = child.named_children
            else:
                candidates = (child,) if child is not None else ()
        found.extend(c for c in candidates if c.type == "identifier" and _binds_here(c))
    found.sort(key=lambda n: n.start_byte)
    return found


_NAMED_SITES = frozenset({"function_definition", "class_definition", "named_expression"})


def parameter_names(func: Node) -> list[str]:
    params = func.child_by_field_name("parameters")
    names: list[str] = []
    if params is None:
        return names
    for p in params.named_children:
        if p.type == "identifier":
            names.append(p.text.decode())
            continue
        name = p.child_by_field_name("name")
        if name is None:
            for c in p.named_children:
                if c.type == "identifier":
                    name = c
                    break
        if name is not None and name.type == "identifier":
            names.append(name.text.decode())
    return names


class PythonModule:
    def __init__(self, ctx: "FileContext") -> None:
        self.ctx = ctx
        self.root = ctx.tree.root_node
        self._scope_bindings: dict[int, set[str]] = {}
        self._sites: dict[str, list[tuple[int | None, int, int]]] = {}
        self._params: dict[int, list[str]] = {}

    # --- imports ---------------------------------------------------------------------
    @functools.cached_property
    def imports(self) -> dict[str, str]:
        """Local name -> qualified name, from every import in the file.

        Module-level imports win over function-level ones of the same local name.
        """
        module_level: dict[str, str] = {}
        nested: dict[str, str] = {}
        caps = self._scan
        for kind in ("import", "from"):
            for stmt in caps.get(kind, []):
                target = module_level if stmt.parent is not None and stmt.parent.type == "module" else nested
                if kind == "import":
                    self._read_import(stmt, target)
                else:
                    self._read_from(stmt, target)
        return {**nested, **module_level}

    @staticmethod
    def _read_import(stmt: Node, out: dict[str, str]) -> None:
        for child in stmt.named_children:
            if child.type == "dotted_name":
                dotted = child.text.decode()
                out[dotted.split(".")[0]] = dotted.split(".")[0]
            elif child.type == "aliased_import":
                name = child.child_by_field_name("name")
                alias = child.child_by_field_name("alias")
                if name is not None and alias is not None:
                    out[alias.text.decode()] = name.text.decode()

    @staticmethod
    def _read_from(stmt: Node, out: dict[str, str]) -> None:
        module_node = stmt.child_by_field_name("module_name")
        if module_node is None:
            return
        module = module_node.text.decode()
        for child in stmt.children_by_field_name("name"):
            if child.type == "dotted_name":
                name = child.text.decode()
                out[name.split(".")[-1]] = f"{module}.{name}"
            elif child.type == "aliased_import":
                name = child.child_by_field_name("name")
                alias = child.child_by_field_name("alias")
                if name is not None and alias is not None:
                    out[alias.text.decode()] = f"{module}.{name.text.decode()}"

    @functools.cached_property
    def _scan(self) -> dict[str, list[Node]]:
        """The import statements of the whole file, in document order ("import", "from")."""
        prefetched = self.ctx.cache.get(SCAN_CACHE_KEY)
        if prefetched is not None and self.ctx.tree.root_node == self.root:
            return prefetched["captures"]
        if not self.root.has_error:
            # Every import statement has its `import` keyword in the source (a MISSING one
            # only in a broken tree): find them from the spellings, without a tree walk.
            found: dict[str, list[Node]] = {"import": [], "from": []}
            source = self.ctx.source
            end = len(source)
            at = source.find(b"import")
            while at >= 0:
                if (at == 0 or source[at - 1] not in WORD_BYTES) and (at + 6 == end or source[at + 6] not in WORD_BYTES):
                    node = self.root.descendant_for_byte_range(at, at + 6)
                    if node is not None and node.type == "import" and node.start_byte == at and node.parent is not None:
                        kind = _IMPORT_KINDS.get(node.parent.type)
                        if kind is not None:
                            found[kind].append(node.parent)
                at = source.find(b"import", at + 1)
            return {k: v for k, v in found.items() if v}
        caps = QueryCursor(_query(SCAN_QUERY)).captures(self.root)
        # Document order (QueryCursor.captures does not promise it): of two imports of one
        # name, the later one in the file wins, as when the module runs top to bottom.
        for nodes in caps.values():
            nodes.sort(key=lambda n: n.start_byte)
        return caps

    @functools.cached_property
    def _bound_by_scope(self) -> dict[int | None, list[Node]]:
        groups: dict[int | None, list[Node]] = {}
        for node in _bindings(self.root):
            groups.setdefault(self._owning_scope(node), []).append(node)
        return groups

    def _binding_sites(self, name: str) -> list[tuple[int | None, int, int]]:
        """(owning scope id, start, end) of every identifier `name` in a binding position
        of _BINDINGS, found from the name's spellings in the source (a name is rarely
        spelled more than a few times; the query would walk the whole tree)."""
        found = self._sites.get(name)
        if found is not None:
            return found
        found = []
        word = name.encode("utf-8", "surrogateescape")
        source = self.ctx.source
        n = len(word)
        end = len(source)
        root = self.root
        at = source.find(word) if n else -1
        while at >= 0:
            if (at == 0 or source[at - 1] not in WORD_BYTES) and (at + n == end or source[at + n] not in WORD_BYTES):
                node = root.descendant_for_byte_range(at, at + n)
                if node is not None and node.type == "identifier" and node.start_byte == at and node.end_byte == at + n and _binds_here(node):
                    found.append((self._owning_scope(node), node.start_byte, node.end_byte))
            at = source.find(word, at + 1)
        self._sites[name] = found
        return found

    def binds(self, name: str, scope: Node | None) -> bool:
        """`name in bindings_of_scope(scope)`, without collecting every name of the scope."""
        cached = self._scope_bindings.get(scope.id if scope is not None else -1)
        if cached is not None:
            return name in cached
        if scope is not None and scope.type in FUNCTION_TYPES:
            params = self._params.get(scope.id)
            if params is None:
                params = self._params[scope.id] = parameter_names(scope)
            if name in params:
                return True
        body = scope.child_by_field_name("body") if scope is not None else self.root
        if body is None:
            return False
        key = scope.id if scope is not None else None
        lo, hi = body.start_byte, body.end_byte
        return any(owner == key and lo <= start and stop <= hi for owner, start, stop in self._binding_sites(name))

    def imported_modules(self) -> set[str]:
        return set(self.imports.values())

    # --- bindings and shadowing ------------------------------------------------------
    def bindings_of_scope(self, scope: Node | None) -> set[str]:
        """Names bound directly in `scope` (module when None), imports excluded."""
        key = scope.id if scope is not None else -1
        cached = self._scope_bindings.get(key)
        if cached is not None:
            return cached
        target = scope if scope is not None else self.root
        names: set[str] = set()
        if scope is not None and scope.type in FUNCTION_TYPES:
            names.update(parameter_names(scope))
        body = target.child_by_field_name("body") if scope is not None else target
        if body is not None:
            lo, hi = body.start_byte, body.end_byte
            for node in self._bound_by_scope.get(scope.id if scope is not None else None, ()):
                if lo <= node.start_byte and node.end_byte <= hi:
                    names.add(node.text.decode())
        self._scope_bindings[key] = names
        return names

    @staticmethod
    def _owning_scope(node: Node) -> int | None:
        # A def/class name belongs to the scope around the def, not the def itself.
        p = node.parent
        if p is not None and p.type in ("function_definition", "class_definition") and p.child_by_field_name("name") == node:
            p = p.parent
        while p is not None and p.type not in SCOPE_TYPES:
            p = p.parent
        return p.id if p is not None else None

    def is_bound_locally(self, name: str, at: Node) -> bool:
        """Whether `name` at `at` refers to something defined in this file (not an import)."""
        scope = scope_of(at)
        while scope is not None:
            if scope.type != "class_definition" and self.binds(name, scope):
                return True
            scope = scope_of(scope)
        return self.binds(name, None)

    # --- resolution ------------------------------------------------------------------
    def qualified_name(self, expr: Node | None) -> str | None:
        """`rq.get` -> "requests.get", `print` -> "builtins.print"; None when unknown/local."""
        if expr is None:
            return None
        if expr.type == "identifier":
            name = expr.text.decode()
            if self.is_bound_locally(name, expr):
                return None
            if name in self.imports:
                return self.imports[name]
            if name in BUILTIN_NAMES:
                return f"builtins.{name}"
            return None
        if expr.type == "attribute":
            obj = expr.child_by_field_name("object")
            attr = expr.child_by_field_name("attribute")
            base = self.qualified_name(obj)
            if base is None or attr is None:
                return None
            return f"{base}.{attr.text.decode()}"
        return None

    def call_name(self, call: Node) -> str | None:
        return self.qualified_name(call.child_by_field_name("function"))

    # --- small structural helpers ----------------------------------------------------
    @staticmethod
    def in_main_guard(node: Node) -> bool:
        """Inside `if __name__ == "__main__":`."""
        p = node.parent
        while p is not None:
            if p.type == "if_statement":
                cond = p.child_by_field_name("condition")
                if cond is not None:
                    text = cond.text.decode().replace("'", '"').replace(" ", "")
                    if text in ('__name__=="__main__"', '"__main__"==__name__'):
                        return True
            p = p.parent
        return False

    @functools.cached_property
    def module_logger_name(self) -> str | None:
        """Name of a module-level `x = logging.getLogger(...)`, when there is one."""
        for stmt in self.root.named_children:
            if stmt.type != "expression_statement" or not stmt.named_children:
                continue
            assign = stmt.named_children[0]
            if assign.type != "assignment":
                continue
            left, right = assign.child_by_field_name("left"), assign.child_by_field_name("right")
            if left is None or right is None or left.type != "identifier" or right.type != "call":
                continue
            if self.call_name(right) in ("logging.getLogger", "structlog.get_logger", "loguru.logger"):
                return left.text.decode()
        return None

    def import_insertion_point(self) -> int:
        """Byte offset where a new top-level import goes: after the docstring, the
        `from __future__` imports and the existing import block."""
        offset = 0
        children = self.root.named_children
        i = 0
        while i < len(children) and children[i].type == "comment":  # shebang, coding, license
            i += 1
        if i < len(children) and children[i].type == "expression_statement" and children[i].named_children and children[i].named_children[0].type == "string":
            offset = children[i].end_byte
            i += 1
        else:
            i = 0
        while i < len(children) and children[i].type in ("import_statement", "import_from_statement", "future_import_statement", "comment"):
            offset = children[i].end_byte
            i += 1
        return offset

    def add_import_edit(self, statement: str):
        """An Edit adding `statement` (e.g. "import asyncio") unless already present."""
        from ..model import Edit

        src = self.ctx.source
        for stmt in self.root.named_children:
            if stmt.type in ("import_statement", "import_from_statement") and stmt.text.decode() == statement:
                return None
        at = self.import_insertion_point()
        nl = "\r\n" if b"\r\n" in src[:4096] else "\n"
        if at == 0:
            return Edit.insert(0, statement + nl)
        # Insert after the end of the line holding `at`.
        line_end = src.find(b"\n", at)
        if line_end == -1:
            return Edit.insert(len(src), nl + statement + nl)
        return Edit.insert(line_end + 1, statement + nl)
