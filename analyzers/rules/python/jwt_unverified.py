"""RL303 jwt-unverified (Python)."""

from __future__ import annotations

import re

from tree_sitter import Node

from ...languages import PYTHON
from ...model import Severity
from ...naming import words
from ...python.semantic import enclosing
from ...rule import Captures, Rule

DECODERS = frozenset({
    "jwt.decode", "jwt.decode_complete", "jwt.api_jwt.decode", "jwt.api_jwt.decode_complete",
    "jwt.api_jws.decode", "jwt.api_jws.decode_complete", "jose.jwt.decode", "jose.jws.verify",
})
UNVERIFIED_READERS = frozenset({
    "jose.jwt.get_unverified_claims", "jose.jwt.get_unverified_header", "jose.jwt.get_unverified_headers",
    "jose.jws.get_unverified_claims", "jose.jws.get_unverified_header", "jose.jws.get_unverified_headers",
    "jwt.get_unverified_header", "jwt.api_jws.get_unverified_header",
})
VERIFY_OPTION_KEYS = ("verify_signature",)
# Claims read for timing or key/issuer selection, not identity.
METADATA_CLAIMS = frozenset({"exp", "iat", "nbf", "iss", "kid", "typ", "alg", "jti"})


class JwtUnverified(Rule):
    """
    ## What it does
    Flags JWT decoding that skips signature verification: PyJWT's or python-jose's
    `jwt.decode(...)` with `options={"verify_signature": False}` (a dict literal, a
    `dict(...)` call or a name bound to one in the same function or module), PyJWT 1.x's
    `verify=False`, an `algorithms` list that includes `"none"`; and python-jose's
    `get_unverified_claims` / `get_unverified_header` (or PyJWT's
    `get_unverified_header`) when the function using them never verifies the token with
    a `decode` call (reading the `kid` header to choose the key before a verified decode
    is the normal pattern and is not flagged).

    An unverified decode or read is not flagged when it is clearly not trusted for
    authentication: a verification of the same token follows in the function (peek at
    `iss`/`kid`, then verify), only metadata is read (`.get("exp")`, `["kid"]`), the
    function is named or documented as returning unverified claims (`get_unverified_claims`, "without verifying" in its
    docstring), or the token is an OIDC `id_token` the server received from the identity
    provider (OIDC Core 3.1.3.7; an `id_token` taken from a route parameter or the request
    is still flagged).

    Names are resolved from the imports: `import jwt as pyjwt`, `from jose import jwt`;
    a local variable called `jwt` is not PyJWT.

    ## Why is this bad?
    An unverified token is just JSON the client wrote. Anyone can mint
    `{"sub": "admin"}` and be treated as that user when the claims are trusted without
    checking the signature (or when the `none` algorithm is accepted).

    ## Example
    ```python
    def current_user(token: str = Depends(oauth2_scheme)):
        payload = jwt.decode(token, options={"verify_signature": False})
        return payload["sub"]
    ```

    ## Use instead
    ```python
    def current_user(token: str = Depends(oauth2_scheme)):
        payload = jwt.decode(token, settings.secret_key, algorithms=["HS256"])
        return payload["sub"]
    ```

    ## Fix safety
    No fix: the right key and algorithms are specific to the application.
    """

    code = "RL303"
    name = "jwt-unverified"
    language = PYTHON
    severity = Severity.ERROR
    messages = {
        "options": "`{callee}` with signature verification switched off: any client can forge this token",
        "none": "`{callee}` accepts the `none` algorithm: unsigned tokens pass",
        "unverified": "`{callee}` reads claims without verifying the signature, and this function never verifies them",
        "unverified_header": "`{callee}` reads the token header without verifying the signature, and this module never verifies tokens",
    }
    # Every decoder and reader lives in `jwt` or `jose`, which the file must import.
    requires = r"\b(?:jwt|jose)\b"
    # Anchor: The function names the query's predicate accepts.
    anchor = r"\b(?:decode|decode_complete|verify|get_unverified_claims|get_unverified_header|get_unverified_headers)\b"
    query = """
    (call function: [(attribute attribute: (identifier) @m) (identifier) @m]
      (#any-of? @m "decode" "decode_complete" "verify" "get_unverified_claims" "get_unverified_header" "get_unverified_headers")
      arguments: (argument_list) @args) @call
    """

    def on_match(self, captures: Captures, pattern: int) -> None:
        call = captures["call"][0]
        qn = self.ctx.py.call_name(call)
        if qn is None:
            return
        callee = self.ctx.text(call.child_by_field_name("function"))
        args = captures["args"][0]
        if qn in DECODERS:
            reason = self._unverified_decode(args, call)
            # A peek (`options={"verify_signature": False}` to read `iss`/`kid`) followed by a
            # verifying decode in the same function is key selection, not trust.
            if reason == "none" or (reason is not None and not self._deliberate_peek(call, args)):
                self.report(call, reason, callee=callee)
        elif qn in UNVERIFIED_READERS:
            # A header holds `kid`/`alg`, read to pick the key: fine when the module verifies
            # tokens somewhere. Claims are trusted data: the same function must verify.
            header_only = qn.rsplit(".", 1)[-1].startswith("get_unverified_header")
            token = next((a for a in args.named_children if a.type not in ("keyword_argument", "comment")), None)
            if self._verified_nearby(call, whole_file=header_only):
                return
            if token is not None and self._verify_call_on(call, self.ctx.text(token)):
                return
            # Not trusted for authentication either: only `exp`/`kid`/`alg` is read, or
            # the function is named or documented as returning unverified data.
            if self._deliberate_peek(call, args):
                return
            self.report(call, "unverified_header" if header_only else "unverified", callee=callee)

    def _unverified_decode(self, args: Node, call: Node) -> str | None:
        for arg in args.named_children:
            if arg.type != "keyword_argument":
                continue
            key = self.ctx.text(arg.child_by_field_name("name"))
            value = arg.child_by_field_name("value")
            if value is None:
                continue
            if key == "verify" and self.ctx.text(value) == "False":
                return "options"
            if key == "options" and self._disables_verification(self._resolve(value, call)):
                return "options"
            if key in ("algorithms", "algorithm") and self._has_none(self._resolve(value, call)):
                return "none"
        return None

    def _disables_verification(self, value: Node | None) -> bool:
        if value is None:
            return False
        if value.type == "dictionary":
            for pair in value.named_children:
                if pair.type != "pair":
                    continue
                key = pair.child_by_field_name("key")
                v = pair.child_by_field_name("value")
                if key is not None and key.type == "string" and self.ctx.text(key)[1:-1] in VERIFY_OPTION_KEYS and self.ctx.text(v) == "False":
                    return True
        if value.type == "call" and self.ctx.py.call_name(value) == "builtins.dict":
            args = value.child_by_field_name("arguments")
            for arg in args.named_children if args is not None else []:
                if arg.type == "keyword_argument" and self.ctx.text(arg.child_by_field_name("name")) in VERIFY_OPTION_KEYS:
                    return self.ctx.text(arg.child_by_field_name("value")) == "False"
        return False

    def _has_none(self, value: Node | None) -> bool:
        if value is None:
            return False
        items = value.named_children if value.type in ("list", "tuple", "set") else [value]
        return any(i.type == "string" and self.ctx.text(i)[1:-1].strip().lower() == "none" for i in items)

    def _resolve(self, value: Node, at: Node) -> Node | None:
        """A name bound by one plain assignment in the enclosing function or the module."""
        if value.type != "identifier":
            return value
        name = self.ctx.text(value)
        scopes = [enclosing(at, ("function_definition",)), None]
        for scope in scopes:
            body = scope.child_by_field_name("body") if scope is not None else self.ctx.tree.root_node
            if body is None:
                continue
            found = None
            for stmt in body.named_children:
                if stmt.start_byte > at.start_byte:
                    break
                if stmt.type != "expression_statement" or not stmt.named_children:
                    continue
                assign = stmt.named_children[0]
                if assign.type == "assignment":
                    left = assign.child_by_field_name("left")
                    if left is not None and left.type == "identifier" and self.ctx.text(left) == name:
                        found = assign.child_by_field_name("right")
            if found is not None:
                return found
        return None

    def _deliberate_peek(self, call: Node, args: Node) -> bool:
        """An unverified decode that is not trusted for authentication:
        * followed by a verification of the same token in the function (peek at `iss`/`kid`
          to pick the key, then verify);
        * whose result is only read for timing or routing metadata (`.get("exp")`);
        * inside a function named or documented for it (`get_unverified_claims`,
          `peek_token`, a docstring saying "without verifying"): the API is deliberate and
          its callers decide what to trust;
        * of an OIDC `id_token` the server obtained from the identity provider (not from a
          route parameter or the request): OIDC Core 3.1.3.7 lets a client that received it
          directly from the token endpoint over TLS skip the signature check."""
        if self._verified_nearby(call, whole_file=False):
            return True
        token = next((a for a in args.named_children if a.type not in ("keyword_argument", "comment")), None)
        if token is not None and self._verify_call_on(call, self.ctx.text(token)):
            return True
        if self._metadata_only(call):
            return True
        func = enclosing(call, ("function_definition",))
        fname = self.ctx.text(func.child_by_field_name("name")) if func is not None else ""
        if set(words(fname)) & {"unverified", "insecure", "peek", "unsafe"}:
            return True
        if func is not None and _documents_unverified(self.ctx, func):
            return True
        if token is not None and self._provider_id_token(token, func):
            return True
        return False

    def _verify_call_on(self, call: Node, token_text: str) -> bool:
        func = enclosing(call, ("function_definition",))
        if func is None:
            return False
        stack = [func.child_by_field_name("body")]
        while stack:
            n = stack.pop()
            if n is None:
                continue
            if n.type == "call" and n.id != call.id and n.start_byte > call.end_byte:
                fn = n.child_by_field_name("function")
                name = self.ctx.text(fn).rsplit(".", 1)[-1].lower() if fn is not None else ""
                args = n.child_by_field_name("arguments")
                if ("verify" in name or "decode" in name or "validate" in name) and "unverified" not in name and args is not None:
                    if any(self.ctx.text(a) == token_text for a in args.named_children):
                        qn = self.ctx.py.call_name(n)
                        if qn not in DECODERS or self._unverified_decode(args, n) is None:
                            return True
            stack.extend(n.named_children)
        return False

    def _metadata_only(self, call: Node) -> bool:
        parent = call.parent
        if parent is not None and parent.type == "attribute" and self.ctx.text(parent.child_by_field_name("attribute")) == "get":
            outer = parent.parent
            args = outer.child_by_field_name("arguments") if outer is not None and outer.type == "call" else None
            first = args.named_children[0] if args is not None and args.named_children else None
            return first is not None and first.type == "string" and self.ctx.text(first)[1:-1] in METADATA_CLAIMS
        if parent is not None and parent.type == "subscript":
            index = parent.child_by_field_name("subscript")
            return index is not None and index.type == "string" and self.ctx.text(index)[1:-1] in METADATA_CLAIMS
        return False

    def _provider_id_token(self, token: Node, func: Node | None) -> bool:
        text = self.ctx.text(token)
        ws = words(text)
        if not any(ws[i] == "id" and ws[i + 1] == "token" for i in range(len(ws) - 1)):
            return False
        if re.search(r"request|body|form|payload|credentials|header|cookie", text, re.I):
            return False
        if func is None:
            return True
        # a route handler or a dependency: the token came from the client
        if _is_route(self.ctx, func):
            return False
        params = func.child_by_field_name("parameters")
        params_text = self.ctx.text(params) if params is not None else ""
        if re.search(r"\b(Depends|Security|Header|Cookie|Form|Body)\s*\(", params_text):
            return False
        return True

    def _verified_nearby(self, call: Node, whole_file: bool) -> bool:
        """Whether the function around `call` (or the module) also runs a verifying decode."""
        func = None if whole_file else enclosing(call, ("function_definition",))
        scope = func if func is not None else self.ctx.tree.root_node
        stack = [scope]
        while stack:
            n = stack.pop()
            if n.type == "call" and n.id != call.id:
                qn = self.ctx.py.call_name(n)
                if qn in DECODERS:
                    args = n.child_by_field_name("arguments")
                    if args is not None and self._unverified_decode(args, n) is None:
                        return True
            stack.extend(n.named_children)
        return False


ROUTE_METHODS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "api_route", "route", "websocket"})


def _is_route(ctx, func: Node) -> bool:
    parent = func.parent
    if parent is None or parent.type != "decorated_definition":
        return False
    for dec in parent.named_children:
        if dec.type != "decorator" or not dec.named_children:
            continue
        expr = dec.named_children[0]
        if expr.type == "call":
            expr = expr.child_by_field_name("function")
        if expr is not None and expr.type == "attribute" and ctx.text(expr.child_by_field_name("attribute")) in ROUTE_METHODS:
            return True
    return False


_UNVERIFIED_DOC = re.compile(r"without (?:verifying|verification)|not verif|unverified|does not verify|no signature (?:check|verification)", re.I)


def _documents_unverified(ctx, func: Node) -> bool:
    """The function's docstring says it does not verify: a deliberate, documented API."""
    body = func.child_by_field_name("body")
    first = body.named_children[0] if body is not None and body.named_children else None
    if first is None or first.type != "expression_statement" or not first.named_children or first.named_children[0].type != "string":
        return False
    return bool(_UNVERIFIED_DOC.search(ctx.text(first)))
