"""RL306 token-in-url (Python)."""

from __future__ import annotations

import re

from ...languages import PYTHON
from ...model import FixAvailability, Severity
from ...naming import words
from ...python.strings import PLACEHOLDER, string_parts
from ...rule import Captures, Rule

# Module functions that send a request to (or open a connection with) their URL argument.
URL_FUNCTIONS = frozenset({
    *(f"requests.{m}" for m in ("get", "post", "put", "patch", "delete", "head", "options", "request")),
    *(f"httpx.{m}" for m in ("get", "post", "put", "patch", "delete", "head", "options", "request", "stream")),
    "urllib.request.urlopen", "urllib.request.Request", "urllib3.request",
    "websockets.connect", "websockets.client.connect", "websockets.sync.client.connect",
    "websocket.create_connection", "websocket.WebSocketApp", "aiohttp.request",
})
# Client methods (`session.get(url)`, `client.websocket_connect(url)`); the receiver is not
# resolved, so the URL itself must look like one (a scheme, or a path with a query).
URL_METHODS = frozenset({
    "get", "post", "put", "patch", "delete", "head", "options", "request", "stream",
    "ws_connect", "websocket_connect", "connect", "urlopen", "fetch", "open",
})
# Query parameters that carry a session credential.
CREDENTIAL_WORDS = frozenset({"token", "jwt", "auth", "session", "sessionid", "accesstoken", "authtoken", "bearer"})
# Not a credential even next to one: `token_type=bearer`, `auth_method=...`, `session_name`.
NON_CREDENTIAL_WORDS = frozenset({
    "type", "types", "method", "mode", "provider", "name", "count", "limit", "max", "expires", "expiry",
    "url", "uri", "endpoint", "hint", "state", "timeout", "ttl", "length", "lang", "kind", "page",
    "min", "num", "number", "total", "used", "usage", "remaining", "budget", "per", "size",
})
# Paths of one-time links (emailed or redirected), where a token in the URL is the design.
ONE_TIME_PATH = re.compile(
    r"reset|forgot|verif|confirm|activat|invit|unsubscribe|magic|one[-_]?time|onetime|email|signup|sign-up|register|callback|redirect|sso|oauth|authorize",
    re.IGNORECASE,
)
_VERBS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})
_QUERY_PARAM = re.compile(r"[?&;]([A-Za-z_][\w.\-\[\]]*)=([^&#]*)")
_SCHEME = re.compile(r"^(?:https?|wss?)://", re.IGNORECASE)


def credential_param(name: str) -> bool:
    ws = [w for w in words(name)]
    if not ws:
        return False
    joined = "".join(ws)
    if any(w in NON_CREDENTIAL_WORDS for w in ws):
        return False
    if any(w in ("api", "apikey") for w in ws) and "token" not in ws:
        return False  # third-party `api_key=` parameters are the provider's design
    return any(w in CREDENTIAL_WORDS or w.rstrip("s") in CREDENTIAL_WORDS for w in ws) or joined in CREDENTIAL_WORDS


class TokenInUrl(Rule):
    """
    ## What it does
    Flags a session credential (a query parameter named `token`, `access_token`, `jwt`,
    `auth`, `session`, `session_id`, ...) placed in the query string of a URL literal,
    f-string, `%`/`.format()` string or concatenation that is passed to an HTTP or
    WebSocket client: `requests.*`, `httpx.*` (and client methods such as
    `client.get(url)`), `urllib.request.urlopen`, `websockets.connect`,
    `websocket.create_connection`, `aiohttp`. A URL held in a variable assigned once in
    the same function is followed.

    Not flagged: third-party `api_key=`/`apikey=` parameters (the provider's design),
    credentials sent with `params={...}` or in headers, `token_type=`-style names, and
    one-time links (password reset, email verification, invitations, OAuth redirects).
    Test and script paths are exempt.

    ## Why is this bad?
    Query strings are written to access logs of every proxy, load balancer and server on
    the way, kept in browser history and sent in `Referer` headers. A bearer token or
    session id there is a credential copied into many places nobody protects as such.

    ## Example
    ```python
    async with websockets.connect(f"wss://events.example.com/ws?token={access_token}") as ws:
        ...
    ```

    ## Use instead
    ```python
    async with websockets.connect(
        "wss://events.example.com/ws",
        additional_headers={"Authorization": f"Bearer {access_token}"},
    ) as ws:
        ...
    ```

    ## Fix safety
    No fix: where the credential should go (a header, a cookie, a first message on the
    socket) depends on what the server accepts.
    """

    code = "RL306"
    name = "token-in-url"
    language = PYTHON
    severity = Severity.WARNING
    fix_availability = FixAvailability.NONE
    exempt_paths = True
    messages = {
        "default": "`{param}` is sent in the URL query string to `{callee}`: proxies and servers log it; send it in a header",
    }
    # A query string needs a literal `?` (escapes are not decoded, so `\x3f` is not one).
    requires = r"\?"
    _names = " ".join(f'"{m}"' for m in sorted(URL_METHODS | {q.rsplit(".", 1)[-1] for q in URL_FUNCTIONS}))
    # Anchor: the callee names and keyword names the query's predicates accept (the URL
    # itself may be a constant defined elsewhere).
    anchor = r"\b(?:" + "|".join(sorted(URL_METHODS | {q.rsplit(".", 1)[-1] for q in URL_FUNCTIONS} | {"url", "uri"})) + r")\b"
    # A plain name and `x.name` in one alternation (one call step to compile, not two:
    # ~0.6 ms less in every process); `@last` is the name in both.
    query = f"""
    (call function: [(identifier) @fn @last (attribute attribute: (identifier) @last) @fn] arguments: (argument_list . (_) @url) (#any-of? @last {_names})) @call
    (call function: (_) @fn arguments: (argument_list (keyword_argument name: (identifier) @key value: (_) @url) (#any-of? @key "url" "uri"))) @call
    """

    def on_match(self, captures: Captures, pattern: int) -> None:
        fn = captures["fn"][0]
        url = captures["url"][0]
        if url.type in ("keyword_argument", "list_splat", "dictionary_splat", "comment"):
            return
        if pattern == 0 and url.type == "string" and self.ctx.text(url).strip("'\"").upper() in _VERBS:
            # `request("GET", url)`: the URL is the second argument.
            rest = [a for a in url.parent.named_children if a.start_byte > url.start_byte and a.type != "comment"]
            if not rest or rest[0].type in ("keyword_argument", "list_splat", "dictionary_splat"):
                return
            url = rest[0]
        if url.type in ("string", "concatenated_string") and b"?" not in url.text:
            return  # a literal without a query string (string_parts reads it as written)
        target = self.ctx.py.qualified_name(fn)
        known = target in URL_FUNCTIONS
        if not known:
            if fn.type != "attribute":
                return
            if self.ctx.text(fn.child_by_field_name("attribute")) not in URL_METHODS:
                return
        parts = string_parts(self.ctx, url)
        if parts is None:
            return
        text = parts.text
        if not known and not (_SCHEME.match(text) or text.startswith(PLACEHOLDER) or text.startswith("/")):
            return
        if "?" not in text:
            return
        path, _, query = text.partition("?")
        if ONE_TIME_PATH.search(path.replace(PLACEHOLDER, "")):
            return
        for m in _QUERY_PARAM.finditer("?" + query):
            name, value = m.group(1), m.group(2)
            if not value or not credential_param(name):
                continue
            if value.lower() in ("true", "false", "1", "0", "yes", "no", "none", "null"):
                continue  # a flag (`auth=true`), not a credential
            self.report(url, param=name, callee=self.ctx.text(fn))
            return
