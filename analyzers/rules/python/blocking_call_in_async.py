"""RL201 blocking-call-in-async (Python)."""

from __future__ import annotations

import bisect
import functools
import re

from tree_sitter import Node, Query, QueryCursor

from ...anchors import WORD_BYTES, merge
from ...languages import PYTHON, language
from ...model import Applicability, Edit, FixAvailability, Severity
from ...python import blocking_apis as apis
from ...python.types import TypeInference
from ...rule import Rule
from ...soundness import error_ranges

# Bare-name calls worth resolving: the last segment of every blocking function, plus
# `from pandas import read_csv`. Aliases (`from time import sleep as nap`) are added per file.
_FUNCTION_NAMES = frozenset(qn.rsplit(".", 1)[-1] for qn in apis.FUNCTIONS)
# Method calls worth resolving: blocking module functions reached through a module
# (`time.sleep`, `rq.get`) and methods of the sync classes with a fixed method list.
# `get` is left out: nearly every `.get(...)` is a dict's. It is matched by receiver
# name instead (see `_RECEIVER_CALLS`).
_BY_RECEIVER_ONLY = frozenset({"get"})
_FIXED_METHODS = frozenset(
    ({qn.rsplit(".", 1)[-1] for qn in apis.FUNCTIONS}
     | {m for _, methods, _ in apis.TYPE_METHODS.values() if methods != apis.ALL for m in methods})
    - _BY_RECEIVER_ONLY
)
_READ_FUNCTION = re.compile(r"read_[a-z_]+").fullmatch  # `from pandas import read_csv`, `pd.read_parquet`


def _NAME_MATCH(name: str) -> bool:
    """A bare-name call worth resolving (a set, not a regex of every name: ~1.5 ms to compile)."""
    return name in _FUNCTION_NAMES or _READ_FUNCTION(name) is not None


def _METHOD_MATCH(method: str) -> bool:
    return method in _FIXED_METHODS or _READ_FUNCTION(method) is not None
# Every call by name and every method call; `finish` keeps those worth resolving: names
# of blocking functions (_NAME_RE) or aliases of one, methods of _METHOD_RE, any method of
# a receiver that may hold a client whose every method blocks (redis, boto3:
# `r.hgetall(...)`, `self.cache.zadd(...)`), and `.get(...)` on a receiver that may hold
# a requests/httpx client or a Session.
# Bare patterns (the callee and the binding's parts are read in Python): a pattern step
# with children costs ~0.3-0.6 ms to compile (tree-sitter's analysis), in every process.
_CALLS = "(call) @call"
# Modules whose objects are tracked by type inference; without one of them imported, a
# method call can only block through a module function.
_CLIENT_MODULES = ("redis", "boto3")
# Libraries whose objects (or module functions) have a blocking `get`.
_GET_MODULES = ("redis", "boto3", "requests", "httpx", "sqlalchemy", "sqlmodel")

# A class is reachable from other imports too: `from sqlmodel import Session` is a
# sqlalchemy Session, `import psycopg` gives psycopg2-like objects.
_TYPE_ROOT_ALIASES = {
    "sqlalchemy.orm.Session": {"sqlmodel"},
    "sqlalchemy.Engine": {"sqlmodel"},
    "sqlalchemy.Connection": {"sqlmodel"},
    "psycopg2.connection": {"psycopg"},
    "psycopg2.cursor": {"psycopg"},
}
# Import root -> the tracked classes it can bring into a file (their own library or an
# alias root above).
_TYPES_BY_ROOT: dict[str, tuple[str, ...]] = {}
for _t in apis.TYPE_METHODS:
    for _root in {_t.split(".")[0]} | _TYPE_ROOT_ALIASES.get(_t, set()):
        _TYPES_BY_ROOT[_root] = _TYPES_BY_ROOT.get(_root, ()) + (_t,)
# A file can only call a blocking API if it names the module it comes from (every import
# spells it: `import requests as rq`, `from sqlmodel import Session`) or the builtin.
_BLOCKING_WORDS = r"\b(?:" + "|".join(sorted(
    {qn.split(".")[0] for qn in apis.FUNCTIONS}
    | {root for t in apis.TYPE_METHODS for root in {t.split(".")[0]} | _TYPE_ROOT_ALIASES.get(t, set())}
    | {qn.rsplit(".", 1)[-1] for qn in apis.FUNCTIONS if qn.startswith("builtins.")}
)) + r")\b"
_GENERATOR_SCOPES = ("generator_expression",)
# Where a name gets its value or its declared class.
# (binding_sites() reads the name and the value or annotation of each.)
_BINDING_SITES = """
(assignment) @site
(with_item) @site
(typed_parameter) @site
(typed_default_parameter) @site
(default_parameter) @site
"""


def _named(node: Node | None) -> Node | None:
    return node if node is not None and node.is_named else None


def binding_sites(site: Node) -> list[tuple[Node, Node]]:
    """(name, value or annotation) pairs a node of _BINDING_SITES binds: `x = v`, `x: T`,
    `self.x = v`, `with v as x`, `x: T = v` and `x=v` parameters."""
    kind = site.type
    out: list[tuple[Node, Node]] = []
    if kind == "assignment":
        left = site.child_by_field_name("left")
        if left is not None and left.type == "attribute":
            left = left.child_by_field_name("attribute")
        if left is not None and left.type == "identifier":
            out += _bound_to(left, site, ("right", "type"))
    elif kind == "with_item":
        pattern = site.child_by_field_name("value")
        alias = pattern.child_by_field_name("alias") if pattern is not None and pattern.type == "as_pattern" else None
        if alias is not None and alias.type == "as_pattern_target":
            # The as_pattern's named children before its alias: the context expression.
            values = [c for c in pattern.named_children if c.start_byte < alias.start_byte]
            for name in alias.named_children:
                if name.type == "identifier":
                    out.extend((name, value) for value in values)
    elif kind == "typed_parameter":
        value = _named(site.child_by_field_name("type"))
        if value is not None:
            out.extend((c, value) for c in site.named_children if c.type == "identifier" and c.end_byte <= value.start_byte)
    else:  # typed_default_parameter, default_parameter
        name = site.child_by_field_name("name")
        if name is not None and name.type == "identifier":
            out += _bound_to(name, site, ("type", "value"))
    return out


def _bound_to(name: Node, site: Node, fields: tuple[str, ...]) -> list[tuple[Node, Node]]:
    """(name, value) for each of the site's `fields` that holds a named node."""
    return [(name, value) for field in fields if (value := _named(site.child_by_field_name(field))) is not None]
_NO_AWAIT_CONTEXTS = ("interpolation", "decorator")


@functools.lru_cache(maxsize=256)
def _query(src: str) -> Query:
    return Query(language("python"), src)


class BlockingCallInAsync(Rule):
    """
    ## What it does
    Flags calls to blocking APIs in the body of an `async def`: `time.sleep`, `requests`
    (functions and `Session` methods), `urllib.request.urlopen`, httpx's sync API
    (`httpx.get`, `httpx.Client`), `open()` / `io.open` / `pathlib.Path.read_text`,
    `write_text`, `read_bytes`, `write_bytes`, `open`, `os.system`, `subprocess.run`,
    `call`, `check_call`, `check_output`, `Popen`, `input()`, blocking `socket` calls,
    `shutil` copy/move/remove-tree operations, `os.walk` / `os.listdir` / `os.scandir`,
    pandas `read_*` readers and `to_*` file writers, and methods of sync database, cache
    and cloud clients: `redis.Redis` / `StrictRedis`, `psycopg2`, `sqlite3`,
    `pymongo.MongoClient`, `boto3` clients and a sync SQLAlchemy or SQLModel `Session`
    (`query`, `execute`, `scalar`, `scalars`, `get`, `commit`, `flush`, `refresh`,
    `merge`, and SQLModel's `exec`).

    Names are resolved from the file's imports (`from time import sleep as nap`,
    `import requests as rq`), and a client counts wherever the object came from: a
    module-level `r = redis.Redis()`, `self.client = redis.Redis(...)` set in a method,
    a parameter annotated `redis.Redis`, a FastAPI dependency such as
    `db: Session = Depends(get_db)` or `session: SessionDep` (a module-level
    `Annotated[Session, Depends(...)]` alias), or a `Depends(get_db)` whose `get_db` in
    the same file yields a session. Objects whose class cannot be told from the file
    (a client imported from another module) are not flagged.

    Not flagged: code in a nested sync `def`, a `lambda` or a class body; awaited calls;
    the async variants (`asyncio.sleep`, `redis.asyncio`, `httpx.AsyncClient`,
    `aiofiles`, `AsyncSession`); blocking functions passed by reference to
    `asyncio.to_thread`, `loop.run_in_executor` or `run_in_threadpool`; pure path
    functions (`os.path.join`, `dirname`, `abspath`) and cheap metadata calls (`exists`,
    `is_dir`, `stat`, `mkdir`, `makedirs`, `remove`, `unlink`, `rename`); `Session.add`;
    pandas writers without a target (`df.to_csv()` returns a string); test and script
    paths.

    ## Why is this bad?
    An `async def` runs on the event loop's only thread. While a blocking call waits for
    the disk, the network or a child process, every other request served by that worker
    waits too: one slow `requests.get` or `db.query(...)` in an async FastAPI route
    stalls the whole process. FastAPI runs plain `def` routes in a thread pool, so a
    route that must use a sync client is better declared without `async`.

    ## Example
    ```python
    @router.get("/users/{user_id}")
    async def read_user(user_id: int, db: Session = Depends(get_db)):
        time.sleep(0.1)
        profile = requests.get(f"{PROFILE_URL}/{user_id}").json()
        return db.query(User).get(user_id)
    ```

    ## Use instead
    ```python
    @router.get("/users/{user_id}")
    async def read_user(user_id: int, db: AsyncSession = Depends(get_async_db)):
        await asyncio.sleep(0.1)
        async with httpx.AsyncClient() as client:
            profile = (await client.get(f"{PROFILE_URL}/{user_id}")).json()
        return await db.get(User, user_id)
    ```

    ## Fix safety
    `time.sleep(x)` becomes `await asyncio.sleep(x)` (adding `import asyncio` when the
    module has no binding for it): a safe fix, since both pause for the same time and the
    coroutine is already suspended-aware.

    Other blocking calls used as an expression get an unsafe fix that moves them to a
    worker thread: `f(a, k=v)` becomes `await asyncio.to_thread(f, a, k=v)` and
    `obj.m(a)` becomes `await asyncio.to_thread(obj.m, a)`; when the call starts a
    method chain (`db.query(User).filter(...).first()`, `open(p).read()`), the whole
    chain is offloaded: `await asyncio.to_thread(lambda: db.query(User).filter(...).first())`.
    It is unsafe because the call now runs concurrently with other coroutines, and a
    client that is not thread-safe (a SQLAlchemy `Session`, a `sqlite3` connection) may
    misbehave. No fix is offered where `await` would be invalid or would change meaning
    (inside a generator expression, an f-string, a decorator), for `with` items, loop
    iterables and calls returning a lazy iterator (`os.walk`, `os.scandir`, `Popen`,
    pymongo `find`, an unchained `Session.query`), and when `asyncio` is bound to
    something else.
    """

    code = "RL201"
    name = "blocking-call-in-async"
    language = PYTHON
    severity = Severity.WARNING
    fix_availability = FixAvailability.SOMETIMES
    exempt_paths = True
    messages = {
        "default": "Blocking call {callee} in `async def {function}` stalls the event loop: {hint}",
    }
    # Only calls inside an `async def` are flagged, and only calls that resolve to a
    # blocking API: through an import of its module (whose name is then in the file) or
    # a builtin (`open`, `input`).
    requires = (r"\basync\b", _BLOCKING_WORDS)
    # No query: the async functions (few per file) are found from the spellings of
    # `async` in the source, which spares a walk of the whole tree in the many files
    # where this rule is the only one left after the prefilters. Their calls are
    # examined in `finish` with a byte-range-limited, name-filtered query.
    query = ""

    def __init__(self, ctx, options=None) -> None:
        super().__init__(ctx, options)
        self._bodies: list[Node] = []
        self._binding_sites: list[tuple[Node, Node]] | None = None

    def _async_bodies(self) -> list[Node]:
        """The bodies of every `async def`: what `(function_definition "async" body:
        (block) @body)` matches, with the engine's rule for matches in broken code (a
        body holding a syntax error is not trusted)."""
        source = self.ctx.source
        root = self.ctx.tree.root_node
        untrusted = bool(error_ranges(self.ctx.tree))
        bodies: list[Node] = []
        end = len(source)
        at = source.find(b"async")
        while at >= 0:
            if (at == 0 or source[at - 1] not in WORD_BYTES) and (at + 5 == end or source[at + 5] not in WORD_BYTES):
                node = root.descendant_for_byte_range(at, at + 5)
                func = node.parent if node is not None and node.type == "async" and node.start_byte == at else None
                if func is not None and func.type == "function_definition":
                    body = func.child_by_field_name("body")
                    if body is not None and body.type == "block":
                        if not (untrusted and (func.is_missing or body.is_missing or body.has_error)):
                            bodies.append(body)
            at = source.find(b"async", at + 1)
        return bodies

    def finish(self) -> None:
        self._bodies = self._async_bodies()
        if not self._bodies:
            return
        py = self.ctx.py
        imported_roots = {q.split(".")[0] for q in py.imports.values()}
        aliases = frozenset(
            name for name, target in py.imports.items() if _is_blocking_qn(target) and name != target.rsplit(".", 1)[-1]
        )
        self._types = TypeInference(py)
        # Only the classes whose library this file imports can show up.
        possible = {t for root in imported_roots for t in _TYPES_BY_ROOT.get(root, ())}
        fixed, self._any_method_types = apis.method_names_for(possible)
        self._fixed_methods = frozenset(fixed)
        # Outermost async bodies only: nested ones are inside their ranges.
        bodies = sorted(self._bodies, key=lambda b: (b.start_byte, -b.end_byte))
        outer: list[Node] = []
        for b in bodies:
            if outer and b.start_byte >= outer[-1].start_byte and b.end_byte <= outer[-1].end_byte:
                continue
            outer.append(b)
        # The async bodies, neighbours closer than anchors.MERGE_GAP matched as one range
        # (a range costs a cursor run); calls outside an async body are dropped. One
        # query for every file: the names this file adds (aliases, receivers) are
        # checked here, since compiling a query per file's names costs ~5 ms.
        starts = [b.start_byte for b in outer]
        ends = [b.end_byte for b in outer]
        root = self.ctx.tree.root_node
        cursor = QueryCursor(_query(_CALLS))
        seen: set[int] = set()
        for start, end in merge(list(zip(starts, ends))):
            cursor.set_byte_range(start, end)
            for _, caps in cursor.matches(root):
                call = caps["call"][0]
                fn = call.child_by_field_name("function")
                if fn is None:
                    continue
                if fn.type == "identifier":
                    name = fn.text.decode("utf-8", "replace")
                    if not (_NAME_MATCH(name) or name in aliases):
                        continue
                elif fn.type == "attribute":
                    attribute = fn.child_by_field_name("attribute")
                    if attribute is None or attribute.type != "identifier":
                        continue
                    method = attribute.text.decode("utf-8", "replace")
                    if not _METHOD_MATCH(method):
                        recv = _receiver_name(fn)
                        if recv is None or not (
                            (self._any_method_types and recv in self._any_receivers)
                            or (method == "get" and recv in self._get_receivers)
                        ):
                            continue
                else:
                    continue
                if call.id in seen:
                    continue
                seen.add(call.id)
                i = bisect.bisect_right(starts, call.start_byte) - 1
                if i < 0 or call.end_byte > ends[i]:
                    continue
                self._check(call)

    # Worked out on first use: the binding sites behind them cost a walk of the tree.
    @functools.cached_property
    def _any_receivers(self) -> frozenset[str]:
        """Receivers that may hold a client whose every method blocks (redis, boto3)."""
        return self._receivers(self.ctx.py, _CLIENT_MODULES) if self._any_method_types else frozenset()

    @functools.cached_property
    def _get_receivers(self) -> frozenset[str]:
        """Receivers whose `.get(...)` blocks (requests, httpx, a Session)."""
        return self._receivers(self.ctx.py, _GET_MODULES, with_modules=True) - self._any_receivers

    def _receivers(self, py, modules: tuple[str, ...], with_modules: bool = False) -> frozenset[str]:
        """Names (variables, parameters, `self.x` attributes) that may hold an object of
        one of `modules`: bound to an expression or annotation mentioning one of their
        imports (or a module-level alias of one, `SessionDep = Annotated[Session, ...]`),
        to the result of a function defined in this file (a factory), or to a FastAPI
        `Depends(...)`. With `with_modules`, the import names themselves (`requests`)."""
        tokens = [local for local, target in py.imports.items() if target.split(".")[0] in modules]
        if not tokens:
            return frozenset()
        pattern = re.compile(r"\b(" + "|".join(re.escape(t) for t in tokens) + r")\b")
        # One level of module-level aliases.
        for stmt in py.root.named_children:
            a = stmt.named_children[0] if stmt.type == "expression_statement" and stmt.named_children else None
            if a is not None and a.type == "assignment":
                left, right = a.child_by_field_name("left"), a.child_by_field_name("right")
                if left is not None and left.type == "identifier" and right is not None and pattern.search(self.ctx.text(right)):
                    tokens.append(left.text.decode())
        pattern = re.compile(r"\b(" + "|".join(re.escape(t) for t in tokens) + r")\b")
        local_functions = {
            n.child_by_field_name("name").text.decode()
            for n in (c.child_by_field_name("definition") if c.type == "decorated_definition" else c for c in py.root.named_children)
            if n is not None and n.type == "function_definition"
        }
        names: set[str] = set()
        if self._binding_sites is None:
            self._binding_sites = [
                pair for site in QueryCursor(_query(_BINDING_SITES)).captures(py.root).get("site", ())
                for pair in binding_sites(site)
            ]
        for name_node, value in self._binding_sites:
            text = self.ctx.text(value)
            if pattern.search(text):
                names.add(name_node.text.decode())
            elif value.type == "call":
                fn = value.child_by_field_name("function")
                if fn is not None and fn.type == "identifier" and (fn.text.decode() in local_functions or fn.text == b"Depends"):
                    names.add(name_node.text.decode())
        # `self.cache = client` where `client: redis.Redis` is a parameter: follow copies.
        for _ in range(2):
            names.update(
                name_node.text.decode() for name_node, value in self._binding_sites
                if value.type == "identifier" and value.text.decode() in names
            )
        if with_modules:
            names.update(local for local, target in py.imports.items() if target in modules)
        return frozenset(names)

    def _nonblocking_sockets(self) -> set[str]:
        """Receivers put in non-blocking mode somewhere in the file: `s.setblocking(False)`."""
        cached = getattr(self, "_nonblocking", None)
        if cached is None:
            cached = set()
            for m in re.finditer(rb"([A-Za-z_][A-Za-z0-9_]*)\s*\.\s*(?:setblocking\(\s*(?:False|0)\s*\)|settimeout\(\s*0(?:\.0)?\s*\))", self.ctx.source):
                cached.add(m.group(1).decode())
            self._nonblocking = cached
        return cached

    # --- checking --------------------------------------------------------------------
    def _check(self, call: Node) -> None:
        func = _executing_async_function(call)
        if func is None:
            return
        parent = call.parent
        if parent is not None and parent.type == "await":
            return  # something awaitable: not the sync API we think it is
        if _in_offload_reference(call, self.ctx.py):
            return
        found = self._classify(call)
        if found is None:
            return
        callee, category, kind = found
        name_node = func.child_by_field_name("name")
        fix = None
        if category == apis.SLEEP and kind == "time.sleep":
            fix = self._sleep_fix(call)
        else:
            fix = self._thread_fix(call, kind)
        self.report(
            call.child_by_field_name("function") or call,
            fix=fix,
            callee=callee,
            function=self.ctx.text(name_node),
            hint=apis.HINTS[category],
        )

    def _classify(self, call: Node) -> tuple[str, str, str] | None:
        """(shown callee, category, key) when `call` blocks."""
        py = self.ctx.py
        fn = call.child_by_field_name("function")
        if fn is None:
            return None
        # Resolve through imports only when the chain starts at an import or a builtin:
        # `qualified_name` checks shadowing, which costs a scope scan.
        root = fn
        while root.type == "attribute":
            root = root.child_by_field_name("object")
        root_name = root.text.decode() if root is not None and root.type == "identifier" else None
        qn = None
        if root_name is not None and (root_name in py.imports or (root is fn and root_name in ("open", "input"))):
            # The cheap spelling-based guess first; the shadowing check only for a hit.
            base = py.imports.get(root_name, f"builtins.{root_name}")
            rest = self.ctx.text(fn)[len(root_name):]
            guess = base + "".join(rest.split())
            if _is_blocking_qn(guess):
                qn = py.qualified_name(fn)
        if qn is not None:
            if _is_blocking_qn(qn):
                if qn.startswith(apis.PANDAS_READER_PREFIX) and _in_memory_source(call, py):
                    return None
                category = apis.FUNCTIONS.get(qn, apis.PANDAS)
                written = self.ctx.text(fn)
                shown = qn.removeprefix("builtins.")
                callee = f"`{written}`" if written == shown else f"`{written}` (`{shown}`)"
                return callee, category, qn
            return None
        if fn.type != "attribute":
            return None
        obj = fn.child_by_field_name("object")
        method_node = fn.child_by_field_name("attribute")
        if obj is None or method_node is None:
            return None
        method = method_node.text.decode()
        if method not in self._fixed_methods:
            # Only a client whose every method blocks (redis, boto3) is left: its
            # receiver must be a name that could hold one.
            if method in _BY_RECEIVER_ONLY:
                pass  # matched by receiver name already
            elif not self._any_method_types or _last_name(obj) not in self._any_receivers:
                return None
        type_name = self._types.type_of(obj)
        if type_name is None:
            return None
        category = apis.blocking_method(type_name, method)
        if category is None:
            return None
        if type_name == "pandas.DataFrame" and method in apis.PANDAS_OPTIONAL_TARGET and not _has_target(call):
            return None
        if type_name == "socket.socket" and (_last_name(obj) in self._nonblocking_sockets() or _handles_blocking_io(call)):
            return None  # a non-blocking socket driven by the event loop
        short = {"boto3.client": "boto3 client", "boto3.Table": "boto3 Table", "boto3.Bucket": "boto3 Bucket",
                 "boto3.Object": "boto3 Object"}.get(type_name, type_name)
        shown = self.ctx.text(obj)
        if len(shown) > 40 or "\n" in shown:
            shown = "..."
        return f"`{shown}.{method}` (a `{short}`)", category, f"{type_name}.{method}"

    # --- fixes -----------------------------------------------------------------------
    def _asyncio_binding(self, call: Node) -> tuple[str, list[Edit]] | None:
        py = self.ctx.py
        for local, target in py.imports.items():
            if target == "asyncio" and not py.is_bound_locally(local, call):
                return local, []
        if "asyncio" in py.imports or py.is_bound_locally("asyncio", call):
            return None
        edit = py.add_import_edit("import asyncio")
        if edit is None or edit.start > call.start_byte:
            return None
        return "asyncio", [edit]

    def _await_allowed(self, call: Node) -> bool:
        p = call.parent
        while p is not None and p.type != "function_definition":
            if p.type in _GENERATOR_SCOPES or p.type in _NO_AWAIT_CONTEXTS:
                return False
            if p.type in ("parameters", "lambda_parameters"):
                return False
            p = p.parent
        return True

    def _sleep_fix(self, call: Node):
        if not self._await_allowed(call) or _is_context_or_iterable(call):
            return None
        args = call.child_by_field_name("arguments")
        if args is None or args.type != "argument_list":
            return None
        binding = self._asyncio_binding(call)
        if binding is None:
            return None
        name, edits = binding
        inner = self.ctx.source[args.start_byte + 1 : args.end_byte - 1].decode("utf-8", "surrogateescape")
        text = f"await {name}.sleep({inner})"
        if _needs_parens(call):
            text = f"({text})"
        return self.make_fix(
            f"Replace with `await {name}.sleep(...)`",
            [*edits, Edit(call.start_byte, call.end_byte, text)],
            Applicability.SAFE,
        )

    def _thread_fix(self, call: Node, kind: str):
        if not self._await_allowed(call) or _is_context_or_iterable(call):
            return None
        if kind in apis.ITERATOR_FUNCTIONS:
            return None
        chain = _chain_end(call)
        lazy = any(kind == f"{t}.{m}" for t, m in apis.LAZY_METHODS)
        if chain is not None and _contains(chain, ("await", "yield", "named_expression")):
            chain = None  # a lambda cannot hold these: offload just the blocking call
        if chain is None and lazy:
            return None
        if chain is not None and _is_context_or_iterable(chain):
            return None
        binding = self._asyncio_binding(call)
        if binding is None:
            return None
        name, edits = binding
        if chain is not None:
            target = chain
            body = self.ctx.text(chain)
            if "\n" in body and not _inside_brackets(chain):
                return None  # a multi-line chain needs its own brackets: leave it
            text = f"await {name}.to_thread(lambda: {body})"
        else:
            target = call
            fn = call.child_by_field_name("function")
            args = call.child_by_field_name("arguments")
            if fn is None or args is None or args.type != "argument_list":
                return None
            inner = self.ctx.source[args.start_byte + 1 : args.end_byte - 1].decode("utf-8", "surrogateescape")
            fn_text = self.ctx.text(fn)
            text = f"await {name}.to_thread({fn_text}, {inner.strip()})" if inner.strip() else f"await {name}.to_thread({fn_text})"
            if inner.strip() and not _has_real_args(args):
                return None  # only comments inside
        if _needs_parens(target):
            text = f"({text})"
        return self.make_fix(
            f"Run it in a worker thread with `await {name}.to_thread(...)`",
            [*edits, Edit(target.start_byte, target.end_byte, text)],
            Applicability.UNSAFE,
        )


# --- helpers ------------------------------------------------------------------------------
def _receiver_name(function: Node) -> str | None:
    """The receiver name of a method callee: `r` in `r.get`, `cache` in `self.cache.get`."""
    obj = function.child_by_field_name("object")
    if obj is None:
        return None
    if obj.type == "attribute":
        obj = obj.child_by_field_name("attribute")
    return obj.text.decode("utf-8", "replace") if obj is not None and obj.type == "identifier" else None


def _is_blocking_qn(qn: str) -> bool:
    if qn in apis.FUNCTIONS:
        return True
    return qn.startswith(apis.PANDAS_READER_PREFIX) and qn not in apis.PANDAS_NOT_IO and qn.count(".") == 1


def _executing_async_function(node: Node) -> Node | None:
    """The async def whose body runs `node` directly, or None (module level, nested sync
    def, lambda, class body)."""
    child = node
    p = node.parent
    while p is not None:
        if p.type in ("function_definition", "lambda", "class_definition"):
            body = p.child_by_field_name("body")
            if body is not None and body.id == child.id:
                if p.type == "function_definition" and any(c.type == "async" for c in p.children):
                    return p
                return None
        child = p
        p = p.parent
    return None


def _in_offload_reference(call: Node, py) -> bool:
    """`call` sits inside an argument passed by reference to a thread offloader
    (`asyncio.to_thread(db.query(User).all)`, `functools.partial(...)`): that argument
    is not itself a call, so nothing in it runs on the event loop now... except the
    receiver chain, which is cheap to build (`db.query(User)` does no I/O by itself)."""
    child = call
    p = call.parent
    while p is not None and p.type not in ("function_definition", "lambda", "class_definition", "block", "module"):
        if p.type == "argument_list":
            outer = p.parent
            fn = outer.child_by_field_name("function") if outer is not None and outer.type == "call" else None
            if fn is not None:
                last = fn.text.decode().rsplit(".", 1)[-1]
                if last in apis.OFFLOAD_LAST_NAMES or last == "partial":
                    arg = child.child_by_field_name("value") if child.type == "keyword_argument" else child
                    if arg is not None and arg.id != call.id and arg.type != "call":
                        return True
        child = p
        p = p.parent
    return False


def _in_memory_source(call: Node, py) -> bool:
    args = call.child_by_field_name("arguments")
    if args is None or not args.named_children:
        return False
    first = args.named_children[0]
    if first.type == "call":
        qn = py.qualified_name(first.child_by_field_name("function")) or ""
        return qn in ("io.StringIO", "io.BytesIO")
    return False


def _has_target(call: Node) -> bool:
    args = call.child_by_field_name("arguments")
    if args is None:
        return False
    for a in args.named_children:
        if a.type == "comment":
            continue
        if a.type == "keyword_argument":
            key = a.child_by_field_name("name")
            value = a.child_by_field_name("value")
            if key is not None and key.text.decode() in apis.PANDAS_TARGET_KEYWORDS:
                return value is not None and value.type != "none"
            continue
        if a.type in ("list_splat", "dictionary_splat"):
            return True
        return a.type != "none"
    return False


def _is_context_or_iterable(node: Node) -> bool:
    p = node.parent
    while p is not None and p.type == "parenthesized_expression":
        node, p = p, p.parent
    if p is None:
        return False
    if p.type in ("with_item", "as_pattern") and p.named_children and p.named_children[0].id == node.id:
        return True
    if p.type in ("for_statement", "for_in_clause"):
        right = p.child_by_field_name("right")
        return right is not None and right.id == node.id
    return False


def _needs_parens(node: Node) -> bool:
    p = node.parent
    if p is None:
        return False
    if p.type == "attribute" and p.child_by_field_name("object") == node:
        return True
    if p.type == "subscript" and p.child_by_field_name("value") == node:
        return True
    # `await` binds tighter than every operator (`-await f()`, `await f() ** 2` keep
    # their meaning) but looser than a trailer: `(await f()).x`, `(await f())[0]`.
    return p.type == "call" and p.child_by_field_name("function") == node


def _chain_end(call: Node) -> Node | None:
    """The outermost call of a method chain starting at `call` (`call.m(...).n(...)`)."""
    end = None
    node = call
    while True:
        p = node.parent
        if p is None or p.type != "attribute" or p.child_by_field_name("object") != node:
            break
        pp = p.parent
        if pp is None or pp.type != "call" or pp.child_by_field_name("function") != p:
            break
        end = pp
        node = pp
    return end


def _inside_brackets(node: Node) -> bool:
    p = node.parent
    while p is not None and p.type not in ("block", "module", "expression_statement"):
        if p.type in ("argument_list", "parenthesized_expression", "list", "tuple", "dictionary", "set"):
            return True
        p = p.parent
    return False


def _handles_blocking_io(call: Node) -> bool:
    """Inside a `try` that catches BlockingIOError: the socket is non-blocking."""
    p = call.parent
    while p is not None and p.type not in ("function_definition", "lambda", "class_definition"):
        if p.type == "try_statement":
            for clause in p.named_children:
                if clause.type == "except_clause" and b"BlockingIOError" in clause.text.split(b":", 1)[0]:
                    return True
        p = p.parent
    return False


def _last_name(obj: Node) -> str | None:
    if obj.type == "identifier":
        return obj.text.decode()
    if obj.type == "attribute":
        attr = obj.child_by_field_name("attribute")
        return attr.text.decode() if attr is not None else None
    return None


def _contains(node: Node, types: tuple[str, ...]) -> bool:
    stack = [node]
    while stack:
        n = stack.pop()
        if n.type in types:
            return True
        stack.extend(n.named_children)
    return False


def _has_real_args(args: Node) -> bool:
    return any(c.type != "comment" for c in args.named_children)
