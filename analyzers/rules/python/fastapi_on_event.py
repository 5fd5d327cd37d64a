"""RL401 fastapi-on-event (Python)."""

from __future__ import annotations

import re

from tree_sitter import Node

from ...languages import PYTHON
from ...model import Applicability, Edit, Fix, FixAvailability, Severity
from ...python.edits import delete_statement_edit
from ...python.imports import import_edit as import_edit_for
from ...python.fastapi_app import Construction, fastapi_file, string_value
from ...records import Record
from ...rule import Captures, Rule
from ...soundness import unsound

EVENTS = ("startup", "shutdown")
_BLOCKS = ("block", "module")


class Registration(Record):
    __slots__ = FIELDS = ("kind", "node", "call", "receiver", "event")

    def __init__(self, kind: str, node: Node, call: Node, receiver: Node, event: str | None) -> None:
        self.kind = kind  # "decorator" | "call"
        self.node = node  # the decorator, or the add_event_handler call
        self.call = call  # the on_event(...) / add_event_handler(...) call
        self.receiver = receiver
        self.event = event


class _Refused(Exception):
    """The lifespan rewrite is not offered; the message says why."""


class FastapiOnEvent(Rule):
    """
    ## What it does
    Flags FastAPI's startup/shutdown event hooks: `@app.on_event("startup")`,
    `@router.on_event(...)` and `app.add_event_handler("startup", fn)`. Other event
    systems are not flagged: an event name other than `startup`/`shutdown`, or a receiver
    that is an instance of a class defined in the same file (`bus = EventBus()`) that
    does not derive from `FastAPI`, `Starlette` or a router.

    ## Why is this bad?
    Event handlers are deprecated since FastAPI 0.93 (and in Starlette) in favour of a
    single `lifespan` async context manager, which keeps setup and teardown of a resource
    together, can share state between them, and is what FastAPI documents and tests.
    The two mechanisms do not mix: once an app is given a `lifespan`, every
    `on_event` handler, including those registered on included routers, is silently
    ignored. Routers are flagged but not rewritten for that reason: their code has to
    move into the app's lifespan (or a router `lifespan=` in recent FastAPI versions).

    ## Example
    ```python
    app = FastAPI(title="orders")

    @app.on_event("startup")
    async def connect_db():
        await database.connect()

    @app.on_event("shutdown")
    async def disconnect_db():
        await database.disconnect()
    ```

    ## Use instead
    ```python
    from contextlib import asynccontextmanager


    @asynccontextmanager
    async def lifespan(app: FastAPI):
        await connect_db()
        yield
        await disconnect_db()


    app = FastAPI(title="orders", lifespan=lifespan)

    async def connect_db():
        await database.connect()

    async def disconnect_db():
        await database.disconnect()
    ```

    ## Fix safety
    Safe, and offered only when the app is built in the same file with `FastAPI(...)`
    (in the same scope as every handler, at the top level of a module or of an app
    factory function) and has no `lifespan=`, `on_startup=`/`on_shutdown=` or
    `**kwargs`. Every startup and shutdown handler of that app is merged, in source
    order, into one `@asynccontextmanager` function placed just before the app is
    built: startup handlers run before `yield`, shutdown handlers after it; `async`
    handlers are awaited and plain ones called, exactly as Starlette did. The handler
    functions are kept (only their `on_event` decorator is removed), a lambda passed to
    `add_event_handler` is inlined, `lifespan=lifespan` is passed to `FastAPI(...)` and
    `from contextlib import asynccontextmanager` is added. Every finding of one app
    carries the same fix, so applying it once rewrites them all.

    The fix is refused when a handler is not a function defined in the file (an
    imported function or a factory call such as `create_start_app_handler(app)`: its
    sync/async nature is unknown), when an event name is not a literal, when a handler
    is registered conditionally or inside another function, when a handler name is
    defined twice, and when a router in the same file also registers event handlers.
    Handlers registered on routers in other files are not visible to the fix; check
    them when you adopt a lifespan.
    """

    code = "RL401"
    name = "fastapi-on-event"
    language = PYTHON
    severity = Severity.WARNING
    fix_availability = FixAvailability.SOMETIMES
    deprecated = True
    messages = {
        "default": "`{call}` is deprecated since FastAPI 0.93: use a `lifespan` context manager",
        "no_fix": "`{call}` is deprecated since FastAPI 0.93: use a `lifespan` context manager (no automatic fix: {reason})",
    }
    # The query needs one of these attribute names.
    requires = r"\b(?:on_event|add_event_handler)\b"
    # Anchor: The method names the query's predicates accept.
    anchor = r"\b(?:on_event|add_event_handler)\b"
    # One bare pattern, the attribute; which registration it is (0: `@app.on_event(...)`,
    # 1: an `app.add_event_handler(event, f)` statement, 2: `app.on_event(...)(f)`) is read
    # from its parents in `_shape`. Spelled as three nested patterns the query took ~7 ms
    # to compile in every process (tree-sitter analyses each child step); now a quarter.
    query = """
    (attribute attribute: (identifier) @_m (#any-of? @_m "on_event" "add_event_handler")) @_attr
    """

    def __init__(self, ctx, options=None) -> None:
        super().__init__(ctx, options)
        self.registrations: list[Registration] = []

    def on_match(self, captures: Captures, pattern: int) -> None:
        shaped = _shape(captures["_attr"][0])
        if shaped is None or unsound(shaped[1]):
            return  # what the nested patterns would not match, or the engine not trust
        pattern, captures = shaped
        call = captures["call"][0]
        obj = captures["obj"][0]
        if self._local_non_app_instance(obj):
            return  # `bus = EventBus()` with `class EventBus` in this file: another event system
        if pattern in (0, 2):
            args = captures["args"][0]
            first = next((a for a in args.named_children if a.type != "comment"), None)
            event = _event_name(first)
            if first is not None and first.type == "string" and event not in EVENTS:
                return  # `@bus.on_event("order_created")`: some other event system
            if event is None and not self._looks_like_app(obj):
                return  # `@bus.on_event(OrderCreated)`: not an ASGI app
            if pattern == 2:
                # `app.on_event("shutdown")(handler)`: registered by a call, not rewritten.
                self.registrations.append(Registration("direct", call, call, obj, event))
            else:
                self.registrations.append(Registration("decorator", captures["dec"][0], call, obj, event))
        else:
            event_node = captures["event"][0]
            event = _event_name(event_node)
            # add_event_handler is a common name: only the ASGI lifecycle events count.
            if event_node.type == "string" and event not in EVENTS:
                return
            if event_node.type != "string" and not self._looks_like_app(obj):
                return
            self.registrations.append(Registration("call", call, call, obj, event))

    def _local_non_app_instance(self, obj: Node) -> bool:
        """`obj` is a module-level name bound to an instance of a class defined in this file
        that does not derive from FastAPI, Starlette or a router."""
        if obj.type != "identifier":
            return False
        name = self.ctx.text(obj)
        root = self.ctx.tree.root_node
        classes: dict[str, Node] = {}
        for stmt in root.named_children:
            d = stmt.child_by_field_name("definition") if stmt.type == "decorated_definition" else stmt
            if d is not None and d.type == "class_definition":
                classes[self.ctx.text(d.child_by_field_name("name"))] = d
        if not classes:
            return False
        for stmt in root.named_children:
            if stmt.type != "expression_statement" or not stmt.named_children or stmt.named_children[0].type != "assignment":
                continue
            assign = stmt.named_children[0]
            left, right = assign.child_by_field_name("left"), assign.child_by_field_name("right")
            if left is None or self.ctx.text(left) != name or right is None or right.type != "call":
                continue
            fn = right.child_by_field_name("function")
            cls = classes.get(self.ctx.text(fn)) if fn is not None else None
            if cls is None:
                return False
            bases = cls.child_by_field_name("superclasses")
            if bases is not None and re.search(r"FastAPI|Starlette|Router", self.ctx.text(bases)):
                return False
            # Last, as it is the costly test (the file's app constructions): an app or
            # router constructed in this file is never "another event system".
            return fastapi_file(self.ctx).resolve(obj) is None
        return False

    def _looks_like_app(self, obj: Node) -> bool:
        fa = fastapi_file(self.ctx)
        text = self.ctx.text(obj).lower()
        return fa.resolve(obj) is not None or "app" in text or "router" in text

    # --- reporting -----------------------------------------------------------------------
    def finish(self) -> None:
        if not self.registrations:
            return
        fa = fastapi_file(self.ctx)
        by_app: dict[int, list[Registration]] = {}
        apps: dict[int, Construction] = {}
        foreign: list[Registration] = []
        for reg in self.registrations:
            owner = fa.resolve(reg.receiver)
            if owner is not None and owner.kind == "app":
                by_app.setdefault(id(owner), []).append(reg)
                apps[id(owner)] = owner
            else:
                foreign.append(reg)
        for key, regs in by_app.items():
            app = apps[key]
            try:
                fix = self._lifespan_fix(app, sorted(regs, key=lambda r: r.node.start_byte))
                if any(self._is_router(r.receiver) for r in foreign):
                    raise _Refused("a router in this file registers event handlers too; they would be ignored")
            except _Refused as why:
                for reg in regs:
                    self.report(reg.call, "no_fix", call=self._label(reg), reason=str(why))
                continue
            for reg in regs:
                self.report(reg.call, fix=fix, call=self._label(reg))
        for reg in foreign:
            self.report(reg.call, "no_fix", call=self._label(reg), reason=self._foreign_reason(reg))

    def _label(self, reg: Registration) -> str:
        text = self.ctx.text(reg.call)
        if "\n" in text or len(text) > 60:
            text = self.ctx.text(reg.call.child_by_field_name("function")) + "(...)"
        return text

    def _is_router(self, receiver: Node) -> bool:
        owner = fastapi_file(self.ctx).resolve(receiver)
        if owner is not None:
            return owner.kind == "router"
        return "router" in self.ctx.text(receiver).lower()

    def _foreign_reason(self, reg: Registration) -> str:
        fa = fastapi_file(self.ctx)
        recv = self.ctx.text(reg.receiver)
        if self._is_router(reg.receiver):
            return "router event handlers are ignored once the app has a lifespan; move this code into the app's lifespan"
        if fa.is_imported(reg.receiver):
            return f"`{recv}` is built in another module; add the lifespan where `FastAPI(...)` is called"
        return f"`{recv}` is not a `FastAPI(...)` app constructed in this file"

    # --- the lifespan rewrite ------------------------------------------------------------
    def _lifespan_fix(self, app: Construction, regs: list[Registration]) -> Fix:
        ctx = self.ctx
        py = ctx.py
        src = ctx.source
        if app.duplicate:
            raise _Refused(f"`{app.name}` is assigned more than once")
        if app.keyword("lifespan") is not None:
            raise _Refused("the app already has a `lifespan`")
        if app.keyword("on_startup") is not None or app.keyword("on_shutdown") is not None:
            raise _Refused("the app also passes `on_startup`/`on_shutdown`")
        if app.has_splat:
            raise _Refused("`FastAPI(...)` receives `*args`/`**kwargs` that may hold a lifespan")
        block = app.statement.parent
        if block is None or block.type not in _BLOCKS or (app.scope is not None and block.parent != app.scope):
            raise _Refused("the app is built inside a conditional or nested block")
        args = app.arguments
        if args is None or args.type != "argument_list":
            raise _Refused("`FastAPI(...)` has an unusual argument list")

        nl = "\r\n" if b"\r\n" in src[:4096] else "\n"
        edits: list[Edit] = []
        startup: list[str] = []
        shutdown: list[str] = []
        for reg in regs:
            if reg.event not in EVENTS:
                raise _Refused("an event name is not a literal `\"startup\"`/`\"shutdown\"`")
            if reg.kind == "decorator":
                line, edit = self._decorated_handler(reg, block)
            elif reg.kind == "direct":
                raise _Refused("a handler is registered with `on_event(...)(handler)`; move it into the lifespan by hand")
            else:
                line, edit = self._added_handler(reg, block)
            edits.append(edit)
            (startup if reg.event == "startup" else shutdown).append(line)

        # Names: the lifespan function, its parameter, the decorator.
        taken = py.bindings_of_scope(app.scope) | py.bindings_of_scope(None) | set(py.imports)
        fn_name = next((n for n in ("lifespan", f"{app.name}_lifespan", "app_lifespan", "lifespan_context", "_lifespan") if n not in taken), None)
        if fn_name is None:
            raise _Refused("no free name for the lifespan function")
        param = "app" if app.name == "app" or "app" not in taken else "_app"
        acm = None
        for local, target in py.imports.items():
            if target == "contextlib.asynccontextmanager":
                acm = local
                break
            if target == "contextlib" and acm is None:
                acm = f"{local}.asynccontextmanager"
        import_edit = None
        if acm is None:
            if "asynccontextmanager" in taken:
                raise _Refused("the name `asynccontextmanager` is already used in this module")
            acm = "asynccontextmanager"
            import_edit = import_edit_for(ctx, "from contextlib import asynccontextmanager")

        # The lifespan function, just before the app is built.
        stmt_line = src.rfind(b"\n", 0, app.statement.start_byte) + 1
        indent = src[stmt_line : app.statement.start_byte].decode("utf-8", "replace")
        if indent.strip():
            raise _Refused("the app statement shares its line with other code")
        unit = "\t" if "\t" in indent else "    "
        at = stmt_line
        # Keep comments written just above `app = FastAPI(...)` attached to it.
        while at > 0:
            prev_start = src.rfind(b"\n", 0, at - 1) + 1
            prev = src[prev_start : at].strip()
            if prev.startswith(b"#"):
                at = prev_start
            else:
                break
        import_at = import_edit.start if import_edit is not None else 0
        if at < import_at:
            at = import_at
        inner = f"{indent}{unit}"
        body = [inner + line.replace("\n", nl + inner) for line in startup] + [f"{inner}yield"] + [inner + line.replace("\n", nl + inner) for line in shutdown]
        text = nl.join(
            [f"{indent}@{acm}", f"{indent}async def {fn_name}({param}: {app.cls_text}):"] + body
        ) + nl
        wanted = 2 if app.scope is None else 1
        text += nl * wanted
        before = src[:at]
        blank_before = 0
        probe = before
        while probe.endswith(b"\n") and probe[:-1].rstrip(b"\r").endswith(b"\n"):
            blank_before += 1
            probe = probe[:-1].rstrip(b"\r")
        prev_line = before.rstrip().rsplit(b"\n", 1)[-1].strip()
        if before.strip() and not prev_line.endswith(b":") and blank_before < wanted:
            text = nl * (wanted - blank_before) + text
        edits.append(Edit.insert(at, text))
        arg_edits = self._lifespan_argument(args, fn_name, nl)
        edits.extend(arg_edits if isinstance(arg_edits, list) else [arg_edits])
        ordered = ([import_edit] if import_edit is not None else []) + edits
        return self.make_fix(f"Merge the event handlers of `{app.name}` into a `lifespan` context manager", ordered, Applicability.SAFE)

    def _decorated_handler(self, reg: Registration, block: Node) -> tuple[str, Edit]:
        dec = reg.node
        decorated = dec.parent
        if decorated is None or decorated.type != "decorated_definition":
            raise _Refused("unexpected decorator position")
        if decorated.parent != block:
            raise _Refused("a handler is registered inside another block or function")
        decorators = [c for c in decorated.named_children if c.type == "decorator"]
        if decorators[0] != dec:
            raise _Refused("`on_event` is not the outermost decorator of a handler")
        func = decorated.child_by_field_name("definition")
        if func is None or func.type != "function_definition":
            raise _Refused("`on_event` decorates something other than a function")
        name = self.ctx.text(func.child_by_field_name("name"))
        if self._definitions(block, name) != 1:
            raise _Refused(f"`{name}` is defined more than once")
        is_async = func.children and func.children[0].type == "async"
        edit = self._delete_line(dec)
        return (f"await {name}()" if is_async else f"{name}()"), edit

    def _added_handler(self, reg: Registration, block: Node) -> tuple[str, Edit]:
        call = reg.node
        stmt = call.parent
        if stmt is None or stmt.type != "expression_statement" or stmt.parent != block:
            raise _Refused("a handler is registered inside another block or function")
        args = [a for a in call.child_by_field_name("arguments").named_children if a.type != "comment"]
        if len(args) != 2 or args[1].type in ("keyword_argument", "list_splat", "dictionary_splat"):
            raise _Refused("`add_event_handler` has unusual arguments")
        handler = args[1]
        if handler.type == "lambda":
            if handler.child_by_field_name("parameters") is not None:
                raise _Refused("a lambda handler takes parameters")
            body_node = handler.child_by_field_name("body")
            body = self.ctx.text(body_node)
            if "\n" in body:
                if '"""' in body or "'''" in body or "\\\n" in body:
                    raise _Refused("a lambda handler spans lines with a multi-line string")
                # Continuation lines keep their indentation relative to the registration.
                base = self.ctx.source[self.ctx.source.rfind(b"\n", 0, stmt.start_byte) + 1 : stmt.start_byte].decode()
                lines = body.split("\n")
                lines = [lines[0]] + [ln[len(base):] if ln.startswith(base) else ln.lstrip() for ln in lines[1:]]
                body = "\n".join(lines)
                if body_node.type not in ("parenthesized_expression", "call", "list", "tuple", "dictionary"):
                    body = f"({body})"
            line = body
        elif handler.type == "identifier":
            name = self.ctx.text(handler)
            func = self._find_function(block, name)
            if func is None:
                raise _Refused(f"`{name}` is not a function defined in this file (sync or async is unknown)")
            is_async = func.children and func.children[0].type == "async"
            line = f"await {name}()" if is_async else f"{name}()"
        else:
            raise _Refused(f"the handler `{self.ctx.text(handler)}` is not a function defined in this file (sync or async is unknown)")
        edit = delete_statement_edit(self.ctx.source, stmt)
        if edit is None or edit.text:
            raise _Refused("the registration cannot be removed cleanly")
        return line, edit

    def _definitions(self, block: Node, name: str) -> int:
        count = 0
        for stmt in block.named_children:
            node = stmt
            if node.type == "decorated_definition":
                node = node.child_by_field_name("definition")
            if node is not None and node.type in ("function_definition", "class_definition"):
                if self.ctx.text(node.child_by_field_name("name")) == name:
                    count += 1
            elif stmt.type == "expression_statement" and stmt.named_children and stmt.named_children[0].type == "assignment":
                left = stmt.named_children[0].child_by_field_name("left")
                if left is not None and left.type == "identifier" and self.ctx.text(left) == name:
                    count += 1
        return count

    def _find_function(self, block: Node, name: str) -> Node | None:
        """The one `def name` of `block` (or of the module, for a factory function)."""
        for scope_block in (block, self.ctx.tree.root_node):
            if self._definitions(scope_block, name) == 1:
                for stmt in scope_block.named_children:
                    node = stmt.child_by_field_name("definition") if stmt.type == "decorated_definition" else stmt
                    if node is not None and node.type == "function_definition" and self.ctx.text(node.child_by_field_name("name")) == name:
                        return node
                return None
            if self._definitions(scope_block, name) > 1:
                return None
        return None

    def _delete_line(self, node: Node) -> Edit:
        src = self.ctx.source
        start = src.rfind(b"\n", 0, node.start_byte) + 1
        end = src.find(b"\n", node.end_byte)
        end = len(src) if end == -1 else end + 1
        before = src[start : node.start_byte].strip()
        after = src[node.end_byte : end].strip()
        if before or (after and not after.startswith(b"#")):
            raise _Refused("a decorator shares its line with other code")
        return Edit.delete(start, end)

    def _lifespan_argument(self, args: Node, fn_name: str, nl: str) -> Edit | list[Edit]:
        src = self.ctx.source
        kw = f"lifespan={fn_name}"
        items = [a for a in args.named_children if a.type != "comment"]
        close = args.end_byte - 1  # the `)`
        if not items:
            inner = src[args.start_byte + 1 : close]
            if inner.strip():
                raise _Refused("`FastAPI(...)` holds only comments")
            return Edit(args.start_byte + 1, close, kw)
        last = items[-1]
        tail = src[last.end_byte : close]
        trailing_comma = tail.lstrip().startswith(b",")
        multiline = b"\n" in src[args.start_byte : close] and b"\n" in tail
        if not multiline:
            if trailing_comma:
                comma = last.end_byte + tail.index(b",")
                return Edit.insert(comma + 1, f" {kw}")
            return Edit.insert(last.end_byte, f", {kw}")
        line_start = src.rfind(b"\n", 0, last.start_byte) + 1
        indent = re.match(rb"[ \t]*", src[line_start:last.start_byte]).group(0).decode()
        if src[line_start:last.start_byte].strip():
            # `FastAPI(title="x",\n    debug=True)`: the last argument shares its line.
            indent = indent or "    "
        if trailing_comma:
            comma = last.end_byte + tail.index(b",")
            eol = src.find(b"\n", comma)
            eol = eol - 1 if src[eol - 1 : eol] == b"\r" else eol
            if src.find(b"\n", comma) >= close or eol >= close:
                return Edit.insert(comma + 1, f" {kw},")
            return Edit.insert(eol, f"{nl}{indent}{kw},")
        eol = src.find(b"\n", last.end_byte)
        if eol >= close or eol == -1:  # `...last)` on one line after a multi-line argument
            return Edit.insert(last.end_byte, f", {kw}")
        eol = eol - 1 if src[eol - 1 : eol] == b"\r" else eol
        rest = src[last.end_byte : eol]
        if rest.strip().startswith(b"#"):
            # `debug=True  # comment`: the comma goes after the argument, the new one below.
            return [Edit.insert(last.end_byte, ","), Edit.insert(eol, f"{nl}{indent}{kw}")]
        return Edit.insert(last.end_byte, f",{nl}{indent}{kw}")


def _event_name(node: Node | None) -> str | None:
    if node is None:
        return None
    if node.type == "keyword_argument":
        key = node.child_by_field_name("name")
        if key is None or key.text.decode() != "event_type":
            return None
        node = node.child_by_field_name("value")
    if node is None or node.type != "string":
        return None
    return string_value(node)


def _shape(attr: Node) -> tuple[int, Captures] | None:
    """The registration an `on_event` / `add_event_handler` attribute belongs to, as the
    pattern index and captures of the nested patterns it stands for, or None:
    0 `(decorator (call function: (attribute object: (_) @obj) arguments: (argument_list) @args) @call) @dec`,
    1 `(expression_statement (call function: (attribute object: (_) @obj) arguments: (argument_list . (_) @event)) @call)`,
    2 `(call function: (call function: (attribute object: (_) @obj) arguments: (argument_list) @args) @call
    arguments: (argument_list . (_) @handler))`."""
    call = attr.parent
    if call is None or call.type != "call" or call.child_by_field_name("function") != attr:
        return None
    obj = attr.child_by_field_name("object")
    name = attr.child_by_field_name("attribute")
    args = call.child_by_field_name("arguments")
    if obj is None or name is None or args is None or args.type != "argument_list":
        return None
    base: Captures = {"obj": [obj], "m": [name], "call": [call]}
    outer = call.parent
    if name.text == b"add_event_handler":
        if outer is None or outer.type != "expression_statement" or not args.named_children:
            return None
        return 1, {**base, "event": [args.named_children[0]]}
    if outer is not None and outer.type == "decorator":
        return 0, {**base, "args": [args], "dec": [outer]}
    if outer is not None and outer.type == "call" and outer.child_by_field_name("function") == call:
        handler_args = outer.child_by_field_name("arguments")
        if handler_args is not None and handler_args.type == "argument_list" and handler_args.named_children:
            return 2, {**base, "args": [args], "handler": [handler_args.named_children[0]]}
    return None
