"""RL102 secret-in-log (TypeScript / JavaScript)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from tree_sitter import Node

from ...languages import TYPESCRIPT
from ...model import FixAvailability, Severity
from ...naming import credential_words, is_credential_name, words
from ...rule import Captures, Rule
from ...typescript.gated import sound_filter, word_nodes

ROLE_NOTE = {
    "client": "it is printed in every visitor's browser console",
    "shared": "this module runs in the browser and on the server",
    "server": "server logs are read by many people and kept for a long time",
    "script": "",
}
# Calls that hand their argument's content to the log unchanged.
PASS_THROUGH = frozenset({"JSON.stringify", "String", "encodeURIComponent", "btoa", "Buffer.from", "inspect", "util.inspect"})
PREDICATE_PREFIXES = frozenset({"is", "has", "should", "can", "show", "use", "with", "without", "needs", "require", "requires", "on", "handle"})
_AUTH_MATERIAL = frozenset({"auth", "authorization", "header", "headers", "token", "key", "credential", "data", "info"})


def is_logged_credential(name: str) -> bool:
    """The shared matcher, made stricter for the vague word "auth" and for predicates:
    `authLoading`, `authProvider`, `isAuth`, `hasToken` are not credentials;
    `auth`, `authHeader`, `authToken`, `accessToken` are."""
    ws = [w for w in words(name)]
    if not ws:
        return False
    if ws[0] in PREDICATE_PREFIXES and len(ws) > 1:
        return False
    if ws[-1] in ("header", "headers") and len(ws) >= 2 and ws[-2] in ("auth", "authorization"):
        return True  # auth_header (the catalog lists it)
    if not is_credential_name(name):
        return False
    found = set(credential_words(name))
    if found == {"auth"} and ws[-1] not in _AUTH_MATERIAL:
        return False
    return True



CONSOLE_METHODS = frozenset({"log", "debug", "info", "warn", "error", "trace", "dir", "table"})
LOGGER_NAMES = frozenset({"logger", "log", "_logger", "_log"})
LOGGER_METHODS = frozenset({
    "log", "debug", "info", "warn", "warning", "error", "trace", "fatal", "verbose", "silly", "http",
})
_LOG_WORDS = re.compile(rb"console|_?log(?:ger)?")
_NAME_TYPES = frozenset({"identifier", "property_identifier"})


def _member_call(member: Node, methods: frozenset[str]) -> tuple[Node, Node, Node] | None:
    """(method, arguments, call) of `member(...)` when its property is one of `methods`."""
    method = member.child_by_field_name("property")
    if method is None or method.type != "property_identifier" or method.text.decode() not in methods:
        return None
    call = member.parent
    if call is None or call.type != "call_expression" or call.child_by_field_name("function") != member:
        return None
    args = call.child_by_field_name("arguments")
    if args is None or args.type != "arguments":
        return None
    return method, args, call

class SecretInLog(Rule):
    """
    ## What it does
    Flags `console.*` calls (`log`, `info`, `debug`, `warn`, `error`, `trace`, `dir`,
    `table`) and logger calls (`logger.info(...)`, `log.error(...)`, `this.logger.warn(...)`,
    `req.log.info(...)`: pino, winston, NestJS and Fastify loggers) whose arguments pass or interpolate a name that carries a credential: an
    identifier or member such as `token`, `accessToken`, `user.password`,
    `req.headers.authorization`, `apiKey`, `sessionId`, `cookie`, in a template
    (`` `token=${token}` ``), a concatenation, an object (`{ token }`), or through
    `JSON.stringify(...)`. The message says whether the file runs in the browser, on the
    server or both.

    Not flagged: counting and kind names (`max_tokens`, `tokenCount`, `token_type`,
    `passwordPolicy`), predicates (`isAuthenticated`, `hasToken`), harmless members of a
    credential (`token.length`), words inside string literals, and exempt paths (tests,
    scripts).

    ## Why is this bad?
    Logs are copied to log aggregators, shared in tickets and kept for months; browser
    console output is visible to anyone at the keyboard and to browser extensions. A token
    written there is a credential anyone can replay.

    ## Example
    ```ts
    const { access_token } = await login(form);
    console.log(`logged in, token=${access_token}`);
    ```

    ## Use instead
    ```ts
    const { access_token } = await login(form);
    console.info("logged in");
    ```

    ## Fix safety
    No fix: which part of the message is still useful without the secret is a decision.
    """

    code = "RL102"
    # Text prefilter (necessary condition): console.* and logger/log/_logger/_log calls only.
    requires = r"console|log"
    name = "secret-in-log"
    language = TYPESCRIPT
    severity = Severity.ERROR
    fix_availability = FixAvailability.NONE
    exempt_paths = True
    messages = {
        "default": "`{name}` is written to the log by `{callee}` in {role} code{note}",
    }
    # Matched in finish() from the names of the source (typescript/gated.py), standing for
    #   (call_expression
    #     function: (member_expression object: (identifier) @obj property: (property_identifier) @method)
    #     arguments: (arguments) @args
    #     (#eq? @obj "console") (#any-of? @method CONSOLE_METHODS...)) @call                  ; pattern 0
    #   (call_expression
    #     function: (member_expression
    #       object: [(identifier) @obj (member_expression property: (property_identifier) @obj)]
    #       property: (property_identifier) @method)
    #     arguments: (arguments) @args
    #     (#any-of? @obj LOGGER_NAMES...) (#any-of? @method LOGGER_METHODS...)) @call          ; pattern 1
    query = ""

    def finish(self) -> None:
        for pattern, captures in sound_filter(self.ctx, self._log_calls()):
            self.on_match(captures, pattern)

    def _log_calls(self) -> Iterator[tuple[int, Captures]]:
        for name in word_nodes(self.ctx, _LOG_WORDS, _NAME_TYPES):
            text = name.text.decode()
            parent = name.parent
            if parent is None or parent.type != "member_expression":
                continue
            if name.type == "identifier":
                if parent.child_by_field_name("object") != name:
                    continue
                if text == "console":
                    found = _member_call(parent, CONSOLE_METHODS)
                    pattern = 0
                elif text in LOGGER_NAMES:
                    found = _member_call(parent, LOGGER_METHODS)
                    pattern = 1
                else:
                    continue
            else:  # `this.logger.info(...)`: the logger is the property of the callee's object
                outer = parent.parent
                if text not in LOGGER_NAMES or parent.child_by_field_name("property") != name:
                    continue
                if outer is None or outer.type != "member_expression" or outer.child_by_field_name("object") != parent:
                    continue
                found = _member_call(outer, LOGGER_METHODS)
                pattern = 1
            if found is not None:
                method, args, call = found
                yield pattern, {"obj": [name], "method": [method], "args": [args], "call": [call]}

    def on_match(self, captures: Captures, pattern: int) -> None:
        args = captures["args"][0]
        for arg in args.named_children:
            hit = self._credential_in(arg, 0)
            if hit is not None:
                role = self.ctx.role
                note = ROLE_NOTE.get(role, "")
                self.report(
                    captures["call"][0],
                    name=hit,
                    callee=self.ctx.text(captures["call"][0].child_by_field_name("function")),
                    role=role,
                    note=f": {note}" if note else "",
                )
                return

    def _credential_in(self, node: Node, depth: int) -> str | None:
        if depth > 6:
            return None
        t = node.type
        if t in ("identifier", "shorthand_property_identifier"):
            name = node.text.decode()
            return name if is_logged_credential(name) else None
        if t == "member_expression":
            prop = node.child_by_field_name("property")
            if prop is None:
                return None
            if is_logged_credential(prop.text.decode()):
                return self.ctx.text(node)
            return None
        if t == "subscript_expression":
            idx = node.child_by_field_name("index")
            if idx is not None and idx.type == "string":
                key = "".join(c.text.decode() for c in idx.named_children)
                if is_logged_credential(key):
                    return self.ctx.text(node)
            return None
        if t == "template_string":
            for sub in node.named_children:
                if sub.type == "template_substitution":
                    for inner in sub.named_children:
                        hit = self._credential_in(inner, depth + 1)
                        if hit:
                            return hit
            return None
        if t == "binary_expression":
            op = node.child_by_field_name("operator")
            if op is None or op.type not in ("+", "??", "||"):
                return None
            for side in (node.child_by_field_name("left"), node.child_by_field_name("right")):
                if side is not None:
                    hit = self._credential_in(side, depth + 1)
                    if hit:
                        return hit
            return None
        if t in ("parenthesized_expression", "await_expression", "as_expression", "non_null_expression"):
            return self._credential_in(node.named_children[0], depth + 1) if node.named_children else None
        if t == "object":
            for prop in node.named_children:
                if prop.type == "shorthand_property_identifier":
                    hit = self._credential_in(prop, depth + 1)
                elif prop.type == "pair":
                    value = prop.child_by_field_name("value")
                    hit = self._credential_in(value, depth + 1) if value is not None else None
                elif prop.type == "spread_element":
                    hit = None
                else:
                    hit = None
                if hit:
                    return hit
            return None
        if t == "call_expression":
            fn = node.child_by_field_name("function")
            args = node.child_by_field_name("arguments")
            fn_text = self.ctx.text(fn)
            if fn_text in PASS_THROUGH and args is not None:
                for a in args.named_children:
                    hit = self._credential_in(a, depth + 1)
                    if hit:
                        return hit
            elif fn is not None and fn.type == "member_expression":
                # token.substring(0, 8) / token.slice(...) still print part of it; toString() prints it.
                prop = fn.child_by_field_name("property")
                obj = fn.child_by_field_name("object")
                if prop is not None and prop.text.decode() in ("toString", "trim", "valueOf", "toJSON") and obj is not None:
                    return self._credential_in(obj, depth + 1)
                # headers.get("authorization"), cookies().get("session_id"), localStorage.getItem("token")
                if prop is not None and prop.text.decode() in ("get", "getItem") and args is not None and args.named_children:
                    key = args.named_children[0]
                    if key.type == "string":
                        text = "".join(c.text.decode() for c in key.named_children)
                        if is_logged_credential(text):
                            return self.ctx.text(node)
            elif fn is not None and fn.type == "identifier":
                # getToken() / getAccessToken(): the call returns the credential
                name = fn.text.decode()
                ws = words(name)
                if ws and ws[0] == "get" and is_logged_credential(name):
                    return f"{name}()"
            return None
        return None
