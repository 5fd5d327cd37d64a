"""RL302 token-in-localstorage (TypeScript / JavaScript)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from tree_sitter import Node

from ...languages import TYPESCRIPT
from ...model import FixAvailability, Severity
from ...naming import LEADING_NON_CREDENTIAL, TOKEN_KINDS, words
from ...rule import Captures, Rule
from ...typescript.gated import sound_filter, word_nodes
from ...typescript.scope import binding_scope, find_binding, string_value

# Catalog: credential-like (token, jwt, auth, access, refresh, session, password,
# credential, api key) or user data (user, profile, email, role, permissions).
SENSITIVE_WORDS = frozenset({
    "token", "jwt", "auth", "access", "refresh", "session", "password", "passwd", "pwd",
    "credential", "cred", "creds", "apikey", "secret", "cookie", "bearer", "authorization",
    "user", "profile", "email", "role", "permission", "claim", "identity", "account",
})
SENSITIVE_PAIRS = frozenset({("api", "key"), ("private", "key"), ("session", "id"), ("id", "token")})
# Words that only say "this is stored state": skipped when looking for the head word.
GENERIC_WORDS = frozenset({
    "data", "info", "details", "detail", "obj", "object", "json", "str", "string", "state", "store",
    "storage", "key", "keys", "item", "value", "val", "raw", "cache", "cached", "local", "stored",
    "payload", "persist", "persisted", "v", "ls", "app", "my", "current", "saved", "entry",
})
STORAGE_METHODS = frozenset({"setItem", "getItem", "removeItem", "clear", "key", "length"})
_LOCAL_STORAGE_OWNERS = ("window", "globalThis", "self")
_LOCAL_STORAGE = re.compile(rb"localStorage")
_STORAGE_NAMES = frozenset({"identifier", "property_identifier"})


def _singular(w: str) -> str:
    if w.endswith("ies") and len(w) > 4:
        return w[:-3] + "y"
    if w.endswith("s") and not w.endswith("ss") and len(w) > 3:
        return w[:-1]
    return w


def sensitive_word(name: str) -> str | None:
    """The word that makes a storage key or value name sensitive: its head word (the last
    word that is not a generic "data/state/key" word) must be a sensitive word, so
    `accessToken`, `user_data`, `auth-storage`, `sessionId` match while `token_expiry`,
    `userTheme`, `refresh_interval` do not."""
    raw = [w for w in words(name) if not w.isdigit()]
    ws = [_singular(w) for w in raw]
    if ws and ws[0] in LEADING_NON_CREDENTIAL:
        return None  # catalog "Name matching": `maxTokens`, `numTokens`, `hasSession` are not credentials
    while ws and ws[-1] in GENERIC_WORDS:
        if len(ws) >= 2 and (ws[-2], ws[-1]) in SENSITIVE_PAIRS:
            return f"{ws[-2]}_{ws[-1]}"
        ws.pop()
    if not ws:
        return None
    if len(ws) >= 2 and (ws[-2], ws[-1]) in SENSITIVE_PAIRS:
        return f"{ws[-2]}_{ws[-1]}"
    if ws[-1] == "session" and raw[len(ws) - 1] == "sessions":
        return None  # a list of (chat, game, workout...) sessions, not a session credential
    if ws[-1] == "token" and raw[len(ws) - 1] == "tokens" and len(ws) >= 2 and ws[-2] not in TOKEN_KINDS:
        return None  # `promptTokens`, `usedTokens`: model tokens counted, not credentials
    return ws[-1] if ws[-1] in SENSITIVE_WORDS else None



class TokenInLocalStorage(Rule):
    """
    ## What it does
    Flags writes to `localStorage` (`localStorage.setItem(k, v)`,
    `window.localStorage.setItem(k, v)`, `localStorage[k] = v`, `localStorage.k = v`) where
    the key, the value's name, or the value's origin is credential-like (token, jwt, auth,
    access, refresh, session, password, credential, api key) or user data (user, profile,
    email, role, permissions). A key held in a constant (`const TOKEN_KEY = "auth_token"`)
    and a value read into a local variable from a login response
    (`const { access_token } = res.data`, `const t = response.data.token`) are followed, as
    are the fields of an object literal stored as JSON (`JSON.stringify({ accessToken })`).
    Writes of literal values (`localStorage.setItem("token", "")`) are not flagged, nor are
    keys such as `theme`, `token_expiry` or `userTheme` whose head word is not sensitive.

    ## Why is this bad?
    Anything in `localStorage` is readable by every script running on the origin: one XSS
    bug, a compromised npm dependency or a third-party tag exfiltrates the session token and
    the user record, and the token stays valid after the tab closes. `localStorage` has no
    expiry, no `HttpOnly` and no `Secure` flag.

    ## Example
    ```tsx
    const res = await api.post("/auth/login", form);
    const { access_token } = res.data;
    localStorage.setItem("auth_token", access_token);
    ```

    ## Use instead
    Let the server set the session in an `HttpOnly`, `Secure`, `SameSite` cookie and
    send requests with credentials; keep only non-sensitive UI state in `localStorage`:
    ```tsx
    // Route handler (server): cookies().set("session", token, { httpOnly: true, secure: true, sameSite: "lax" })
    await fetch("/api/login", { method: "POST", body: JSON.stringify(form), credentials: "include" });
    ```

    ## Fix safety
    No fix: the remedy (an `HttpOnly` cookie set by the server, or a token kept in memory
    and refreshed through a cookie) changes both the server and the client.
    """

    code = "RL302"
    requires = r"localStorage"
    name = "token-in-localstorage"
    language = TYPESCRIPT
    severity = Severity.WARNING
    fix_availability = FixAvailability.NONE
    exempt_paths = True
    messages = {
        "default": "{what} stored in `localStorage`: any script on the page can read it; "
        "keep sessions in an HttpOnly cookie set by the server",
    }
    # Matched in finish() from the `localStorage` names of the source (typescript/gated.py),
    # standing for three patterns on the same storage object, `localStorage` or
    # `<owner>.localStorage`:
    #   (call_expression function: (member_expression object: STORAGE property: (property_identifier) @method)
    #     arguments: (arguments . (_) @key . (_) @value) (#eq? @method "setItem")) @write     ; pattern 0
    #   (assignment_expression left: (subscript_expression object: STORAGE index: (_) @key)
    #     right: (_) @value) @write                                                          ; pattern 1
    #   (assignment_expression left: (member_expression object: STORAGE property: (property_identifier) @prop)
    #     right: (_) @value) @write                                                          ; pattern 2
    # where STORAGE is [(identifier) @storage
    #                   (member_expression object: (identifier) @owner property: (property_identifier) @storage)]
    # and (#eq? @storage "localStorage"): ~25 ms of compiling per grammar otherwise.
    query = ""

    def finish(self) -> None:
        for pattern, captures in sound_filter(self.ctx, self._writes()):
            self.on_match(captures, pattern)

    def _writes(self) -> Iterator[tuple[int, Captures]]:
        for storage in word_nodes(self.ctx, _LOCAL_STORAGE, _STORAGE_NAMES):
            base: Node | None = storage
            found: Captures = {"storage": [storage]}
            if storage.type == "property_identifier":
                base = storage.parent
                if base is None or base.type != "member_expression" or base.child_by_field_name("property") != storage:
                    continue
                owner = base.child_by_field_name("object")
                if owner is None or owner.type != "identifier":
                    continue
                found["owner"] = [owner]
            holder = base.parent
            if holder is None or holder.child_by_field_name("object") != base:
                continue
            write = holder.parent
            if write is None:
                continue
            if holder.type == "member_expression":
                prop = holder.child_by_field_name("property")
                if prop is None or prop.type != "property_identifier":
                    continue
                if write.type == "call_expression" and write.child_by_field_name("function") == holder:
                    args = write.child_by_field_name("arguments")
                    if prop.text != b"setItem" or args is None or args.type != "arguments" or args.named_child_count < 2:
                        continue
                    key, value = args.named_children[:2]
                    yield 0, {**found, "method": [prop], "key": [key], "value": [value], "write": [write]}
                elif write.type == "assignment_expression" and write.child_by_field_name("left") == holder:
                    value = write.child_by_field_name("right")
                    if value is not None:
                        yield 2, {**found, "prop": [prop], "value": [value], "write": [write]}
            elif holder.type == "subscript_expression":
                key = holder.child_by_field_name("index")
                if key is None or write.type != "assignment_expression" or write.child_by_field_name("left") != holder:
                    continue
                value = write.child_by_field_name("right")
                if value is not None:
                    yield 1, {**found, "key": [key], "value": [value], "write": [write]}

    def on_match(self, captures: Captures, pattern: int) -> None:
        owner = captures.get("owner")
        if owner and owner[0].text.decode() not in _LOCAL_STORAGE_OWNERS:
            return
        storage = captures["storage"][0]
        if storage.type == "identifier" and binding_scope("localStorage", storage) is not None:
            return  # a local variable named localStorage (a mock, a wrapper)
        value = captures["value"][0]
        if _is_literal(value):
            return
        write = captures["write"][0]
        if pattern == 2:
            prop = captures["prop"][0].text.decode()
            if prop in STORAGE_METHODS:
                return
            key_reason = _name_reason("key", f'"{prop}"', prop)
        else:
            key_reason = self._key_reason(captures["key"][0])
        reason = key_reason or self._value_reason(value)
        if reason:
            self.report(write, what=reason)

    # --- the key -------------------------------------------------------------------------
    def _key_reason(self, key: Node) -> str | None:
        literal = string_value(key)
        if literal is not None:
            return _name_reason("key", f'"{literal}"', literal)
        if key.type == "template_string":
            text = " ".join(c.text.decode() for c in key.named_children if c.type == "string_fragment")
            return _name_reason("key", self.ctx.text(key), text)
        if key.type == "identifier":
            name = key.text.decode()
            binding = find_binding(name, key)
            if binding is not None and binding.kind == "const" and binding.key is None:
                held = string_value(binding.init)
                if held is not None:
                    return _name_reason("key", f'`{name}` ("{held}")', held) or _name_reason("key", f"`{name}`", name)
            return _name_reason("key", f"`{name}`", name)
        if key.type == "member_expression":  # STORAGE_KEYS.token / KEYS.ACCESS_TOKEN
            prop = key.child_by_field_name("property")
            held = self._const_object_value(key)
            if held is not None:
                return _name_reason("key", f'`{self.ctx.text(key)}` ("{held}")', held) or _name_reason(
                    "key", f"`{self.ctx.text(key)}`", prop.text.decode() if prop else ""
                )
            return _name_reason("key", f"`{self.ctx.text(key)}`", prop.text.decode() if prop else "")
        return None

    def _const_object_value(self, member: Node) -> str | None:
        obj, prop = member.child_by_field_name("object"), member.child_by_field_name("property")
        if obj is None or prop is None or obj.type != "identifier":
            return None
        binding = find_binding(obj.text.decode(), member)
        init = binding.init if binding is not None and binding.key is None else None
        while init is not None and init.type in ("as_expression", "satisfies_expression", "parenthesized_expression"):
            init = init.named_children[0] if init.named_children else None
        if init is None or init.type != "object":
            return None
        for pair in init.named_children:
            if pair.type == "pair":
                k = pair.child_by_field_name("key")
                if k is not None and (string_value(k) or k.text.decode()) == prop.text.decode():
                    return string_value(pair.child_by_field_name("value"))
        return None

    # --- the value -----------------------------------------------------------------------
    def _value_reason(self, value: Node, depth: int = 0) -> str | None:
        if depth > 4:
            return None
        t = value.type
        if t in ("await_expression", "parenthesized_expression", "as_expression", "non_null_expression", "satisfies_expression"):
            inner = value.named_children[0] if value.named_children else None
            return self._value_reason(inner, depth + 1) if inner is not None else None
        if t == "binary_expression":  # token ?? "" / token || ""
            left = value.child_by_field_name("left")
            return self._value_reason(left, depth + 1) if left is not None else None
        if t == "call_expression":  # JSON.stringify(user), String(token), btoa(token)
            fn = self.ctx.text(value.child_by_field_name("function"))
            args = value.child_by_field_name("arguments")
            if fn in ("JSON.stringify", "String", "btoa", "encodeURIComponent") and args is not None and args.named_children:
                return self._value_reason(args.named_children[0], depth + 1)
            return None
        if t == "template_string":
            for sub in value.named_children:
                if sub.type == "template_substitution" and sub.named_children:
                    r = self._value_reason(sub.named_children[0], depth + 1)
                    if r:
                        return r
            return None
        if t == "object":  # JSON.stringify({ accessToken, theme }) / { token: t }
            for prop in value.named_children:
                if prop.type == "shorthand_property_identifier":
                    r = self._value_reason(prop, depth + 1)
                elif prop.type == "pair":
                    key = prop.child_by_field_name("key")
                    inner = prop.child_by_field_name("value")
                    name = (string_value(key) or key.text.decode()) if key is not None else ""
                    if inner is None or _is_literal(inner):
                        r = None  # { token: null }: nothing stored
                    else:
                        r = _name_reason("value", f"field `{name}`", name) or self._value_reason(inner, depth + 1)
                else:
                    r = None
                if r:
                    return r
            return None
        if t == "member_expression":  # res.data.access_token, user.email
            prop = value.child_by_field_name("property")
            return _name_reason("value", f"`{self.ctx.text(value)}`", prop.text.decode() if prop else "")
        if t == "subscript_expression":
            idx = string_value(value.child_by_field_name("index"))
            return _name_reason("value", f"`{self.ctx.text(value)}`", idx) if idx else None
        if t in ("identifier", "shorthand_property_identifier"):
            name = value.text.decode()
            direct = _name_reason("value", f"`{name}`", name)
            if direct:
                return direct
            return self._origin_reason(value, name, depth)
        return None

    def _origin_reason(self, ident: Node, name: str, depth: int) -> str | None:
        """`const { access_token: at } = res.data` / `const t = response.data.token`."""
        binding = find_binding(name, ident)
        if binding is None:
            return None
        if binding.key is not None:
            return _name_reason("value", f"`{name}` (from `{binding.key}`)", binding.key)
        init = binding.init
        if init is None:
            return None
        r = self._value_reason(init, depth + 1)
        if r:
            origin = " ".join(self.ctx.text(init).split())
            if len(origin) > 60:
                origin = origin[:57] + "..."
            return f"{r.split(' ', 1)[0]} `{name}` (from `{origin}`)"
        return None


def _is_literal(node: Node) -> bool:
    if node.type in ("number", "true", "false", "null", "undefined"):
        return True
    if node.type == "identifier" and node.text.decode() == "undefined":
        return True
    return string_value(node) is not None


def _name_reason(kind: str, shown: str, name: str) -> str | None:
    word = sensitive_word(name)
    if word is None:
        return None
    return f"{'Key' if kind == 'key' else 'Value'} {shown}"
