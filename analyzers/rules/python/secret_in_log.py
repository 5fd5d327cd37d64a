"""RL102 secret-in-log (Python)."""

from __future__ import annotations

import re

from tree_sitter import Node

from ...languages import PYTHON
from ...model import Severity
from ...naming import is_credential_name, is_redacted_name
from ...rule import Captures, Rule

LOG_METHODS = (
    "debug", "info", "warning", "warn", "error", "exception", "critical", "fatal", "log",
    "msg", "trace", "success", "notice",
)
# A receiver that is a logger: `logger`, `log`, `_logger`, `LOGGER`, `audit_log`,
# `self.logger`, `self._log`, `cls.logger`, `logging`, `structlog.get_logger()`.
_LOGGER_NAME = re.compile(r"^_*(?:[a-z0-9_]*_)?(?:logger|log|logging)$", re.I)
LOGGER_FACTORIES = frozenset({"logging.getLogger", "structlog.get_logger", "structlog.getLogger", "logging.getLoggerClass"})
# Calls whose result still carries the argument's text.
PASS_THROUGH = frozenset({"str", "repr", "format", "ascii", "dict", "list", "tuple", "vars", "bytes"})
# Calls of these methods on a credential-named object, or with a credential-named key,
# return the credential itself: `request.headers.get("Authorization")`, `cookies.get(...)`.
GETTERS = frozenset({"get", "getlist", "pop", "get_secret_value", "decode", "encode", "strip", "model_dump", "dict", "json"})
# Arguments of a logging call that are not logged as text.
SKIP_KEYWORDS = frozenset({"exc_info", "stack_info", "stacklevel", "level", "file", "end", "sep", "flush"})


class SecretInLog(Rule):
    """
    ## What it does
    Flags `print(...)` and logging calls (`logging.info`, `logger.*`, `log.*`,
    `self.logger.*`, structlog and loguru loggers) whose arguments pass or interpolate a
    value whose name carries a credential: `token`, `jwt`, `authorization`, `auth_header`,
    `password`, `passwd`, `secret`, `api_key`/`apikey`, `cookie`, `session_id`,
    `private_key`, `credentials`. f-strings, `%` formatting, `.format(...)`,
    concatenation, plain arguments, keyword arguments (`log.info("login", token=token)`)
    and header/cookie lookups (`request.headers.get("Authorization")`) all count.

    Names are matched word by word (see the catalog's "Name matching"): `max_tokens`,
    `token_count`, `token_type`, `password_policy` are not credentials. A value that is
    only measured or tested (`len(token)`, `token is None`, `bool(api_key)`), sliced
    (`token[:8]`), or named as redacted (`masked_token`, `password_hash`) is not flagged.
    Test and script paths are exempt.

    ## Why is this bad?
    Logs are shipped to aggregators, kept for months and read by many more people than
    the secrets store. A bearer token or password written to a log line is a leaked
    credential: anyone with log access can replay it until it expires or is rotated.

    ## Example
    ```python
    @router.post("/login")
    async def login(form: OAuth2PasswordRequestForm = Depends()):
        token = create_access_token(form.username)
        logger.info(f"issued token {token} for {form.username}")
        return {"access_token": token, "token_type": "bearer"}
    ```

    ## Use instead
    ```python
    @router.post("/login")
    async def login(form: OAuth2PasswordRequestForm = Depends()):
        token = create_access_token(form.username)
        logger.info("issued token for %s", form.username)
        return {"access_token": token, "token_type": "bearer"}
    ```

    ## Fix safety
    No fix: what to log instead (nothing, a user id, a hash) is a decision for the author.
    """

    code = "RL102"
    name = "secret-in-log"
    language = PYTHON
    severity = Severity.ERROR
    exempt_paths = True
    messages = {
        "default": "`{name}` carries a credential and is written to the log by `{callee}`",
    }
    query = """
    (call function: (attribute attribute: (identifier) @method (#any-of? @method "debug" "info" "warning" "warn" "error" "exception" "critical" "fatal" "log" "msg" "trace" "success" "notice")) arguments: (argument_list) @args) @call
    (call function: (identifier) @fn (#eq? @fn "print") arguments: (argument_list) @args) @call
    """

    def on_match(self, captures: Captures, pattern: int) -> None:
        call = captures["call"][0]
        fn = call.child_by_field_name("function")
        if pattern == 0:
            if not self._is_logger(fn.child_by_field_name("object")):
                return
        elif self.ctx.py.qualified_name(fn) != "builtins.print":
            return
        args = captures["args"][0]
        for arg in args.named_children:
            hit = self._leak(arg, top=True)
            if hit is not None:
                self.report(call, name=hit, callee=self._callee(fn))
                return

    def _callee(self, fn: Node) -> str:
        text = self.ctx.text(fn)
        return text if len(text) <= 40 else "..." + text[-37:]

    # --- is the receiver a logger? -------------------------------------------------------
    def _is_logger(self, recv: Node | None) -> bool:
        if recv is None:
            return False
        py = self.ctx.py
        if recv.type == "identifier":
            name = self.ctx.text(recv)
            qn = py.qualified_name(recv)
            if qn is not None:
                return qn in ("logging", "loguru.logger", "structlog") or qn.endswith((".logger", ".log", ".LOGGER"))
            return bool(_LOGGER_NAME.match(name))
        if recv.type == "attribute":  # self.logger, app.logger, cls._log
            attr = recv.child_by_field_name("attribute")
            return attr is not None and bool(_LOGGER_NAME.match(self.ctx.text(attr))) and self.ctx.text(attr).lower() != "logging"
        if recv.type == "call":  # logging.getLogger(__name__).info(...), structlog.get_logger().info(...)
            return py.call_name(recv) in LOGGER_FACTORIES
        return False

    # --- does an argument carry a credential? ---------------------------------------------
    def _leak(self, node: Node, top: bool = False) -> str | None:
        t = node.type
        if t == "identifier":
            name = self.ctx.text(node)
            return name if _credential(name) else None
        if t == "attribute":
            attr = node.child_by_field_name("attribute")
            name = self.ctx.text(attr)
            return self.ctx.text(node) if _credential(name) else None
        if t == "subscript":
            index = node.child_by_field_name("subscript")
            if index is not None and index.type == "slice":
                return None  # token[:8]: a deliberate prefix
            if index is not None and index.type == "string":
                key = _string_value(self.ctx.text(index))
                return self.ctx.text(node) if key is not None and _credential(key) else None
            return self._leak(node.child_by_field_name("value"))
        if t == "keyword_argument":
            key = self.ctx.text(node.child_by_field_name("name"))
            if key in SKIP_KEYWORDS:
                return None
            value = node.child_by_field_name("value")
            if value is None:
                return None
            inner = self._leak(value)
            if inner is not None:
                return inner
            if _credential(key) and value.type in ("identifier", "attribute", "subscript", "call") and not _measures(self.ctx, value):
                return key
            return None
        if t == "string":
            for interp in node.named_children:
                if interp.type == "interpolation":
                    expr = interp.child_by_field_name("expression") or (interp.named_children[0] if interp.named_children else None)
                    if expr is not None:
                        hit = self._leak(expr)
                        if hit is not None:
                            return hit
            return None
        if t in ("concatenated_string",):
            return self._first(node.named_children)
        if t == "binary_operator":
            return self._first([node.child_by_field_name("left"), node.child_by_field_name("right")])
        if t == "boolean_operator":  # `token or "-"` is the token
            return self._first([node.child_by_field_name("left"), node.child_by_field_name("right")])
        if t == "conditional_expression":
            parts = [c for c in node.named_children]
            return self._first([parts[0], parts[2]] if len(parts) == 3 else parts)
        if t in ("parenthesized_expression", "await", "list", "tuple", "set", "expression_list", "list_splat", "dictionary_splat"):
            return self._first(node.named_children)
        if t == "dictionary":
            values = [p.child_by_field_name("value") for p in node.named_children if p.type == "pair"]
            for pair in node.named_children:
                if pair.type != "pair":
                    continue
                key, value = pair.child_by_field_name("key"), pair.child_by_field_name("value")
                hit = self._leak(value) if value is not None else None
                if hit is not None:
                    return hit
                kv = _string_value(self.ctx.text(key)) if key is not None and key.type == "string" else None
                if kv is not None and _credential(kv) and value is not None and value.type in ("identifier", "attribute", "subscript", "call") and not _measures(self.ctx, value):
                    return kv
            del values
            return None
        if t == "call":
            return self._leak_call(node)
        return None  # literals, comparisons, `not x`, lambdas, ...

    def _first(self, nodes) -> str | None:
        for n in nodes:
            if n is None:
                continue
            hit = self._leak(n)
            if hit is not None:
                return hit
        return None

    def _leak_call(self, call: Node) -> str | None:
        fn = call.child_by_field_name("function")
        args = call.child_by_field_name("arguments")
        if fn is None or args is None or args.type != "argument_list":
            return None
        if fn.type == "identifier":
            if self.ctx.text(fn) in PASS_THROUGH and self.ctx.py.qualified_name(fn) is not None:
                return self._first(args.named_children)
            return None
        if fn.type != "attribute":
            return None
        method = self.ctx.text(fn.child_by_field_name("attribute"))
        obj = fn.child_by_field_name("object")
        if method == "format" and obj is not None and obj.type == "string":
            return self._first(args.named_children)
        if method in ("dumps",) and self.ctx.py.qualified_name(fn) == "json.dumps":
            return self._first(args.named_children[:1])
        if method in GETTERS:
            positional = [a for a in args.named_children if a.type not in ("keyword_argument", "comment")]
            if positional and positional[0].type == "string":
                key = _string_value(self.ctx.text(positional[0]))
                if key is not None:
                    return self.ctx.text(call) if _credential(key) else None
            return self._leak(obj) if obj is not None else None
        return None


def _credential(name: str) -> bool:
    return is_credential_name(name) and not is_redacted_name(name)


def _measures(ctx, node: Node) -> bool:
    """`len(token)`, `bool(x)`: a call that reduces its argument to a harmless fact."""
    if node.type != "call":
        return False
    fn = node.child_by_field_name("function")
    return fn is not None and fn.type == "identifier" and ctx.text(fn) not in PASS_THROUGH


def _string_value(text: str) -> str | None:
    m = re.match(r"^[rRbBuU]?(['\"])(.*)\1$", text, re.S)
    if m is None:
        m = re.match(r'^[rRbBuU]?("""|\'\'\')(.*)\1$', text, re.S)
    return m.group(2) if m else None
