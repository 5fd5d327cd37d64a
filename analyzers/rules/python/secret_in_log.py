"""RL102 secret-in-log (Python)."""

from __future__ import annotations

import re

from tree_sitter import Node

from ...languages import PYTHON
from ...model import Severity
from ...naming import credential_words, is_credential_name, is_redacted_name, words
from ...python.semantic import enclosing
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
# Chat, websocket, Socket.IO and database sessions carry ids that are not login sessions.
_NON_AUTH_SESSION = frozenset({"chat", "socket", "websocket", "ws", "sid", "sio", "conversation", "thread", "db", "database", "room", "agent", "run", "message", "messages"})
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
    (`token[:8]`), hashed or masked first (`hash_token(t)`, `key = key[:8] + "***"` earlier
    in the function), or named as redacted (`masked_token`, `password_hash`) is not
    flagged. `session_id` counts, except in a function whose name or parameters are about
    chat, socket or database sessions: there it counts only when the function reads it from
    a cookie or header (such session ids are identifiers, not credentials). In a module
    that hashes its tokens (calls `hash_token(...)`), values named just `token` or
    `user_api_key` are taken as the stored hashes. Test and script paths are exempt.

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
    # A credential word (any case) somewhere, and a logging method or `print`. naming.py
    # reads `...ies` as `...y`, so `keies` is a `key` there.
    requires = (
        r"(?i:pass|key|auth|token|secret|cookie|session|cred|jwt|pwd|keies)",
        r"\b(?:print|debug|info|warning|warn|error|exception|critical|fatal|log|msg|trace|success|notice)\b",
    )
    # Anchor: the method and function names the query's predicates accept.
    anchor = r"\b(?:print|debug|info|warning|warn|error|exception|critical|fatal|log|msg|trace|success|notice)\b"
    # A logger's method and `print` in one alternation (one call step to compile, not
    # two: ~0.6 ms less in every process); which of them a match is, is read from the
    # callee: `logger.<method>(...)` with a logging method, or `print(...)`.
    query = """
    (call function: [(attribute attribute: (identifier) @method) (identifier) @method] (#any-of? @method "debug" "info" "warning" "warn" "error" "exception" "critical" "fatal" "log" "msg" "trace" "success" "notice" "print") arguments: (argument_list) @args) @call
    """

    def on_match(self, captures: Captures, pattern: int) -> None:
        call = captures["call"][0]
        fn = call.child_by_field_name("function")
        is_print = captures["method"][0].text == b"print"
        if fn.type == "attribute":
            if is_print or not self._is_logger(fn.child_by_field_name("object")):
                return
        elif not is_print or self.ctx.py.qualified_name(fn) != "builtins.print":
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
                return qn in ("logging", "structlog") or bool(_LOGGER_NAME.match(qn.rsplit(".", 1)[-1]))
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
            if not (_credential(name) and self._session_credential(name, node)) or self._stored_hash(name):
                return None
            return None if self._masked_before(name, node) else name
        if t == "attribute":
            attr = node.child_by_field_name("attribute")
            name = self.ctx.text(attr)
            if self._stored_hash(name):
                return None
            return self.ctx.text(node) if _credential(name) and self._session_credential(name, node) else None
        if t == "subscript":
            index = node.child_by_field_name("subscript")
            if index is not None and index.type == "slice":
                return None  # token[:8]: a deliberate prefix
            if index is not None and index.type == "string":
                key = _string_value(self.ctx.text(index))
                return self.ctx.text(node) if key is not None and _credential(key) and not self._stored_hash(key) else None
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
            if _credential(key) and value.type in ("identifier", "attribute", "subscript", "call") and not _measures(self.ctx, value) and not _names_something(self.ctx, value):
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
            return None
        if t == "call":
            return None if _redacting_call(self.ctx, node) else self._leak_call(node)
        return None  # literals, comparisons, `not x`, lambdas, ...

    def _session_credential(self, name: str, node: Node) -> bool:
        """`session_id` is a credential when it is the session cookie or header, not when it
        names a chat, socket or database session: require the enclosing function to read
        it from a cookie or header (`request.cookies.get(...)`, `Cookie(...)`)."""
        if set(credential_words(name)) - {"session_id", "sessionid"}:
            return True
        if node.type == "attribute":
            obj = node.child_by_field_name("object")
            return obj is not None and "cookie" in self.ctx.text(obj).lower()
        func = enclosing(node, ("function_definition",))
        if func is None:
            return True
        signature = self.ctx.text(func.child_by_field_name("name")) + " " + self.ctx.text(func.child_by_field_name("parameters"))
        if not _NON_AUTH_SESSION & set(words(signature)):
            return True
        # A chat, socket or database session id in a function about those sessions: only a
        # cookie or header read makes it the login session.
        # A parameter declared as `session_id: str = Cookie(...)` / `Header(...)`.
        params = func.child_by_field_name("parameters")
        for p in params.named_children if params is not None else []:
            pname = p.child_by_field_name("name")
            value = p.child_by_field_name("value")
            if pname is not None and self.ctx.text(pname) == name and value is not None:
                if re.search(r"\b(Cookie|Header)\s*\(", self.ctx.text(value)):
                    return True
        # An assignment from a cookie or header read in the same function.
        stack = [func.child_by_field_name("body")]
        while stack:
            n = stack.pop()
            if n is None or n.type in ("function_definition", "class_definition", "lambda"):
                continue
            if n.type == "assignment":
                left, right = n.child_by_field_name("left"), n.child_by_field_name("right")
                if left is not None and right is not None and self.ctx.text(left) == name:
                    if re.search(r"cookie|header", self.ctx.text(right), re.I):
                        return True
            stack.extend(n.named_children)
        return False

    def _stored_hash(self, name: str) -> bool:
        """In a module that hashes its tokens (calls `hash_token(...)`, keeps
        `hashed_token`s), a value named just `token` / `user_api_key` is the stored hash
        used as the key's id, not the key."""
        if not set(credential_words(name)) <= {"token", "api_key"}:
            return False
        hashes = self.ctx.cache.get("rl102.hashes")
        if hashes is None:
            hashes = bool(_HASHES_TOKENS.search(self.ctx.source))
            self.ctx.cache["rl102.hashes"] = hashes
        return hashes

    def _masked_before(self, name: str, node: Node) -> bool:
        """`key = key[:8] + "***"` / `token = mask(token)` earlier in the function: the name
        now holds a redacted value."""
        func = enclosing(node, ("function_definition",))
        if func is None:
            return False
        stack = [func.child_by_field_name("body")]
        while stack:
            n = stack.pop()
            if n is None or n.start_byte >= node.start_byte or n.type in ("function_definition", "class_definition", "lambda"):
                continue
            if n.type == "assignment":
                left, right = n.child_by_field_name("left"), n.child_by_field_name("right")
                if left is not None and right is not None and self.ctx.text(left) == name and _redacts(self.ctx, right):
                    return True
            stack.extend(n.named_children)
        return False

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
                    return self.ctx.text(call) if _credential(key) and not self._stored_hash(key) else None
            return self._leak(obj) if obj is not None else None
        return None


def _credential(name: str) -> bool:
    if not is_credential_name(name) or is_redacted_name(name):
        return False
    ws = words(name)
    # FORWARD_USER_INFO_HEADER_JWT, TOKEN_COOKIE_NAME: a constant naming a header or cookie.
    if name.isupper() and ("header" in ws or "cookie" in ws) and not set(ws) & {"secret", "password", "passwd", "pwd", "key"}:
        return False
    # BATCH_TOKEN_LIMIT_METADATA_KEY: a constant naming a lookup key
    if name.isupper() and ws[-1] == "key" and not any(c.endswith("_key") for c in credential_words(name)):
        return False
    return True


def _names_something(ctx, node: Node) -> bool:
    """`secret=name`, `token=token_id`: the value is a name or an id, not the credential."""
    text = ctx.text(node).rsplit(".", 1)[-1]
    ws = words(text)
    return bool(ws) and ws[-1] in ("name", "names", "id", "ids", "key", "label", "kind", "type", "count", "len", "length")


def _measures(ctx, node: Node) -> bool:
    """`len(token)`, `bool(x)`, `hash_token(t)`: a call that reduces its argument to a
    harmless fact or a redacted form."""
    if node.type != "call":
        return False
    fn = node.child_by_field_name("function")
    if fn is None:
        return False
    if fn.type == "identifier" and ctx.text(fn) not in PASS_THROUGH:
        return True
    return _redacting_call(ctx, node)


_HASHES_TOKENS = re.compile(rb"\bhash_(?:token|key|api_key)\w*\s*\(|\bhashed_(?:token|key|api_key)\b")
_REDACTING = re.compile(r"hash|mask|redact|obfuscat|truncat|fingerprint|digest|encrypt|sanitiz", re.I)


def _redacting_call(ctx, node: Node) -> bool:
    fn = node.child_by_field_name("function")
    last = ctx.text(fn).rsplit(".", 1)[-1] if fn is not None else ""
    return bool(_REDACTING.search(last))


def _redacts(ctx, node: Node) -> bool:
    """An expression that redacts: a slice, a mask string, or a hashing/masking call."""
    stack = [node]
    while stack:
        n = stack.pop()
        if n.type == "slice":
            return True
        if n.type == "call" and _redacting_call(ctx, n):
            return True
        if n.type == "string" and re.fullmatch(r"[rRbBuUfF]*['\"]+[*xX•.]{3,}['\"]+", ctx.text(n)):
            return True
        stack.extend(n.named_children)
    return False


def _string_value(text: str) -> str | None:
    m = re.match(r"^[rRbBuU]?(['\"])(.*)\1$", text, re.S)
    if m is None:
        m = re.match(r'^[rRbBuU]?("""|\'\'\')(.*)\1$', text, re.S)
    return m.group(2) if m else None
