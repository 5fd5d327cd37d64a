"""RL306 token-in-url (TypeScript / JavaScript)."""

from __future__ import annotations

import functools
import re

from tree_sitter import Node

from ...languages import TYPESCRIPT
from ...model import Severity
from ...naming import is_credential_name, words
from ...rule import Captures, Rule
from ...typescript.gated import gated_matches
from ...typescript.literals import concat_parts, const_value, unwrap

# Query parameter words that make a session credential (the catalog: token,
# access_token, jwt, auth, session).
SESSION_WORDS = frozenset({"token", "jwt", "auth", "session", "sessionid", "sid", "bearer", "authorization"})
# Qualifiers that make a `...token` parameter something other than the caller's session:
# pagination cursors, anti-forgery and captcha tokens, one-time links, push tokens, and
# third-party API keys.
NOT_SESSION_WORDS = frozenset({
    "page", "next", "continuation", "cursor", "sync", "upload", "csrf", "xsrf", "captcha",
    "recaptcha", "turnstile", "hcaptcha", "push", "fcm", "apns", "device", "notification",
    "invite", "invitation", "reset", "verification", "verify", "confirm", "confirmation",
    "email", "unsubscribe", "share", "download", "api", "key", "apikey", "client", "app",
    "public", "publishable", "state", "nonce", "code", "type", "mode", "provider", "callback",
    "redirect", "magic", "otp", "timeout", "expires", "expiry", "ttl", "method", "name", "id",
    "url", "uri", "oauth", "checkout",
})
# Path words of one-time links (password reset, e-mail verification, invitations).
ONE_TIME_PATH = re.compile(
    r"reset|verif|confirm|activat|invit|magic|unsubscribe|forgot|recover|onboard|accept|callback|oauth|sso|saml|login/link",
    re.IGNORECASE,
)
# Longer parameter names are not read (the text gate below relies on the bound).
_MAX_NAME = 128
_PARAM = re.compile(rf"[?&#]([A-Za-z_][A-Za-z0-9_.\-\[\]]{{0,{_MAX_NAME - 1}}})=([^&#]*)")
# A credential read from a browser-public variable is public by definition.
_PUBLIC = re.compile(r"NEXT_PUBLIC_|VITE_|PUBLIC_|REACT_APP_")
HTTP_METHODS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "request", "getUri"})
# Clients whose first argument is a URL, by qualified name (resolved imports) or global.
URL_GLOBALS = frozenset({"fetch", "WebSocket", "EventSource"})
URL_MODULES = ("socket.io-client", "ws", "axios", "ky", "node-fetch", "isomorphic-ws", "eventsource", "reconnecting-websocket", "partysocket", "undici")

_MEMBER_CALLEE = re.compile(
    r"\.(get|post|put|patch|delete|head|options|request|connect|socket|fetch)$|^[A-Za-z_$][A-Za-z0-9_$]*\.fetch$"
)


def session_param(name: str) -> bool:
    ws = set(words(name))
    if not ws & SESSION_WORDS and "access_token" not in name.lower():
        return False
    if ws & NOT_SESSION_WORDS:
        return False
    return is_credential_name(name) or bool(ws & {"session", "sid", "sessionid"})


# Every finding needs, in the URL text joined from the pieces of a `+` chain
# (literals.concat_parts), `?`, `&` or `#`, a parameter name of at most _MAX_NAME name
# characters holding a SESSION_WORDS word (each contains one of _GATE_WORDS, case
# ignored), then `=`. In the source, any two neighbouring characters of that text sit
# either next to each other or in two pieces, with a piece boundary between them: a
# closing quote, anything but a quote (spaces, `+`, parentheses, quote-free casts) or
# comments, an opening quote (_BOUNDARY; concat_parts does not join across a cast whose
# type spells a string). The expression spells that; its loops are possessive and
# bounded (hence _MAX_NAME) so that no input makes it backtrack. It starts with a
# character class, so it is searched whole in every file: over bench/.corpus that costs
# less than the former word search + regex did (and passes far fewer files).
_GATE_WORDS = ("token", "jwt", "auth", "session", "sid", "bearer")
_BOUNDARY = r"""["'`](?:[^"'`/]|/(?![/*])|/\*(?:[^*]|\*(?!/))*+\*/|//[^\n]*+)*+["'`]"""
_SEP = f"(?:{_BOUNDARY})*+"
_NAME_CHAR = rf"(?:{_SEP}[a-z0-9_.\-\[\]])"


def _spelled(word: str) -> str:
    return _SEP.join(re.escape(c) for c in word)


GATE = (
    r"(?i)[?&#]"
    + rf"{_NAME_CHAR}{{0,{_MAX_NAME}}}?"
    + _SEP + "(?:" + "|".join(_spelled(w) for w in _GATE_WORDS) + ")"
    + rf"{_NAME_CHAR}{{0,{_MAX_NAME}}}+"
    + _SEP + "="
)


@functools.cache
def _gate() -> re.Pattern[bytes]:
    # Compiled on first use (~6 ms, the costliest expression of all rules): a run
    # without TypeScript never needs it. The prefilter's compile of `requires` is the
    # same pattern, so `re`'s cache hands over that one.
    return re.compile(GATE.encode())


class TokenInUrl(Rule):
    """
    ## What it does
    Flags a session credential (a query parameter named `token`, `access_token`, `jwt`,
    `auth`, `session`, `authToken`, ...) in the query string of a URL written as a
    string, template literal or `+` concatenation (inline or in a `const` of the same
    file) and passed to `new WebSocket(...)`, `new EventSource(...)`, socket.io's
    `io(...)`, `fetch(...)`, `axios(...)` / `axios.get(...)` and friends (also `ky`,
    `node-fetch`, `ws`).

    Not flagged: third-party API keys (`api_key`, `key`, `appid`), pagination and
    anti-forgery tokens (`pageToken`, `csrfToken`), ids of other things' sessions
    (`session_id`, as in Stripe Checkout), OAuth 1.0 protocol parameters
    (`oauth_token`), public tokens read from `NEXT_PUBLIC_*` variables (map tiles,
    analytics), parameters passed separately
    (`params: { token }`), and one-time links such as password-reset, e-mail
    verification, invitation and OAuth callback URLs, whose token is single-use.

    ## Why is this bad?
    URLs are written to proxy, load balancer and server access logs, browser history and
    `Referer` headers. A session token in a URL is readable by everyone who can read those
    logs, and stays valid until it expires.

    ## Example
    ```ts
    const ws = new WebSocket(`${WS_URL}/live?token=${session.accessToken}`);
    ```

    ## Use instead
    ```ts
    // Authenticate with a cookie, or send the token as the first message.
    const ws = new WebSocket(`${WS_URL}/live`);
    ws.addEventListener("open", () => ws.send(JSON.stringify({ type: "auth", token })));
    ```

    ## Fix safety
    No fix: moving the credential to a header, cookie or first message needs the server
    to read it from there.
    """

    code = "RL306"
    # Text prefilter (necessary condition): a query parameter `name=` whose name carries
    # a SESSION_WORDS word, maybe split across the pieces of a concatenation (see GATE).
    requires = GATE
    name = "token-in-url"
    language = TYPESCRIPT
    severity = Severity.WARNING
    exempt_paths = True
    messages = {
        "default": "Credential `{param}` in the URL passed to `{callee}`: URLs are logged by proxies and servers",
    }
    # Callees are narrowed by their last name in the query (a short text, not the whole
    # member chain of every call); member callees are checked in full in Python.
    # The rule's patterns run in finish(), only over files passing the text gate (the
    # `requires` condition): not compiled into the combined query of every process nor
    # matched in every file (typescript/gated.py).
    query = ""
    gated_query = """
    (new_expression constructor: (identifier) @fn arguments: (arguments . (_) @url)
      (#match? @fn "(WebSocket|EventSource|Socket)$")) @call
    (new_expression constructor: (member_expression property: (property_identifier) @_name) @fn
      arguments: (arguments . (_) @url)
      (#match? @_name "(WebSocket|EventSource|Socket)$")) @call
    (call_expression function: (identifier) @fn arguments: (arguments . (_) @url)
      (#any-of? @fn "fetch" "io" "axios" "ky" "got" "request" "connect" "$fetch")) @call
    (call_expression function: (member_expression property: (property_identifier) @_name) @fn
      arguments: (arguments . (_) @url)
      (#any-of? @_name "get" "post" "put" "patch" "delete" "head" "options" "request" "connect" "socket" "fetch")) @call
    """

    def finish(self) -> None:
        if _gate().search(self.ctx.source):  # exactly `requires`
            for pattern, captures in gated_matches(self.ctx, self.gated_query):
                self.on_match(captures, pattern)

    def on_match(self, captures: Captures, pattern: int) -> None:
        fn = captures["fn"][0]
        if pattern == 3 and not _MEMBER_CALLEE.search(fn.text.decode("utf-8", "replace")):
            return
        callee = self._client(fn, is_new=pattern <= 1)
        if callee is None:
            return
        url = unwrap(captures["url"][0])
        if url is None:
            return
        source = url
        if url.type == "identifier":
            source = const_value(self.ctx, url)
            if source is None:
                return
        parts = concat_parts(source)
        if parts is None:
            return
        # The URL text, every dynamic piece standing as `${}`, and where each one is.
        text, holes = "", []
        for part in parts:
            if isinstance(part, str):
                text += part
            else:
                holes.append((len(text), part))
                text += "${}"
        if not text or "?" not in text and "&" not in text:
            return
        path = text.split("?", 1)[0]
        if ONE_TIME_PATH.search(path):
            return
        for m in _PARAM.finditer(text):
            name, value = m.group(1), m.group(2)
            if not session_param(name):
                continue
            if not value:
                continue
            start, end = m.span(2)
            if _PUBLIC.search(value) or any(
                start <= at < end and _PUBLIC.search(self.ctx.text(node)) for at, node in holes
            ):
                continue  # a browser-public token by definition (a map or analytics key)
            self.report(url, param=name, callee=callee)
            return

    def _client(self, fn: Node, is_new: bool) -> str | None:
        """The display name of a URL-taking client, or None."""
        text = fn.text.decode("utf-8", "replace")
        qualified = self.ctx.ts.qualified_name(fn)
        imported = qualified is not None
        if is_new:
            last = text.rsplit(".", 1)[-1]
            if last in ("WebSocket", "EventSource", "ReconnectingWebSocket", "PartySocket"):
                if not imported or qualified.startswith(URL_MODULES):
                    return f"new {text}"
            return None
        if fn.type == "identifier":
            if not imported:
                return text if text in ("fetch", "$fetch") else None
            if qualified.startswith(URL_MODULES):
                return text
            return None
        # member calls: axios.get(...), api.get(...) on an axios instance, window.fetch(...)
        obj = fn.child_by_field_name("object")
        prop = fn.child_by_field_name("property")
        if obj is None or prop is None:
            return None
        if prop.text == b"fetch" and obj.type == "identifier" and obj.text in (b"window", b"globalThis", b"self"):
            return text
        if prop.text.decode() not in HTTP_METHODS:
            return None
        if qualified is not None and qualified.startswith(URL_MODULES):
            return text
        if obj.type == "identifier" and self._is_axios_instance(obj):
            return text
        return None

    def _is_axios_instance(self, ident: Node) -> bool:
        value = const_value(self.ctx, ident)
        value = unwrap(value)
        if value is None or value.type != "call_expression":
            return False
        qualified = self.ctx.ts.qualified_name(value.child_by_field_name("function")) or ""
        return qualified.startswith(("axios", "ky"))
