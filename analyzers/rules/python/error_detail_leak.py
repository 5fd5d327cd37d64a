"""RL305 error-detail-leak (Python)."""

from __future__ import annotations

import re

from tree_sitter import Node

from ...languages import PYTHON
from ...model import Applicability, Edit, FixAvailability, Severity
from ...python.edits import insert_statement_before, module_logger_edits
from ...python.handlers import except_clause_spans
from ...rule import Captures, Rule
from ...soundness import unsound

EXCEPTIONS = frozenset({
    "fastapi.HTTPException", "fastapi.exceptions.HTTPException", "starlette.exceptions.HTTPException",
    "fastapi.WebSocketException", "fastapi.exceptions.WebSocketException", "starlette.exceptions.WebSocketException",
})
RESPONSE_MODULES = ("fastapi.responses.", "starlette.responses.", "fastapi.")
RESPONSES = frozenset({"Response", "JSONResponse", "PlainTextResponse", "HTMLResponse", "ORJSONResponse", "UJSONResponse"})
ROUTE_DECORATORS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "api_route", "route"})
# Attributes of an exception that carry its text or an upstream body.
LEAK_ATTRS = frozenset({
    "message", "msg", "args", "strerror", "stack", "orig", "body", "text", "content", "response",
    "reason", "__str__", "__repr__", "pgerror", "diag", "output", "stderr", "stdout",
    "__traceback__", "__cause__", "__context__", "errmsg", "error_message",
})
# The end of an attribute chain that is metadata, not text: `e.response.status_code`.
SAFE_ATTRS = frozenset({"status_code", "status", "code", "headers", "reason_phrase", "url", "method", "elapsed", "is_success", "is_error"})
# Exceptions whose message describes what was wrong with the client's input.
CLIENT_ERROR_TYPES = frozenset({
    "builtins.ValueError", "builtins.TypeError", "builtins.KeyError", "builtins.IndexError",
    "builtins.UnicodeError", "builtins.UnicodeDecodeError", "json.JSONDecodeError", "json.decoder.JSONDecodeError",
    "yaml.YAMLError", "yaml.error.YAMLError", "zipfile.BadZipFile", "binascii.Error", "orjson.JSONDecodeError",
    "jwt.InvalidTokenError", "jwt.ExpiredSignatureError", "jwt.DecodeError", "jwt.exceptions.InvalidTokenError",
    "jwt.PyJWTError", "jose.JWTError", "jose.exceptions.JWTError", "jose.ExpiredSignatureError",
    "pydantic.ValidationError", "pydantic_core.ValidationError", "pydantic.v1.ValidationError",
    "fastapi.exceptions.RequestValidationError", "fastapi.exceptions.ValidationException",
})
# Exception classes whose name says the client is at fault: `InvalidCoupon`,
# `OrderNotFoundError`, `CatalogPolicyValidationError`, `PermissionError`.
_CLIENT_ERROR_NAME = re.compile(
    r"^(?:Invalid|Unsupported|Unknown|Duplicate|Missing|Malformed|Forbidden|Unauthori[sz]ed|NotAllowed)[A-Z]"
    r"|(?:NotFound|DoesNotExist|Validation|Conflict|Forbidden|Permission|NotAllowed|Denied|Rejected|AlreadyExists|Unauthori[sz]ed)(?:Error|Exception)?$"
)
TRACEBACK_FUNCS = frozenset({
    "traceback.format_exc", "traceback.format_exception", "traceback.format_tb",
    "traceback.format_stack", "traceback.format_exception_only",
})
STRINGIFY = frozenset({"str", "repr", "format", "ascii"})
SCOPE_STOP = ("function_definition", "lambda", "class_definition", "module")


class ErrorDetailLeak(Rule):
    """
    ## What it does
    Flags, inside an `except ... as e` handler, an `HTTPException` (or
    `WebSocketException`) whose `detail` contains the exception's text, and a response
    (`JSONResponse`, `PlainTextResponse`, ..., or a dict returned from a route handler)
    whose body contains it: `str(e)`, `repr(e)`, `f"...{e}"`, `e.args`, `e.message`,
    `traceback.format_exc()`, directly or through a local variable assigned from one of
    them earlier in the same handler.

    Re-raising an upstream `HTTPException`'s own `e.detail` is not a leak, nor are
    `e.status_code`, `e.response.status_code`, `type(e).__name__` or validation errors
    (`e.errors()`). A 4xx response that echoes the message of a client-input error is the
    API telling the client what was wrong, and is not flagged either: the handler catches
    only input errors (`ValueError`, `TypeError`, `KeyError`, `JSONDecodeError`,
    `YAMLError`, `BadZipFile`, PyJWT/jose token errors, pydantic's `ValidationError`),
    exception classes named for a client error (`Invalid...`, `...NotFoundError`,
    `...ValidationError`, `...Conflict`, `PermissionError`, ...) or exception classes of the
    project itself (defined in the file, imported relatively or from a package that is a
    directory of the file's path), and the status code is a literal 4xx or the status the caught
    exception carries (`status_code=e.status_code`). Nor is a 4xx raised under a check of
    the message itself (`if "not found" in str(e): raise HTTPException(404, str(e))`).

    ## Why is this bad?
    Exception text is written for developers: it carries SQL statements, table and column
    names, file paths, hostnames, library versions and sometimes data of other users.
    Returned to the client it maps the internals for an attacker, and every new library
    error becomes part of the public API.

    ## Example
    ```python
    @router.post("/orders")
    async def create_order(order: OrderIn, db: AsyncSession = Depends(get_db)):
        try:
            return await orders.create(db, order)
        except Exception as e:
            raise HTTPException(status_code=500, detail=f"Failed to create order: {e}")
    ```

    ## Use instead
    ```python
    @router.post("/orders")
    async def create_order(order: OrderIn, db: AsyncSession = Depends(get_db)):
        try:
            return await orders.create(db, order)
        except Exception as e:
            logger.exception("Failed to create order")
            raise HTTPException(status_code=500, detail="Failed to create order")
    ```

    ## Fix safety
    Unsafe: clients that read the old detail text get a generic message instead. The fix
    replaces the leaking expression with a generic message (the literal text of the
    f-string when there is one, else the status code's reason phrase) and adds
    `logger.exception(...)` before the `raise`/`return`, reusing the module logger or
    adding `import logging` and `logger = logging.getLogger(__name__)`. It is offered when
    the statement starts its own line.
    """

    code = "RL305"
    name = "error-detail-leak"
    language = PYTHON
    severity = Severity.WARNING
    fix_availability = FixAvailability.SOMETIMES
    messages = {
        "default": "exception details (`{leak}`) are sent to the client in {where}",
    }
    # Only code inside an `except` handler is examined.
    requires = r"\bexcept\b"
    # The call's parts are read in _call_shape: spelled out,
    #   (raise_statement (call function: (_) @fn arguments: (argument_list) @args) @call) @stmt
    #   (return_statement (call function: (_) @fn arguments: (argument_list) @args) @call) @stmt
    # the nested call steps took ~1.2 ms to compile in every process.
    query = """
    (raise_statement (call) @_call) @_stmt
    (return_statement (call) @_call) @_stmt
    (return_statement (dictionary) @body) @stmt
    """

    def anchor_spans(self, memo: dict) -> list[tuple[int, int]]:
        # Only a statement inside an `except` handler can report: the handlers anchor it.
        return except_clause_spans(self.ctx, memo)

    def on_match(self, captures: Captures, pattern: int) -> None:
        if pattern != 2:
            captures = _call_shape(captures["_call"][0], captures["_stmt"][0])
            if captures is None or unsound(captures):
                return  # what the spelled-out patterns would not match, or the engine not trust
        stmt = captures["stmt"][0]
        handler = self._handler(stmt)
        if handler is None:
            return
        exc_name = _alias(self.ctx, handler)
        if pattern == 2:
            if not self._in_route(stmt):
                return
            body = captures["body"][0]
            where = "the route's response"
        else:
            call = captures["call"][0]
            args = captures["args"][0]
            picked = self._payload(call, args)
            if picked is None:
                return
            body, where = picked
        tainted = self._tainted(handler, stmt, exc_name)
        leaks = self._leak_nodes(body, exc_name, tainted)
        if not leaks:
            return
        status = self._status(captures.get("args", [None])[0]) if pattern != 2 else None
        if self._client_facing(handler, exc_name, status, captures.get("args", [None])[0], pattern) and (
            self._client_error_handler(handler) or self._message_checked(stmt, handler, exc_name)
        ):
            return
        self.report(
            leaks[0],
            fix=self._fix(stmt, handler, leaks, status),
            leak=_short(self.ctx.text(leaks[0])),
            where=where,
        )

    # --- structure ---------------------------------------------------------------------
    def _handler(self, stmt: Node) -> Node | None:
        p = stmt.parent
        while p is not None and p.type not in SCOPE_STOP:
            if p.type == "except_clause":
                return p
            p = p.parent
        return None

    def _client_facing(self, handler: Node, exc: str | None, status: int | None, args: Node | None, pattern: int) -> bool:
        """The response reports a client error: a literal 4xx status, the status the caught
        exception carries (`status_code=e.status_code`), or a route's own error body."""
        if status is not None:
            return 400 <= status < 500
        if pattern == 2:
            return True
        if args is not None and exc is not None:
            for a in args.named_children:
                if a.type == "keyword_argument" and self.ctx.text(a.child_by_field_name("name")) == "status_code":
                    return self.ctx.text(a.child_by_field_name("value")) in (f"{exc}.status_code", f"{exc}.status")
        return False

    def _message_checked(self, stmt: Node, handler: Node, exc: str | None) -> bool:
        """`if "not found" in str(e): raise HTTPException(404, str(e))`: the handler
        inspected the message and forwards only the ones it recognises."""
        if exc is None:
            return False
        p = stmt.parent
        while p is not None and p.id != handler.id:
            if p.type in ("if_statement", "elif_clause"):
                cond = p.child_by_field_name("condition")
                text = self.ctx.text(cond) if cond is not None else ""
                if re.search(rf"\b{re.escape(exc)}\b", text) and re.search(r"\bin\b|==|startswith|endswith|match|search", text):
                    return True
            p = p.parent
        return False

    def _client_error_handler(self, handler: Node) -> bool:
        """Every type the handler catches is a client-input error: a `ValueError`-style
        validation error or an exception class of the project itself (defined in this file,
        imported relatively or from the project's own top-level package)."""
        value = handler.child_by_field_name("value")
        if value is None:
            value = next((c for c in handler.named_children if c.type != "block"), None)
        if value is None:
            return False
        if value.type == "as_pattern":
            value = value.named_children[0] if value.named_children else None
        if value is None:
            return False
        types = value.named_children if value.type == "tuple" else [value]
        return bool(types) and all(self._client_error_type(t) for t in types)

    def _client_error_type(self, node: Node) -> bool:
        if node.type not in ("identifier", "attribute"):
            return False
        py = self.ctx.py
        qn = py.qualified_name(node)
        if qn in CLIENT_ERROR_TYPES:
            return True
        if qn is None:
            # a class defined in this file (not a rebinding of a builtin)
            name = self.ctx.text(node).split(".")[0]
            return node.type == "identifier" and name not in ("Exception", "BaseException") and py.is_bound_locally(name, node)
        last = qn.rsplit(".", 1)[-1]
        if _CLIENT_ERROR_NAME.search(last):
            return True
        if qn.startswith("builtins."):
            return False
        if qn.startswith("."):
            return True
        # the project's own package: a directory of this file's path (`app` in backend/app/api/x.py)
        top = qn.split(".", 1)[0]
        return top in self.ctx.rel_path.split("/")[:-1]

    def _in_route(self, stmt: Node) -> bool:
        p = stmt.parent
        while p is not None and p.type not in ("function_definition", "lambda", "class_definition"):
            p = p.parent
        if p is None or p.type != "function_definition" or p.parent is None or p.parent.type != "decorated_definition":
            return False
        for dec in p.parent.named_children:
            if dec.type != "decorator" or not dec.named_children:
                continue
            expr = dec.named_children[0]
            if expr.type == "call":
                expr = expr.child_by_field_name("function")
            if expr is not None and expr.type == "attribute" and self.ctx.text(expr.child_by_field_name("attribute")) in ROUTE_DECORATORS:
                return True
        return False

    def _payload(self, call: Node, args: Node) -> tuple[Node, str] | None:
        qn = self.ctx.py.call_name(call)
        fn = call.child_by_field_name("function")
        if qn is None:
            return None
        last = qn.rsplit(".", 1)[-1]
        positional = [a for a in args.named_children if a.type not in ("keyword_argument", "comment")]
        keywords = {self.ctx.text(a.child_by_field_name("name")): a.child_by_field_name("value") for a in args.named_children if a.type == "keyword_argument"}
        if qn in EXCEPTIONS or last.endswith("HTTPException"):
            key, index = ("reason", 1) if "WebSocket" in last else ("detail", 1)
            node = keywords.get(key) or (positional[index] if len(positional) > index else None)
            return (node, f"`{self.ctx.text(fn)}` {key}") if node is not None else None
        if last in RESPONSES and qn.startswith(RESPONSE_MODULES):
            node = keywords.get("content") or (positional[0] if positional else None)
            return (node, f"the `{last}` body") if node is not None else None
        return None

    def _status(self, args: Node | None) -> int | None:
        if args is None:
            return None
        for a in args.named_children:
            value = None
            if a.type == "keyword_argument" and self.ctx.text(a.child_by_field_name("name")) == "status_code":
                value = a.child_by_field_name("value")
            elif a.type in ("integer", "attribute") and a == args.named_children[0]:
                value = a
            if value is not None:
                m = re.search(r"(?<![0-9])([1-5][0-9]{2})(?![0-9])", self.ctx.text(value))
                return int(m.group(1)) if m else None
        return None

    # --- leaks -------------------------------------------------------------------------
    def _tainted(self, handler: Node, stmt: Node, exc: str | None) -> set[str]:
        names: set[str] = set()
        assigns: list[Node] = []
        stack = [handler]
        while stack:
            n = stack.pop()
            if n.start_byte >= stmt.start_byte:
                continue
            if n.type in ("function_definition", "lambda", "class_definition"):
                continue
            if n.type == "assignment":
                assigns.append(n)
            stack.extend(n.named_children)
        for assign in sorted(assigns, key=lambda a: a.start_byte):
            left, right = assign.child_by_field_name("left"), assign.child_by_field_name("right")
            if left is not None and left.type == "identifier" and right is not None:
                if self._leaks(right, exc, names):
                    names.add(self.ctx.text(left))
                else:
                    names.discard(self.ctx.text(left))
        return names

    def _leak_nodes(self, expr: Node | None, exc: str | None, tainted: set[str]) -> list[Node]:
        if expr is None:
            return []
        if expr.type == "dictionary":
            out: list[Node] = []
            for pair in expr.named_children:
                if pair.type == "pair":
                    out += self._leak_nodes(pair.child_by_field_name("value"), exc, tainted)
                elif pair.type == "dictionary_splat":
                    out += self._leak_nodes(pair.named_children[0] if pair.named_children else None, exc, tainted)
            return out
        if expr.type in ("list", "tuple"):
            out = []
            for item in expr.named_children:
                out += self._leak_nodes(item, exc, tainted)
            return out
        if expr.type == "call" and self.ctx.py.call_name(expr) == "builtins.dict":
            args = expr.child_by_field_name("arguments")
            out = []
            for a in args.named_children if args is not None else []:
                if a.type == "keyword_argument":
                    out += self._leak_nodes(a.child_by_field_name("value"), exc, tainted)
            return out
        return [expr] if self._leaks(expr, exc, tainted) else []

    def _leaks(self, node: Node | None, exc: str | None, tainted: set[str]) -> bool:
        if node is None:
            return False
        t = node.type
        if t == "identifier":
            name = self.ctx.text(node)
            return name == exc or name in tainted
        if t == "attribute":
            root, first_attr, last_attr = _attr_root(node)
            if root is None or self.ctx.text(root) != exc:
                return False
            return first_attr in LEAK_ATTRS and (first_attr == last_attr or last_attr not in SAFE_ATTRS)
        if t == "subscript":
            return self._leaks(node.child_by_field_name("value"), exc, tainted)
        if t == "call":
            qn = self.ctx.py.call_name(node)
            if qn in TRACEBACK_FUNCS:
                return True
            fn = node.child_by_field_name("function")
            args = node.child_by_field_name("arguments")
            if args is None or args.type != "argument_list":
                return False
            if fn is not None and fn.type == "identifier" and self.ctx.text(fn) in STRINGIFY:
                return any(self._leaks(a, exc, tainted) for a in args.named_children)
            if fn is not None and fn.type == "attribute":
                method = self.ctx.text(fn.child_by_field_name("attribute"))
                obj = fn.child_by_field_name("object")
                if method in ("format", "join") and obj is not None and obj.type == "string":
                    return any(self._leaks(a, exc, tainted) for a in args.named_children)
                if method in ("strip", "lower", "upper", "replace", "split", "splitlines", "decode", "rstrip", "lstrip"):
                    return self._leaks(obj, exc, tainted)
            if fn is not None and fn.type == "identifier" and self.ctx.text(fn) == "getattr":
                return any(self._leaks(a, exc, tainted) for a in args.named_children[2:])
            return False
        if t == "string":
            for interp in node.named_children:
                if interp.type == "interpolation":
                    expr = interp.child_by_field_name("expression") or (interp.named_children[0] if interp.named_children else None)
                    if self._leaks(expr, exc, tainted):
                        return True
            return False
        if t in ("concatenated_string", "parenthesized_expression", "list", "tuple", "expression_list"):
            return any(self._leaks(c, exc, tainted) for c in node.named_children)
        if t in ("binary_operator", "boolean_operator"):
            return self._leaks(node.child_by_field_name("left"), exc, tainted) or self._leaks(node.child_by_field_name("right"), exc, tainted)
        if t == "conditional_expression":
            parts = node.named_children
            return any(self._leaks(p, exc, tainted) for p in (parts[0], parts[2])) if len(parts) == 3 else False
        if t == "dictionary":
            return bool(self._leak_nodes(node, exc, tainted))
        return False

    # --- the fix -----------------------------------------------------------------------
    def _fix(self, stmt: Node, handler: Node, leaks: list[Node], status: int | None):
        if stmt.parent is None or stmt.parent.type != "block":
            return None
        message = self._generic(leaks[0], status)
        edits: list[Edit] = [Edit(n.start_byte, n.end_byte, _py_str(message)) for n in leaks]
        if not self._already_logged(handler, stmt):
            logger = module_logger_edits(self.ctx, stmt)
            if logger is None:
                return None
            name, logger_edits = logger
            line = insert_statement_before(self.ctx.source, stmt, f"{name}.exception({_py_str(message)})")
            if line is None:
                return None
            edits += logger_edits + [line]
        return self.make_fix("Send a generic message and log the exception", edits, Applicability.UNSAFE)

    def _already_logged(self, handler: Node, stmt: Node) -> bool:
        stack = [handler]
        while stack:
            n = stack.pop()
            if n.start_byte >= stmt.start_byte or n.type in ("function_definition", "lambda", "class_definition"):
                continue
            if n.type == "call":
                fn = n.child_by_field_name("function")
                if fn is not None and fn.type == "attribute" and self.ctx.text(fn.child_by_field_name("attribute")) == "exception":
                    return True
            stack.extend(n.named_children)
        return False

    def _generic(self, leak: Node, status: int | None) -> str:
        if leak.type == "string":
            parts = [c for c in leak.named_children if c.type in ("string_content", "interpolation", "escape_sequence")]
            text = ""
            for c in parts:
                if c.type == "interpolation":
                    break  # the literal text before the first field
                text += self.ctx.text(c)
            text = text.strip().rstrip(":-,;([ ").strip()
            if len(text) >= 3 and "{" not in text and "\\" not in text:
                return text
        if status is not None:
            import http  # ~0.6 ms (its status enum), for this fix's message only

            try:
                return http.HTTPStatus(status).phrase
            except ValueError:
                pass
        return "Internal server error"


def _alias(ctx, handler: Node) -> str | None:
    value = handler.child_by_field_name("value")
    if value is None:
        for c in handler.named_children:
            if c.type == "as_pattern":
                value = c
                break
    if value is not None and value.type == "as_pattern":
        alias = value.child_by_field_name("alias")
        if alias is not None:
            ident = alias.named_children[0] if alias.named_children else alias
            return ctx.text(ident)
    return None


def _attr_root(node: Node) -> tuple[Node | None, str, str]:
    """`e.response.text` -> (e, "response", "text")."""
    first = ""
    last = node.child_by_field_name("attribute").text.decode()
    while node.type == "attribute":
        first = node.child_by_field_name("attribute").text.decode()
        node = node.child_by_field_name("object")
    return (node if node.type == "identifier" else None), first, last


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 50 else text[:47] + "..."


def _py_str(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def _call_shape(call: Node, stmt: Node) -> dict[str, list[Node]] | None:
    """The captures of the spelled-out raise/return patterns (see the query): a call with
    an argument list (not `f(x for x in y)`)."""
    fn, args = call.child_by_field_name("function"), call.child_by_field_name("arguments")
    if fn is None or args is None or args.type != "argument_list":
        return None
    return {"fn": [fn], "args": [args], "call": [call], "stmt": [stmt]}
