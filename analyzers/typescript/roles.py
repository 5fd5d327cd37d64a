"""File roles for TS/JS (catalog: "File roles"): client, server, shared or script.

* script: `scripts/`, config files (`*.config.*`, `.*rc.js`), tests (the catalog's test paths,
  plus `__mocks__/`) and Storybook stories (`*.stories.*`): code that never ships to users.
* client: a `"use client"` module, or a React component module (.tsx/.jsx or a module
  importing react) imported only from client modules. Importers are found by scanning
  the project's own files through the Workspace (analyzers/typescript/project.py);
  tests, stories and scripts importing a component do not count; a re-exporting barrel
  (`components/index.ts`) is transparent: it is client-only when all its importers are.
  A component nobody imports (an App Router page without "use client") is not client.
* server: `app/**/route.ts`, `pages/api/**`, `middleware.ts`, `instrumentation.ts`,
  `server/` folders, `"use server"` modules, modules importing `fs`, `child_process`,
  `next/server`, `next/headers`, `server-only` or a Node server framework.
* shared: everything else (it ships to both sides: Pages Router pages, App Router server
  components' helpers, `lib/` code).
"""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING

from .project import (
    USE_CLIENT_RE,
    USE_SERVER_RE,
    ImportGraph,
    import_graph,
    innermost,
    is_react_module,
    posix_rel,
)
from .semantic import normalize_module

if TYPE_CHECKING:
    from ..context import FileContext

CLIENT, SERVER, SHARED, SCRIPT = "client", "server", "shared", "script"

SERVER_MODULES = frozenset({
    "fs", "fs/promises", "child_process", "next/server", "next/headers", "server-only",
    "express", "fastify", "koa", "@hapi/hapi", "hapi", "http", "https", "net", "@nestjs/core",
    "@nestjs/common", "@hono/node-server", "restify", "@koa/router", "koa-router",
})
_SERVER_PREFIXES = ("@nestjs/", "@fastify/")
_SCRIPT_PATH = re.compile(
    r"(^|/)(scripts|tests?|__tests__|__mocks__|e2e|cypress|playwright)/"
    r"|(^|/)[^/]*\.(test|spec|config|stories|story)\.[^/]+$"
    r"|(^|/)setupTests\.[^/]+$|(^|/)\.[^/]*rc\.[cm]?[jt]s$"
)
_SERVER_PATH = re.compile(
    r"(^|/)app/(.*/)?route\.(ts|js|mjs|cjs|tsx|jsx)$|(^|/)pages/api/"
    r"|(^|/)(middleware|instrumentation)\.(ts|js|mjs)$|(^|/)server/"
)
MAX_DEPTH = 8
MAX_VISITS = 400


def is_server_module(module: str) -> bool:
    m = normalize_module(module)
    return m in SERVER_MODULES or m.startswith(_SERVER_PREFIXES)


def path_role(rel: str) -> str | None:
    """The role decided by the path alone (script or server), else None."""
    if _SCRIPT_PATH.search(rel):
        return SCRIPT
    if _SERVER_PATH.search(rel):
        return SERVER
    return None


def file_role(ctx: FileContext) -> str:
    rel = ctx.rel_path
    by_path = path_role(rel)
    if by_path == SCRIPT:
        return SCRIPT
    head = ctx.source[:4000].decode("utf-8", "replace")
    if USE_CLIENT_RE.match(head):
        return CLIENT
    if by_path == SERVER or USE_SERVER_RE.match(head):
        return SERVER
    if any(is_server_module(m) for m in ctx.ts.module_sources()):
        return SERVER
    if is_react_module(ctx.path, head if len(ctx.source) <= 4000 else ctx.source.decode("utf-8", "replace")):
        try:
            graph = import_graph(ctx.workspace, ctx.path)
        except Exception:  # a broken project layout must not stop the analysis
            return SHARED
        search = _ClientSearch(graph)
        client = search.only_client(os.path.abspath(ctx.path))
        if ctx.workspace is not innermost(ctx.workspace):
            # A wrapping workspace (the result cache's recorder) learns which files decided the role.
            for path in sorted(search.consulted):
                ctx.workspace.read_text(path)
        if client:
            return CLIENT
    return SHARED


class _ClientSearch:
    """Bounded depth-first search: does every project importer of a file run only on the client?"""

    def __init__(self, graph: ImportGraph) -> None:
        self.graph = graph
        self.memo: dict[str, bool] = {}
        self.visits = 0
        self.consulted: set[str] = set()

    def _role_of(self, path: str) -> str | None:
        facts = self.graph.files.get(path)
        if facts is None:
            return None
        by_path = path_role(posix_rel(path, self.graph.root))
        if by_path == SCRIPT:
            return SCRIPT
        if facts.use_client:
            return CLIENT
        if by_path == SERVER or facts.use_server or any(is_server_module(s) for s in facts.specifiers):
            return SERVER
        return None

    def only_client(self, path: str, depth: int = 0, stack: frozenset[str] = frozenset()) -> bool:
        if path in self.memo:
            return self.memo[path]
        live = [p for p in self.graph.importers_of(path) if self._role_of(p) != SCRIPT]
        self.consulted.update(live)
        importers = [p for p in live if p not in stack]
        if not importers:
            # Only reached back through an import cycle: no evidence against the path being searched.
            return bool(live) and bool(stack)
        result = True
        for imp in importers:
            self.visits += 1
            if self.visits > MAX_VISITS or depth >= MAX_DEPTH:
                result = False
                break
            role = self._role_of(imp)
            if role == CLIENT:
                continue
            if role == SERVER or not self.only_client(imp, depth + 1, stack | {path}):
                result = False
                break
        if not stack:  # results inside a cycle depend on the path taken: memoize top-level only
            self.memo[path] = result
        return result
