"""RL304 cors-wildcard-credentials (Python)."""

from __future__ import annotations

import re

from tree_sitter import Node

from ...languages import PYTHON
from ...model import Severity
from ...python.semantic import enclosing
from ...python.settings_classes import class_field_default
from ...rule import Captures, Rule
from ...soundness import unsound

CORS_MIDDLEWARE = frozenset({
    "fastapi.middleware.cors.CORSMiddleware", "starlette.middleware.cors.CORSMiddleware",
})
# allow_origin_regex values that match every origin, also behind a scheme: `.*`,
# `https://.*`, `https?://.+`, `(http|https)://[^/]+`.
_ANY_REGEX = re.compile(r"^\^?(?:[a-z()|?]+:(?:\\?/){2})?(?:\.\*|\.\+|\(\.\*\)|\(\.\+\)|\[\^\]\*|\[\^/\][*+])\$?$")


class CorsWildcardCredentials(Rule):
    """
    ## What it does
    Flags `CORSMiddleware` (FastAPI's or Starlette's, however imported) configured with
    `allow_credentials=True` together with a wildcard origin: `allow_origins=["*"]` (or
    `"*"` anywhere in the list), `allow_origin_regex=".*"` (also behind a scheme only:
    `"https://.*"`), or a name whose value in the same file is a wildcard: a constant
    (`origins = ["*"]`), or a settings field
    (`allow_origins=settings.CORS_ORIGINS` where the settings class declares
    `CORS_ORIGINS: list[str] = ["*"]`), or an environment variable read in the same file
    whose default is `"*"` (`os.getenv("CORS_ORIGINS", "*").split(",")`).
    `app.add_middleware(CORSMiddleware, ...)`,
    `Middleware(CORSMiddleware, ...)` and `CORSMiddleware(app, ...)` are all checked.

    ## Why is this bad?
    With credentials allowed, Starlette answers a wildcard configuration by echoing the
    caller's `Origin` back in `Access-Control-Allow-Origin`: every website a logged-in
    user visits can make credentialed requests to the API and read the responses, with the
    user's cookies.

    ## Example
    ```python
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_credentials=True,
        allow_methods=["*"],
    )
    ```

    ## Use instead
    ```python
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.frontend_origins,  # e.g. ["https://app.example.com"]
        allow_credentials=True,
        allow_methods=["*"],
    )
    ```

    ## Fix safety
    No fix: the list of trusted origins is specific to the deployment.
    """

    code = "RL304"
    name = "cors-wildcard-credentials"
    language = PYTHON
    severity = Severity.ERROR
    messages = {
        "default": "CORS allows credentials from any origin (`{option}`): any website can act as the logged-in user",
    }
    # The query needs the `allow_credentials` keyword.
    requires = r"allow_credentials"
    # Anchor: The keyword argument's name.
    anchor = r"\ballow_credentials\b"
    # Rooted at the keyword, the call read from its parents (_shape): spelled out,
    #   (call arguments: (argument_list
    #     (keyword_argument name: (identifier) @key (#eq? @key "allow_credentials"))) @args) @call
    # its two nested steps took ~0.7 ms to compile in every process.
    query = """
    (keyword_argument name: (identifier) @_key (#eq? @_key "allow_credentials")) @_kw
    """

    def on_match(self, captures: Captures, pattern: int) -> None:
        shaped = _shape(captures["_key"][0], captures["_kw"][0])
        if shaped is None or unsound(shaped):
            return  # what the spelled-out pattern would not match, or the engine not trust
        call = shaped["call"][0]
        args = shaped["args"][0]
        if not self._is_cors(call, args):
            return
        keywords = {self.ctx.text(a.child_by_field_name("name")): a for a in args.named_children if a.type == "keyword_argument"}
        cred = keywords.get("allow_credentials")
        if cred is None or not self._is_true(cred.child_by_field_name("value"), call):
            return
        origins = keywords.get("allow_origins")
        if origins is not None and self._is_wildcard_list(origins.child_by_field_name("value"), call):
            self.report(origins, option=self._short(origins))
            return
        regex = keywords.get("allow_origin_regex")
        if regex is not None:
            value = self._resolve(regex.child_by_field_name("value"), call)
            if value is not None and value.type == "string" and _ANY_REGEX.match(_literal(self.ctx.text(value)) or ""):
                self.report(regex, option=self._short(regex))

    def _short(self, node: Node) -> str:
        text = " ".join(self.ctx.text(node).split())
        return text if len(text) <= 60 else text[:57] + "..."

    def _is_cors(self, call: Node, args: Node) -> bool:
        py = self.ctx.py
        if py.call_name(call) in CORS_MIDDLEWARE:
            return True
        positional = [a for a in args.named_children if a.type in ("identifier", "attribute")]
        return bool(positional) and py.qualified_name(positional[0]) in CORS_MIDDLEWARE

    def _is_true(self, value: Node | None, at: Node) -> bool:
        value = self._resolve(value, at)
        return value is not None and value.type == "true"

    def _is_wildcard_list(self, value: Node | None, at: Node) -> bool:
        value = self._resolve(value, at)
        if value is None:
            return False
        if value.type == "string":
            return _literal(self.ctx.text(value)) == "*"
        if value.type == "call":
            return self._env_default_wildcard(value)
        if value.type in ("list", "tuple", "set"):
            for item in value.named_children:
                item = self._resolve(item, at)
                if item is not None and item.type == "string" and _literal(self.ctx.text(item)) == "*":
                    return True
        return False

    def _env_default_wildcard(self, call: Node) -> bool:
        """`os.getenv("CORS_ORIGINS", "*").split(",")`: a wildcard unless configured."""
        fn = call.child_by_field_name("function")
        if fn is None or fn.type != "attribute" or self.ctx.text(fn.child_by_field_name("attribute")) != "split":
            return False
        inner = fn.child_by_field_name("object")
        if inner is None or inner.type != "call" or self.ctx.py.call_name(inner) not in ("os.getenv", "os.environ.get"):
            return False
        args = inner.child_by_field_name("arguments")
        positional = [a for a in args.named_children if a.type == "string"] if args is not None else []
        keywords = [a.child_by_field_name("value") for a in args.named_children if a.type == "keyword_argument" and self.ctx.text(a.child_by_field_name("name")) == "default"] if args is not None else []
        default = keywords[0] if keywords else (positional[1] if len(positional) > 1 else None)
        return default is not None and default.type == "string" and _literal(self.ctx.text(default)) == "*"

    def _resolve(self, value: Node | None, at: Node, depth: int = 0) -> Node | None:
        """Follow a name to its value in the same file: a local or module assignment, or a
        settings/class field default (`settings.CORS_ORIGINS`)."""
        if value is None or depth > 3:
            return value
        if value.type == "identifier":
            name = self.ctx.text(value)
            found = self._assigned(name, at)
            return self._resolve(found, at, depth + 1) if found is not None else None
        if value.type == "attribute":
            attr = self.ctx.text(value.child_by_field_name("attribute"))
            found = class_field_default(self.ctx, attr)
            return self._resolve(found, at, depth + 1) if found is not None else None
        return value

    def _assigned(self, name: str, at: Node) -> Node | None:
        for scope in (enclosing(at, ("function_definition",)), None):
            body = scope.child_by_field_name("body") if scope is not None else self.ctx.tree.root_node
            if body is None:
                continue
            found = None
            for stmt in body.named_children:
                if stmt.type != "expression_statement" or not stmt.named_children:
                    continue
                assign = stmt.named_children[0]
                if assign.type != "assignment":
                    continue
                left = assign.child_by_field_name("left")
                if left is not None and left.type == "identifier" and self.ctx.text(left) == name:
                    if scope is not None and stmt.start_byte > at.start_byte:
                        break
                    found = assign.child_by_field_name("right")
            if found is not None:
                return found
        return None


def _literal(text: str) -> str | None:
    m = re.match(r"^[rRuU]?(['\"])(.*)\1$", text, re.S)
    return m.group(2) if m else None


def _shape(key: Node, kw: Node) -> dict[str, list[Node]] | None:
    """The captures of the spelled-out pattern (see the query) for an `allow_credentials=`
    keyword: the argument list it sits in directly, and the call that list belongs to."""
    args = kw.parent
    call = args.parent if args is not None and args.type == "argument_list" else None
    if call is None or call.type != "call" or call.child_by_field_name("arguments") != args:
        return None
    return {"key": [key], "args": [args], "call": [call]}
