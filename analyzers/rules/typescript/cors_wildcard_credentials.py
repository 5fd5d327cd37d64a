"""RL304 cors-wildcard-credentials (TypeScript / JavaScript)."""

from __future__ import annotations

import re

from tree_sitter import Node

from ...languages import TYPESCRIPT
from ...model import Severity
from ...rule import Captures, Rule
from ...typescript.gated import mentions, sound_filter, word_nodes
from ...typescript.literals import const_value, string_value, unwrap

ACAO = "access-control-allow-origin"
ACAC = "access-control-allow-credentials"
# Header setters whose first two arguments are (name, value).
HEADER_SETTERS = frozenset({"setHeader", "header", "set", "append"})
# cors middleware packages whose options object is the first (express) or second
# (`fastify.register(cors, opts)`) argument.
CORS_MODULES = frozenset({"cors", "@fastify/cors", "fastify-cors", "@koa/cors", "hono/cors.cors"})


def _key(pair: Node) -> str | None:
    k = pair.child_by_field_name("key")
    if k is None:
        return None
    if k.type == "string":
        return k.text.decode("utf-8", "replace")[1:-1]
    if k.type == "property_identifier":
        return k.text.decode()
    return None


def _pairs(obj: Node) -> dict[str, Node]:
    out: dict[str, Node] = {}
    for child in obj.named_children:
        if child.type == "pair":
            name = _key(child)
            value = child.child_by_field_name("value")
            if name is not None and value is not None:
                out[name] = unwrap(value)
        elif child.type == "shorthand_property_identifier":
            out[child.text.decode()] = child
    return out


def _is_true(node: Node | None) -> bool:
    return node is not None and (node.type == "true" or string_value(node) == "true")


_CORS_MEMBER = re.compile(r"([Cc]ors|\.register)$")
_CORS_WORDS = re.compile(rb"[Cc]ors|register")
_CORS_END = re.compile(rb"[Cc]ors$")
_NAMES = frozenset({"identifier", "property_identifier"})
_ACAC_STRING = re.compile(rb"[\"'][Aa]ccess-[Cc]ontrol-[Aa]llow-[Cc]redentials[\"']")
_STRING = frozenset({"string"})


def _callee_of(call: Node | None, fn: Node) -> bool:
    return call is not None and call.type == "call_expression" and call.child_by_field_name("function") == fn


def _first_argument(call: Node) -> Node | None:
    """The first named child of a call's `arguments` (a comment counts, as a query's
    anchor sees it); None for a tagged template or an empty list."""
    args = call.child_by_field_name("arguments")
    if args is None or args.type != "arguments" or args.named_child_count == 0:
        return None
    return args.named_children[0]



class CorsWildcardCredentials(Rule):
    """
    ## What it does
    Flags CORS configured to accept any origin together with credentials:
    `cors({ origin: "*" | true, credentials: true })` from the `cors` package (also
    `@fastify/cors` registered with such options, `@koa/cors`, Hono's `cors`, and NestJS
    `app.enableCors({...})`), with the options inline or in a `const` of the same file;
    a regular expression matching every origin (`/.*/`) and an origin callback that
    accepts every caller without looking (`(origin, cb) => cb(null, true)`) count as `"*"`. Also flags
    headers set by hand in one place: an object (route handler `headers`, Next.js
    `headers()` config) or a `[{ key, value }]` list holding both
    `Access-Control-Allow-Origin: *` and `Access-Control-Allow-Credentials: true`, and
    `res.setHeader(...)` / `headers.set(...)` calls setting both in one function.

    ## Why is this bad?
    `origin: true` reflects whatever origin asks, so any website a logged-in user visits
    can call the API with the user's cookies and read the answers. A literal `*` with
    credentials is refused by browsers, so the configuration either does not work or is
    one edit away from the reflecting form.

    ## Example
    ```ts
    import cors from "cors";

    app.use(cors({ origin: true, credentials: true }));
    ```

    ## Use instead
    ```ts
    import cors from "cors";

    app.use(cors({ origin: ["https://app.example.com"], credentials: true }));
    ```

    ## Fix safety
    No fix: only the project knows which origins it trusts.
    """

    code = "RL304"
    # Text prefilter (necessary condition): `credentials: true` or an Access-Control-Allow-Credentials header, written in this file.
    requires = r"(?i)credentials"
    name = "cors-wildcard-credentials"
    language = TYPESCRIPT
    severity = Severity.ERROR
    messages = {
        "middleware": "CORS allows {origin} together with credentials: any site can make authenticated requests",
        "headers": "`Access-Control-Allow-Origin: *` together with `Access-Control-Allow-Credentials: true`",
    }
    # Matched in finish(), only in files passing the text gate (the `requires`
    # condition), from the words of the source (typescript/gated.py): compiled as a query
    # on both grammars, these patterns cost ~12 ms each in every process that meets such
    # a file. They stand for
    #   (call_expression function: (identifier) @fn arguments: (arguments . (_) @first)
    #     (#match? @fn "[Cc]ors$")) @call
    #   (call_expression
    #     function: (member_expression property: (property_identifier) @_fname) @fn
    #     arguments: (arguments . (_) @first)
    #     (#match? @_fname "([Cc]ors|^register)$")) @call
    #   (pair key: (string) @key value: (_) @value (#match? @key ACAC)) @pair
    #   (call_expression
    #     function: (member_expression property: (property_identifier) @setter)
    #     arguments: (arguments . (string) @name . (_) @value)
    #     (#any-of? @setter "setHeader" "header" "set" "append") (#match? @name ACAC)) @setcall
    #   (pair key: (property_identifier) @key value: (string) @value
    #     (#eq? @key "key") (#match? @value ACAC)) @listpair
    # with ACAC the quoted header name `Access-Control-Allow-Credentials` (its initials in
    # either case).
    query = ""

    def finish(self) -> None:
        if mentions(self.ctx, b"credentials", ignore_case=True):
            for pattern, captures in sound_filter(self.ctx, self._candidates()):
                self.on_match(captures, pattern)

    def _candidates(self) -> list[tuple[int, Captures]]:
        """The matches of the patterns above, in document order."""
        found: list[tuple[int, int, Captures]] = []
        for name in word_nodes(self.ctx, _CORS_WORDS, _NAMES, whole=False):
            text = name.text
            if name.type == "identifier":
                call = name.parent
                if not _CORS_END.search(text) or not _callee_of(call, name):
                    continue
                first = _first_argument(call)
                if first is not None:
                    found.append((call.start_byte, 0, {"fn": [name], "first": [first], "call": [call]}))
                continue
            member = name.parent
            if not (_CORS_END.search(text) or text == b"register") or member is None or member.type != "member_expression":
                continue
            call = member.parent
            if member.child_by_field_name("property") != name or not _callee_of(call, member):
                continue
            first = _first_argument(call)
            if first is not None:
                found.append((call.start_byte, 1, {"_fname": [name], "fn": [member], "first": [first], "call": [call]}))
        for string in word_nodes(self.ctx, _ACAC_STRING, _STRING):
            parent = string.parent
            if parent is None:
                continue
            if parent.type == "pair":
                value = parent.child_by_field_name("value")
                if parent.child_by_field_name("key") == string:
                    if value is not None and value.is_named:
                        found.append((parent.start_byte, 2, {"key": [string], "value": [value], "pair": [parent]}))
                elif value == string:
                    key = parent.child_by_field_name("key")
                    if key is not None and key.type == "property_identifier" and key.text == b"key":
                        found.append((parent.start_byte, 4, {"key": [key], "value": [string], "listpair": [parent]}))
            elif parent.type == "arguments":
                items = parent.named_children
                call = parent.parent
                if len(items) < 2 or items[0] != string or call is None or call.type != "call_expression":
                    continue
                member = call.child_by_field_name("function")
                prop = member.child_by_field_name("property") if member is not None and member.type == "member_expression" else None
                if call.child_by_field_name("arguments") == parent and prop is not None and prop.type == "property_identifier" \
                        and prop.text.decode() in HEADER_SETTERS:
                    found.append((call.start_byte, 3, {"setter": [prop], "name": [string], "value": [items[1]], "setcall": [call]}))
        found.sort(key=lambda m: m[0])
        return [(pattern, captures) for _, pattern, captures in found]

    def on_match(self, captures: Captures, pattern: int) -> None:
        if pattern <= 1:
            fn = captures["fn"][0]
            # The query narrows a member callee by its last name; its whole text decides.
            if pattern == 1 and not _CORS_MEMBER.search(fn.text.decode("utf-8", "replace")):
                return
            self._middleware_call(captures["call"][0], fn)
        elif pattern == 2:
            self._credentials_pair(captures["pair"][0])
        elif pattern == 3:
            if _is_true(unwrap(captures["value"][0])):
                self._setter_calls(captures["setcall"][0])
        else:
            self._header_list(captures["listpair"][0])

    # --- cors({...}) -----------------------------------------------------------------
    def _middleware_call(self, call: Node, fn: Node) -> None:
        args = call.child_by_field_name("arguments")
        if args is None:
            return
        positional = [a for a in args.named_children if a.type != "comment"]
        options = None
        if fn.type == "identifier":
            if self.ctx.ts.qualified_name(fn) in CORS_MODULES:
                options = positional[0] if positional else None
        else:
            prop = fn.child_by_field_name("property")
            pname = prop.text.decode() if prop is not None else ""
            if pname == "enableCors":
                options = positional[0] if positional else None
            elif pname == "register" and len(positional) >= 2 and self.ctx.ts.qualified_name(positional[0]) in CORS_MODULES:
                options = positional[1]
            elif self.ctx.ts.qualified_name(fn) in CORS_MODULES:
                options = positional[0] if positional else None
        if options is None:
            return
        obj = self._object(options)
        if obj is None:
            return
        pairs = _pairs(obj)
        origin = pairs.get("origin")
        if origin is None or not _is_true(pairs.get("credentials")):
            return
        origin = self._resolve(origin)
        described = self._any_origin(origin)
        if described is None:
            return
        self.report(origin if origin.start_byte >= obj.start_byte and origin.end_byte <= obj.end_byte else call,
                    "middleware", origin=described)

    def _object(self, node: Node) -> Node | None:
        node = self._resolve(unwrap(node))
        return node if node is not None and node.type == "object" else None

    def _resolve(self, node: Node) -> Node:
        if node.type in ("identifier", "shorthand_property_identifier"):
            value = const_value(self.ctx, node)
            if value is not None:
                return unwrap(value)
        return node

    @staticmethod
    def _any_origin(origin: Node) -> str | None:
        if origin.type == "true":
            return "every origin (`origin: true` reflects the caller)"
        if string_value(origin) == "*":
            return "`origin: \"*\"`"
        if origin.type == "regex":
            pattern = origin.child_by_field_name("pattern")
            if pattern is not None and pattern.text.decode() in (".*", "^.*$", ".+", "^.+$", ".*?"):
                return f"every origin (`{origin.text.decode()}`)"
        if origin.type == "array" and any(string_value(e) == "*" for e in origin.named_children):
            return "`origin: [\"*\"]`"
        if origin.type in ("arrow_function", "function_expression") and _allows_every_origin(origin):
            return "every origin (the origin callback accepts any caller)"
        return None

    # --- hand-written headers --------------------------------------------------------
    def _credentials_pair(self, pair: Node) -> None:
        key = (_key(pair) or "").lower()
        obj = pair.parent
        if obj is None or obj.type != "object":
            return
        pairs = _pairs(obj)
        if key != ACAC or not _is_true(pairs.get(_original(pairs, ACAC))):
            return
        origin = pairs.get(_original(pairs, ACAO))
        if origin is not None and string_value(origin) == "*":
            self.report(origin, "headers")

    def _header_list(self, pair: Node) -> None:
        """Next.js `headers()`: `[{ key: "Access-Control-Allow-Credentials", value: "true" }, ...]`."""
        obj = pair.parent
        if obj is None or obj.type != "object" or not _is_true(_pairs(obj).get("value")):
            return
        array = obj.parent
        if array is None or array.type != "array":
            return
        for item in array.named_children:
            item = unwrap(item)
            if item is None or item.type != "object":
                continue
            fields = _pairs(item)
            name, value = fields.get("key"), fields.get("value")
            if name is not None and (string_value(name) or "").lower() == ACAO and value is not None and string_value(value) == "*":
                self.report(value, "headers")
                return

    def _setter_calls(self, setcall: Node) -> None:
        scope = setcall.parent
        while scope is not None and scope.type not in ("statement_block", "program"):
            scope = scope.parent
        if scope is None:
            return
        stack = [scope]
        while stack:
            n = stack.pop()
            if n.type == "call_expression":
                fn = n.child_by_field_name("function")
                args = n.child_by_field_name("arguments")
                if fn is not None and fn.type == "member_expression" and args is not None:
                    prop = fn.child_by_field_name("property")
                    items = [a for a in args.named_children if a.type != "comment"]
                    if (
                        prop is not None and prop.text.decode() in HEADER_SETTERS and len(items) >= 2
                        and (string_value(items[0]) or "").lower() == ACAO and string_value(items[1]) == "*"
                    ):
                        self.report(items[1], "headers")
                        return
            stack.extend(reversed(n.named_children))


def _original(pairs: dict[str, Node], lower: str) -> str:
    for k in pairs:
        if k.lower() == lower:
            return k
    return lower


def _allows_every_origin(fn: Node) -> bool:
    """`(origin, cb) => cb(null, true)` / `function (o, callback) { callback(null, origin) }`:
    a callback that accepts every origin without looking at it."""
    params = fn.child_by_field_name("parameters")
    names = []
    for p in params.named_children if params is not None else []:
        ident = p.child_by_field_name("pattern") if p.type in ("required_parameter", "optional_parameter") else p
        names.append(ident.text if ident is not None else b"")
    single = fn.child_by_field_name("parameter")
    if single is not None:
        names.append(single.text)
    if len(names) < 2:
        return False
    body = unwrap(fn.child_by_field_name("body"))
    if body is not None and body.type == "statement_block":
        statements = [c for c in body.named_children if c.type != "comment"]
        if len(statements) != 1 or statements[0].type not in ("expression_statement", "return_statement"):
            return False
        inner = statements[0].named_children
        body = unwrap(inner[0]) if inner else None
    if body is None or body.type != "call_expression":
        return False
    callee = body.child_by_field_name("function")
    args = body.child_by_field_name("arguments")
    if callee is None or callee.text != names[1] or args is None:
        return False
    items = [unwrap(a) for a in args.named_children if a.type != "comment"]
    return (
        len(items) == 2 and items[0] is not None and items[0].type in ("null", "undefined")
        and items[1] is not None and (items[1].type == "true" or items[1].text == names[0])
    )
