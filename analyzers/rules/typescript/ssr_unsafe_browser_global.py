"""RL402 ssr-unsafe-browser-global (TypeScript / JavaScript)."""

from __future__ import annotations

import re

from tree_sitter import Node

from ...languages import TYPESCRIPT
from ...model import FixAvailability, Severity
from ...rule import Captures, Rule
from ...typescript.gated import sound_filter, word_nodes
from ...typescript.project import dependencies, package_json
from ...typescript.roles import SERVER, SHARED
from ...typescript.scope import (
    binding_scope,
    find_binding,
    in_type_context,
    is_declared_in_module,
    runs_at_module_load,
    string_value,
)

BROWSER_GLOBALS = ("window", "document", "localStorage", "sessionStorage", "navigator")
SSR_FRAMEWORKS = ("next", "gatsby", "astro")
SSR_PREFIXES = ("@remix-run/",)
_NOT_A_REFERENCE_FIELDS = ("name", "key", "label", "property")


def renders_on_server(deps: set[str]) -> bool:
    return any(d in SSR_FRAMEWORKS or d.startswith(SSR_PREFIXES) for d in deps)


_GLOBAL_WORDS = re.compile(rb"window|document|localStorage|sessionStorage|navigator")
_IDENTIFIER = frozenset({"identifier"})

class SsrUnsafeBrowserGlobal(Rule):
    """
    ## What it does
    In projects that render on the server (the nearest `package.json` depends on `next`,
    `@remix-run/*`, `gatsby` or `astro`), flags `window`, `document`, `localStorage`,
    `sessionStorage` and `navigator` evaluated at module scope of a server or shared module
    (see the file roles): code that runs when the module is imported, not inside a function
    body. Static class fields, static blocks and `extends` clauses run at import time too;
    instance field initializers and function bodies do not.

    Not flagged: uses guarded by `typeof window !== "undefined"` (or `typeof document`,
    `typeof navigator`, ..., in an `if`, a ternary, `&&`/`||`, or through a module constant
    such as `const isBrowser = typeof window !== "undefined"`), uses inside a `try` block,
    `typeof window` itself, type positions, and client modules (`"use client"` files and
    components imported only from them). Note that in the Next.js App Router a
    `"use client"` module is still rendered on the server for the first response; the
    catalog limits this rule to server and shared modules, so keep browser globals of
    client modules inside effects and event handlers too.

    ## Why is this bad?
    During server rendering there is no `window` or `localStorage`: importing the module
    throws `ReferenceError: window is not defined`, and the page fails with a 500 (or a
    build error for statically generated pages).

    ## Example
    ```ts
    // lib/api.ts
    const token = localStorage.getItem("token");
    export const api = axios.create({ headers: { Authorization: `Bearer ${token}` } });
    ```

    ## Use instead
    ```ts
    // lib/api.ts
    export const api = axios.create();
    api.interceptors.request.use((config) => {
      const token = typeof window !== "undefined" ? localStorage.getItem("token") : null;
      if (token) config.headers.Authorization = `Bearer ${token}`;
      return config;
    });
    ```

    ## Fix safety
    No fix: moving the code into a function, an effect or a guard changes when it runs.
    """

    code = "RL402"
    requires = r"window|document|localStorage|sessionStorage|navigator"
    name = "ssr-unsafe-browser-global"
    language = TYPESCRIPT
    severity = Severity.WARNING
    fix_availability = FixAvailability.NONE
    messages = {
        "default": "`{name}` is evaluated at module scope of a {role} module: importing it during "
        "server rendering throws `ReferenceError: {name} is not defined`",
    }
    # Matched in finish() from the source's words (typescript/gated.py), standing for
    #   ((identifier) @global
    #     (#any-of? @global "window" "document" "localStorage" "sessionStorage" "navigator"))
    # whose predicate py-tree-sitter would evaluate on every identifier of every file.
    query = ""

    def __init__(self, ctx, options=None) -> None:
        super().__init__(ctx, options)
        self._active: bool | None = None
        self._seen: set[tuple[int, str]] = set()
        self._guards: dict[str, bool | None] = {}

    def _is_active(self) -> bool:
        if self._active is None:
            # The project's dependencies first: the file's role may need the import graph.
            self._active = renders_on_server(
                dependencies(package_json(self.ctx.workspace, self.ctx.path))
            ) and self.ctx.role in (SERVER, SHARED)
        return self._active

    def finish(self) -> None:
        globals_ = word_nodes(self.ctx, _GLOBAL_WORDS, _IDENTIFIER)
        for _, captures in sound_filter(self.ctx, ((0, {"global": [n]}) for n in globals_)):
            self.on_match(captures, 0)

    def on_match(self, captures: Captures, pattern: int) -> None:
        ident = captures["global"][0]
        parent = ident.parent
        if parent is None:
            return
        name = ident.text.decode()
        if parent.type == "unary_expression" and parent.children[0].type == "typeof":
            return
        field = parent.field_name_for_child(_index(parent, ident))
        if field in _NOT_A_REFERENCE_FIELDS and parent.type not in ("member_expression", "subscript_expression"):
            return
        if parent.type == "member_expression" and field == "property":
            return
        if not runs_at_module_load(ident) or in_type_context(ident):
            return
        if not self._is_active():
            return
        if is_declared_in_module(self.ctx.tree.root_node, name) or name in self.ctx.ts.imports:
            return
        if binding_scope(name, ident) is not None:
            return
        if self._guarded(ident):
            return
        stmt = _top_statement(ident)
        # One finding per top-level statement: the first global it touches is the one that throws.
        key = (stmt.start_byte if stmt is not None else ident.start_byte, "")
        if key in self._seen:
            return
        self._seen.add(key)
        self.report(ident, name=name, role=self.ctx.role)

    # --- guards ------------------------------------------------------------------------
    def _guarded(self, node: Node) -> bool:
        child, p = node, node.parent
        while p is not None:
            t = p.type
            if t == "try_statement" and p.child_by_field_name("body") == child:
                return True
            if t in ("if_statement", "ternary_expression"):
                cond = p.child_by_field_name("condition")
                if cond is not None and child != cond:
                    polarity = self._polarity(cond)
                    if polarity is not None:
                        in_then = child == p.child_by_field_name("consequence")
                        if polarity == in_then:
                            return True
            if t == "binary_expression":
                op = p.child_by_field_name("operator")
                left, right = p.child_by_field_name("left"), p.child_by_field_name("right")
                if op is not None and right == child and left is not None:
                    polarity = self._polarity(left)
                    if op.type == "&&" and polarity is True:
                        return True
                    if op.type == "||" and polarity is False:
                        return True
            if t == "program":
                break
            child, p = p, p.parent
        return False

    def _polarity(self, cond: Node, depth: int = 0) -> bool | None:
        """True when `cond` being truthy means "in a browser", False when it means "on the
        server", None when it is not a browser check."""
        if depth > 6 or cond is None:
            return None
        t = cond.type
        if t == "parenthesized_expression":
            return self._polarity(cond.named_children[0] if cond.named_children else None, depth + 1)
        if t == "unary_expression" and cond.children[0].type == "!":
            inner = self._polarity(cond.named_children[0] if cond.named_children else None, depth + 1)
            return None if inner is None else not inner
        if t == "binary_expression":
            op = cond.child_by_field_name("operator")
            left, right = cond.child_by_field_name("left"), cond.child_by_field_name("right")
            if op is None or left is None or right is None:
                return None
            o = op.type
            if o in ("&&", "||"):
                lp, rp = self._polarity(left, depth + 1), self._polarity(right, depth + 1)
                if o == "&&" and (lp is True or rp is True):
                    return True
                if o == "||" and (lp is False or rp is False):
                    return False
                return None
            if o in ("===", "!==", "==", "!="):
                probe, other = (left, right) if _is_typeof_global(left) else (right, left)
                if _is_typeof_global(probe):
                    value = string_value(other)
                    if value == "undefined":
                        return o in ("!==", "!=")
                    if value in ("object", "function"):
                        return o in ("===", "==")
                    return None
                # window !== undefined is itself a ReferenceError on the server: not a guard
                return None
            return None
        if t == "identifier":  # const isBrowser = typeof window !== "undefined"
            name = cond.text.decode()
            if name not in self._guards:
                self._guards[name] = None
                binding = find_binding(name, cond)
                if binding is not None and binding.kind == "const" and binding.key is None and binding.init is not None:
                    self._guards[name] = self._polarity(binding.init, depth + 1)
            return self._guards[name]
        if t == "member_expression" and self.ctx.text(cond) in ("process.browser", "process.client"):
            return True
        if t == "member_expression" and self.ctx.text(cond) in ("process.server",):
            return False
        if t == "call_expression":  # isBrowser() / canUseDOM()
            fn = cond.child_by_field_name("function")
            if fn is not None and fn.type == "identifier" and fn.text.decode() in ("isBrowser", "isClient", "canUseDOM", "isServer"):
                return fn.text.decode() != "isServer"
        return None


def _is_typeof_global(node: Node) -> bool:
    while node is not None and node.type == "parenthesized_expression":
        node = node.named_children[0] if node.named_children else None
    if node is None or node.type != "unary_expression" or node.children[0].type != "typeof":
        return False
    arg = node.named_children[0] if node.named_children else None
    while arg is not None and arg.type == "parenthesized_expression":
        arg = arg.named_children[0] if arg.named_children else None
    if arg is None:
        return False
    text = arg.text.decode()
    return text in BROWSER_GLOBALS or text in ("globalThis.window", "globalThis.document", "self", "HTMLElement")


def _index(parent: Node, child: Node) -> int:
    for i, c in enumerate(parent.children):
        if c.id == child.id:
            return i
    return 0


def _top_statement(node: Node) -> Node | None:
    while node.parent is not None and node.parent.type != "program":
        node = node.parent
    return node if node.parent is not None else None
