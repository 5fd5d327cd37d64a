"""RL201 blocking-call-in-async (TypeScript / JavaScript)."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

from tree_sitter import Node, Query, QueryCursor

from ...languages import TYPESCRIPT, language
from ...model import Applicability, Edit, FixAvailability, Severity
from ...rule import Captures, Rule
from ...typescript.gated import sound_filter, word_nodes
from ...typescript.semantic import FUNCTION_TYPES, function_name, is_async_function

FS_MODULES = frozenset({"fs", "fs-extra", "graceful-fs"})
CHILD_PROCESS_SYNC = frozenset({"execSync", "spawnSync", "execFileSync"})
BUILD_TIME_FUNCTIONS = frozenset({"getStaticProps", "getStaticPaths", "generateStaticParams"})
# `fs.<x>Sync` -> `fs.promises.<x>` with the same arguments and result.
PROMISE_TWINS = {
    f"{name}Sync": name
    for name in (
        "access", "appendFile", "chmod", "chown", "copyFile", "cp", "lchown", "lutimes", "link", "lstat",
        "mkdir", "mkdtemp", "opendir", "readdir", "readFile", "readlink", "realpath", "rename", "rm", "rmdir",
        "stat", "statfs", "symlink", "truncate", "unlink", "utimes", "writeFile",
    )
}
# Array methods that call their callback synchronously, before returning.
SYNC_CALLBACK_METHODS = frozenset({
    "map", "forEach", "filter", "reduce", "reduceRight", "some", "every", "find", "findIndex", "findLast",
    "findLastIndex", "flatMap", "sort", "toSorted",
})
_CONFIG_FILE = re.compile(r"(^|/)[^/]*\.config\.[^/]+$")
_PROMISES_NAME = "fsPromises"
_MINIFIED_NAME = re.compile(r"\.min\.[cm]?js$")
# Callee names ending in `Sync`: every hit of the word, kept when a name ends there.
_SYNC = re.compile(rb"Sync")
_SYNC_NAMES = frozenset({"identifier", "property_identifier"})


def _looks_minified(source: bytes) -> bool:
    """Bundled or minified output (emscripten glue, vendored bundles): nobody edits it."""
    if not source:
        return False
    lines = source.split(b"\n")
    if len(source) / len(lines) > 150:  # hand-written code averages 30 to 50 per line
        return True
    return sum(len(line) for line in lines if len(line) > 1000) > 0.3 * len(source)


@functools.cache
def _alias_query(grammar: str, names: tuple[str, ...]) -> Query:
    quoted = " ".join(f'"{n}"' for n in names)
    return Query(language(grammar), f"(call_expression function: (identifier) @fn (#any-of? @fn {quoted})) @call")


class BlockingCallInAsync(Rule):
    """
    ## What it does
    Flags synchronous `fs` calls (`fs.readFileSync`, `fs.writeFileSync`, `fs.existsSync`,
    every `fs.*Sync`) and `child_process.execSync` / `spawnSync` / `execFileSync` inside
    an `async` function, method or arrow function of a server file (an App Router
    `route.ts`, `pages/api/**`, `middleware.ts`, `server/`, a `"use server"` module or any
    module importing `fs` or `child_process`). Imports are resolved: `import fs from "fs"`,
    `import * as fs from "node:fs"`, `import { readFileSync as read } from "fs"` and
    `require("fs")` all count. A call in a synchronous array callback inside the async
    function (`files.map((f) => fs.readFileSync(f))`) runs right away and counts too; a
    call in a nested named or returned sync function does not.

    Not flagged: Next.js build-time functions (`getStaticProps`, `getStaticPaths`,
    `generateStaticParams`), which run once at build time; `*.config.*` files; test and
    script paths; client files; minified files (`*.min.js`, or an average line over 150
    characters).

    ## Why is this bad?
    A Node server runs every request on one thread. A sync file or process call inside a
    request handler blocks that thread until the disk or the child process answers, so
    every concurrent request waits: latency spikes under load, and a slow `execSync` can
    stall the server for seconds. The promise APIs do the same work off the main thread.

    ## Example
    ```ts
    import fs from "fs";

    export async function GET() {
      const posts = JSON.parse(fs.readFileSync("data/posts.json", "utf8"));
      return Response.json(posts);
    }
    ```

    ## Use instead
    ```ts
    import fs from "fs";

    export async function GET() {
      const posts = JSON.parse(await fs.promises.readFile("data/posts.json", "utf8"));
      return Response.json(posts);
    }
    ```

    ## Fix safety
    Safe: `fs.readFileSync(p, o)` becomes `await fs.promises.readFile(p, o)`, and likewise
    for every `fs` call with a promise twin that takes the same arguments and returns the
    same value (`writeFile`, `appendFile`, `readdir`, `stat`, `lstat`, `mkdir`, `rm`,
    `rmdir`, `unlink`, `rename`, `copyFile`, `access`, `realpath`, `readlink`, `symlink`,
    `chmod`, `mkdtemp`, `cp`, ...). The prefix reuses an `fs` namespace or default binding
    (`fs.promises.readFile`) or an existing `fs/promises` binding; when the file only has
    a named import (`import { readFileSync } from "fs"`), the fix adds
    `import { promises as fsPromises } from "fs"` (or the `require` equivalent) next to it.
    No fix is offered for `existsSync` (no promise twin), fd-based calls (`openSync`,
    `readSync`, ...), `statSync` with `throwIfNoEntry`, calls inside a sync callback
    (where `await` is invalid), `child_process` calls, or non-`fs` modules (`fs-extra`).
    """

    code = "RL201"
    # Text prefilter (necessary condition): every blocking target ends in Sync (fs.*Sync, execSync, spawnSync, execFileSync), aliases are imported by that name.
    requires = r"Sync"
    name = "blocking-call-in-async"
    language = TYPESCRIPT
    severity = Severity.WARNING
    fix_availability = FixAvailability.SOMETIMES
    exempt_paths = True
    messages = {
        "default": "{callee} blocks the event loop in async function `{function}`{hint}",
    }
    # Matched in finish() from the `...Sync` names of the source (typescript/gated.py):
    # the pattern it stands for, the query a `#match?` on every callee would be,
    #   (call_expression function: (member_expression property: (property_identifier) @m)
    #     (#match? @m "Sync$")) @call                                        ; pattern 0
    #   (call_expression function: (identifier) @fn (#match? @fn "Sync$")) @call  ; pattern 1
    query = ""

    def __init__(self, ctx, options=None) -> None:
        super().__init__(ctx, options)
        self._seen: set[int] = set()
        self._active: bool | None = None

    def _applies(self) -> bool:
        if self._active is None:
            rel = self.ctx.rel_path
            self._active = (
                not _CONFIG_FILE.search(rel)
                and not _MINIFIED_NAME.search(rel)
                and not _looks_minified(self.ctx.source)
                and self.ctx.role not in ("client", "script")
            )
        return self._active

    def on_match(self, captures: Captures, pattern: int) -> None:
        if self._applies():
            self._check(captures["call"][0])

    def finish(self) -> None:
        for pattern, captures in sound_filter(self.ctx, self._sync_calls()):
            self.on_match(captures, pattern)
        # `import { readFileSync as read } from "fs"`: invisible to the name predicate.
        aliases = tuple(sorted(
            local for local, target in self.ctx.ts.imports.items()
            if _blocking_target(target) and not local.endswith("Sync")
        ))
        if not aliases or not self._applies():
            return
        q = _alias_query(self.ctx.grammar, aliases)
        for call in QueryCursor(q).captures(self.ctx.tree.root_node).get("call", []):
            self._check(call)

    def _sync_calls(self) -> Iterator[tuple[int, Captures]]:
        for name in word_nodes(self.ctx, _SYNC, _SYNC_NAMES, whole=False):
            parent = name.parent
            if parent is None:
                continue
            if name.type == "identifier":
                if parent.type == "call_expression" and parent.child_by_field_name("function") == name:
                    yield 1, {"fn": [name], "call": [parent]}
            elif parent.type == "member_expression" and parent.child_by_field_name("property") == name:
                call = parent.parent
                if call is not None and call.type == "call_expression" and call.child_by_field_name("function") == parent:
                    yield 0, {"m": [name], "call": [call]}

    def _check(self, call: Node) -> None:
        if call.id in self._seen:
            return
        self._seen.add(call.id)
        fn = call.child_by_field_name("function")
        target = self.ctx.ts.qualified_name(fn)
        if target is None or not _blocking_target(target):
            return
        func, direct = _async_context(call)
        if func is None:
            return
        # Build-time functions run once at build, never per request.
        p: Node | None = call
        while p is not None:
            if p.type in FUNCTION_TYPES and function_name(p) in BUILD_TIME_FUNCTIONS:
                return
            p = p.parent
        module, _, method = target.rpartition(".")
        fix = self._fix(call, fn, module, method) if direct else None
        twin = PROMISE_TWINS.get(method) if module == "fs" else None
        hint = f": use `fs.promises.{twin}`" if twin else ""
        if method == "existsSync":
            hint = ": use `await fs.promises.access(p)` in a `try`, or just attempt the operation"
        if module == "child_process":
            hint = ": use the async `child_process` API (`execFile` with `util.promisify`)"
        self.report(
            call,
            fix=fix,
            callee=_shown(self.ctx.text(fn), target),
            function=function_name(func) or "(anonymous)",
            hint=hint,
        )

    # --- fix -------------------------------------------------------------------------
    def _fix(self, call: Node, fn: Node, module: str, method: str):
        if module != "fs" or method not in PROMISE_TWINS:
            return None
        args = call.child_by_field_name("arguments")
        if args is None or args.type != "arguments":
            return None
        args_text = self.ctx.text(args)
        if "throwIfNoEntry" in args_text:
            return None  # fs.promises.stat has no such option: it always throws
        twin = PROMISE_TWINS[method]
        edits: list[Edit] = []
        if fn.type == "member_expression":
            obj = fn.child_by_field_name("object")
            if obj is None or obj.type != "identifier" or self.ctx.ts.imports.get(obj.text.decode()) != "fs":
                return None
            callee = f"{obj.text.decode()}.promises.{twin}"
        else:
            found = self._promises_prefix(twin)
            if found is None:
                added = self._add_promises_binding(fn.text.decode())
                if added is None:
                    return None
                edits.append(added)
                callee = f"{_PROMISES_NAME}.{twin}"
            else:
                callee = found
        text = f"await {callee}{args_text}"
        if _needs_parens(call):
            text = f"({text})"
        edits.append(Edit(call.start_byte, call.end_byte, text))
        return self.make_fix(f"Replace with `await {callee}(...)`", edits, Applicability.SAFE)

    def _promises_prefix(self, twin: str) -> str | None:
        imports = self.ctx.ts.imports
        for local, target in imports.items():
            if target == f"fs/promises.{twin}":
                return local
        for local, target in imports.items():
            if target in ("fs.promises", "fs/promises"):
                return f"{local}.{twin}"
        for local, target in imports.items():
            if target == "fs":
                return f"{local}.promises.{twin}"
        m = re.search(rb"(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*=\s*require\(\s*['\"](?:node:)?fs['\"]\s*\)\.promises\b", self.ctx.source)
        if m:
            return f"{m.group(1).decode()}.{twin}"
        return None

    def _add_promises_binding(self, local: str) -> Edit | None:
        """`import { promises as fsPromises } from "fs"` after the import of `local`."""
        if re.search(rb"\b" + _PROMISES_NAME.encode() + rb"\b", self.ctx.source):
            return None
        for stmt in self.ctx.tree.root_node.named_children:
            if stmt.type == "import_statement":
                src = stmt.child_by_field_name("source")
                spec = _string_value(src)
                if spec not in ("fs", "node:fs") or not _binds(stmt, local):
                    continue
                quote = self.ctx.text(src)[0]
                semi = ";" if self.ctx.text(stmt).rstrip().endswith(";") else ""
                line = f"import {{ promises as {_PROMISES_NAME} }} from {quote}{spec}{quote}{semi}"
                return Edit.insert(stmt.end_byte, "\n" + line)
            if stmt.type in ("lexical_declaration", "variable_declaration"):
                for decl in stmt.named_children:
                    if decl.type != "variable_declarator":
                        continue
                    value = decl.child_by_field_name("value")
                    if value is None or value.type != "call_expression":
                        continue
                    callee = value.child_by_field_name("function")
                    args = value.child_by_field_name("arguments")
                    if callee is None or callee.text != b"require" or args is None or not args.named_children:
                        continue
                    spec = _string_value(args.named_children[0])
                    if spec not in ("fs", "node:fs") or not _binds(decl, local):
                        continue
                    quote = self.ctx.text(args.named_children[0])[0]
                    keyword = stmt.children[0].text.decode() if stmt.children else "const"
                    semi = ";" if self.ctx.text(stmt).rstrip().endswith(";") else ""
                    line = f"{keyword} {{ promises: {_PROMISES_NAME} }} = require({quote}{spec}{quote}){semi}"
                    return Edit.insert(stmt.end_byte, "\n" + line)
        return None


def _shown(written: str, target: str) -> str:
    if written == target or written.endswith("." + target.rpartition(".")[2]) or written == target.rpartition(".")[2]:
        return f"`{written}`"
    return f"`{written}` (`{target}`)"


def _blocking_target(target: str) -> bool:
    module, _, method = target.rpartition(".")
    if module in FS_MODULES:
        return method.endswith("Sync") and len(method) > 4
    if module == "child_process":
        return method in CHILD_PROCESS_SYNC
    return False


def _async_context(call: Node) -> tuple[Node | None, bool]:
    """(the async function whose execution runs `call`, whether directly in its body).

    Climbs through sync callbacks handed inline to array methods (`.map(f => ...)`),
    which run before the call returns; any other sync function stops the climb."""
    node = call
    direct = True
    while True:
        func = _enclosing_function(node)
        if func is None:
            return None, False
        if is_async_function(func):
            body = func.child_by_field_name("body")
            if body is None or not (body.start_byte <= call.start_byte and call.end_byte <= body.end_byte):
                return None, False  # a parameter default
            return func, direct
        if not _is_sync_array_callback(func):
            return None, False
        direct = False
        node = func


def _enclosing_function(node: Node) -> Node | None:
    p = node.parent
    while p is not None:
        if p.type in FUNCTION_TYPES:
            return p
        if p.type in ("class_body", "class_declaration", "class"):
            return None
        p = p.parent
    return None


def _is_sync_array_callback(func: Node) -> bool:
    if func.type not in ("arrow_function", "function_expression", "function"):
        return False
    args = func.parent
    if args is None or args.type != "arguments":
        return False
    call = args.parent
    if call is None or call.type != "call_expression":
        return False
    callee = call.child_by_field_name("function")
    if callee is None or callee.type != "member_expression":
        return False
    prop = callee.child_by_field_name("property")
    return prop is not None and prop.text.decode() in SYNC_CALLBACK_METHODS


def _needs_parens(call: Node) -> bool:
    p = call.parent
    if p is None:
        return False
    if p.type == "member_expression" and p.child_by_field_name("object") == call:
        return True
    if p.type == "subscript_expression" and p.child_by_field_name("object") == call:
        return True
    if p.type == "call_expression" and p.child_by_field_name("function") == call:
        return True
    if p.type == "binary_expression":
        op = p.child_by_field_name("operator")
        return op is not None and op.type == "**"
    return p.type in ("new_expression", "await_expression")


def _string_value(node: Node | None) -> str | None:
    if node is None or node.type != "string":
        return None
    frag = next((c for c in node.named_children if c.type == "string_fragment"), None)
    return frag.text.decode() if frag is not None else ""


def _binds(stmt: Node, local: str) -> bool:
    stack = [stmt]
    while stack:
        n = stack.pop()
        if n.type in ("identifier", "shorthand_property_identifier_pattern") and n.text.decode() == local:
            return True
        stack.extend(n.named_children)
    return False
