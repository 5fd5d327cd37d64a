"""Name resolution for TypeScript/JavaScript, from the tree: imports and requires.

`qualified_name(expr)` turns `fs.readFileSync`, `readFileSync` or `cp.execSync` into
`fs.readFileSync` / `child_process.execSync`, knowing ES imports (default, namespace,
named with aliases) and CommonJS `require`. "node:" prefixes are dropped.
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING

from tree_sitter import Node

from .gated import word_nodes

if TYPE_CHECKING:
    from ..context import FileContext

FUNCTION_TYPES = (
    "function_declaration", "function_expression", "arrow_function", "method_definition",
    "generator_function_declaration", "generator_function",
)

# Bare (the source's fragments are read in Python, _with_sources), standing for
#   (import_statement source: (string (string_fragment) @src)) @import
# whose two steps cost ~2.5 ms of every compile of a query holding it.
_IMPORTS = """
(import_statement) @import
"""
# `const x = require("m")` and `const x = await import("m")` are found from the words of
# the source (_bindings_of_calls), standing for the patterns
#   (variable_declarator
#     name: (_) @name
#     value: (call_expression function: (identifier) @req arguments: (arguments (string (string_fragment) @src)))
#     (#eq? @req "require")) @require
#   (variable_declarator
#     name: (_) @name
#     value: (await_expression (call_expression function: (import) arguments: (arguments (string (string_fragment) @src))))) @dynamic
# whose two expression steps each cost ~3.5 ms of every compile of a query holding them.
_CALL_WORDS = re.compile(rb"require|import")
_CALLEE_TYPES = frozenset({"identifier", "import"})


# The engine runs _IMPORTS inside its combined query and leaves the matches in
# ctx.cache[IMPORTS_CACHE_KEY]; without them (no rule's query ran on the file, or a
# context built elsewhere) the model reads the statements from the `import` keywords.
IMPORTS_CACHE_KEY = "typescript.semantic.imports"
# Every _IMPORTS match holds this word (the engine's anchored matching, anchors.py).
IMPORTS_ANCHOR = r"\bimport\b"


def _with_sources(matches: list) -> list:
    """The matches of the bare _IMPORTS as those of the pattern it stands for: one per
    string fragment of the statement's source (none for `import ""`)."""
    out = []
    for _, caps in matches:
        statement = caps["import"][0]
        source = statement.child_by_field_name("source")
        if source is None or source.type != "string":
            continue
        for fragment in source.named_children:
            if fragment.type == "string_fragment":
                out.append((0, {"import": [statement], "src": [fragment]}))
    return out


def _root_of(caps: dict) -> Node:
    for key in ("import", "require", "dynamic"):
        if key in caps:
            return caps[key][0]
    raise KeyError("no root capture")


def normalize_module(spec: str) -> str:
    return spec[5:] if spec.startswith("node:") else spec


def enclosing_function(node: Node) -> Node | None:
    p = node.parent
    while p is not None:
        if p.type in FUNCTION_TYPES:
            return p
        p = p.parent
    return None


def is_async_function(func: Node) -> bool:
    return any(c.type == "async" for c in func.children)


def function_name(func: Node) -> str | None:
    name = func.child_by_field_name("name")
    if name is not None:
        return name.text.decode()
    parent = func.parent
    if parent is not None and parent.type == "variable_declarator":
        n = parent.child_by_field_name("name")
        return n.text.decode() if n is not None else None
    if parent is not None and parent.type == "pair":
        k = parent.child_by_field_name("key")
        return k.text.decode() if k is not None else None
    return None


class TsModule:
    def __init__(self, ctx: "FileContext") -> None:
        self.ctx = ctx
        self.root = ctx.tree.root_node

    @functools.cached_property
    def _import_matches(self) -> list:
        # One walk of the tree serves both `imports` and `module_sources`.
        prefetched = self.ctx.cache.get(IMPORTS_CACHE_KEY)
        if prefetched is not None and self.ctx.tree.root_node == self.root:
            matches = _with_sources(prefetched["matches"])
        else:
            # Not matched in the engine's walk: found from the `import` keywords, which
            # costs neither a walk of the tree nor a compile of _IMPORTS (~2-4 ms in every
            # process, a TypeScript grammar's parse table being large).
            matches = _with_sources([(0, {"import": [statement]}) for statement in self._import_statements()])
        calls = self._bindings_of_calls()
        if not calls:
            return matches
        # Document order, as one query of all three patterns would give them.
        merged = list(matches) + calls
        merged.sort(key=lambda m: (_root_of(m[1]).start_byte, m[1]["src"][0].start_byte))
        return merged

    @functools.cached_property
    def _call_words(self) -> list[Node]:
        return list(word_nodes(self.ctx, _CALL_WORDS, _CALLEE_TYPES))

    def _import_statements(self) -> list[Node]:
        """The import statements of the tree, in document order: what the bare _IMPORTS
        matches, read from the `import` keyword each one holds."""
        return [word.parent for word in self._call_words
                if not word.is_named and word.parent is not None and word.parent.type == "import_statement"]

    def _bindings_of_calls(self) -> list:
        out: list = []
        for word in self._call_words:
            if not word.is_named:
                # The keyword: in `import("m")` it sits in a named `import` node, in an
                # import statement directly in the statement.
                word = word.parent
                if word is None or word.type != "import" or not word.is_named:
                    continue
            call = word.parent
            if call is None or call.type != "call_expression" or call.child_by_field_name("function") != word:
                continue
            if word.type == "identifier":
                if word.text != b"require":
                    continue
                decl = call.parent
                if decl is None or decl.type != "variable_declarator" or decl.child_by_field_name("value") != call:
                    continue
                kind = "require"
            else:
                wait = call.parent
                if wait is None or wait.type != "await_expression":
                    continue
                decl = wait.parent
                if decl is None or decl.type != "variable_declarator" or decl.child_by_field_name("value") != wait:
                    continue
                kind = "dynamic"
            name = decl.child_by_field_name("name")
            args = call.child_by_field_name("arguments")
            if name is None or not name.is_named or args is None or args.type != "arguments":
                continue
            for string in args.named_children:
                if string.type != "string":
                    continue
                for fragment in string.named_children:
                    if fragment.type != "string_fragment":
                        continue
                    caps = {"name": [name], "src": [fragment], kind: [decl]}
                    if kind == "require":
                        caps["req"] = [word]
                    out.append((1 if kind == "require" else 2, caps))
        return out  # unfiltered for soundness, like the engine's prefetched matches

    @functools.cached_property
    def imports(self) -> dict[str, str]:
        """Local name -> "module" (default/namespace import) or "module.export"."""
        out: dict[str, str] = {}
        for _, caps in self._import_matches:
            module = normalize_module(caps["src"][0].text.decode())
            if "import" in caps:
                self._read_import(caps["import"][0], module, out)
            else:
                name = caps["name"][0]
                if name.type == "identifier":
                    out[name.text.decode()] = module
                elif name.type == "object_pattern":
                    for prop in name.named_children:
                        if prop.type == "shorthand_property_identifier_pattern":
                            out[prop.text.decode()] = f"{module}.{prop.text.decode()}"
                        elif prop.type == "pair_pattern":
                            key, value = prop.child_by_field_name("key"), prop.child_by_field_name("value")
                            if key is not None and value is not None and value.type == "identifier":
                                out[value.text.decode()] = f"{module}.{key.text.decode()}"
        return out

    @staticmethod
    def _read_import(stmt: Node, module: str, out: dict[str, str]) -> None:
        clause = next((c for c in stmt.named_children if c.type == "import_clause"), None)
        if clause is None:
            return
        for part in clause.named_children:
            if part.type == "identifier":  # default import
                out[part.text.decode()] = module
            elif part.type == "namespace_import":
                ident = next((c for c in part.named_children if c.type == "identifier"), None)
                if ident is not None:
                    out[ident.text.decode()] = module
            elif part.type == "named_imports":
                for spec in part.named_children:
                    if spec.type != "import_specifier":
                        continue
                    name = spec.child_by_field_name("name")
                    alias = spec.child_by_field_name("alias")
                    if name is None:
                        continue
                    local = (alias or name).text.decode()
                    out[local] = f"{module}.{name.text.decode().strip(chr(34) + chr(39))}"

    @functools.cached_property
    def imported_modules(self) -> set[str]:
        return {v if "." not in v or v.startswith((".", "@")) else v.split(".")[0] for v in self.imports.values()} | {
            v for v in self.imports.values()
        }

    def module_sources(self) -> set[str]:
        """Every module specifier imported or required by the file."""
        out = set()
        for _, caps in self._import_matches:
            out.add(normalize_module(caps["src"][0].text.decode()))
        return out

    def qualified_name(self, expr: Node | None) -> str | None:
        if expr is None:
            return None
        if expr.type == "identifier":
            return self.imports.get(expr.text.decode())
        if expr.type == "member_expression":
            obj = expr.child_by_field_name("object")
            prop = expr.child_by_field_name("property")
            if prop is None:
                return None
            base = self.qualified_name(obj)
            if base is None:
                return None
            return f"{base}.{prop.text.decode()}"
        return None

    def callee_text(self, call: Node) -> str:
        fn = call.child_by_field_name("function")
        return fn.text.decode() if fn is not None else ""
