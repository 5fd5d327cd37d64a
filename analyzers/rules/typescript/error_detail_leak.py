"""RL305 error-detail-leak (TypeScript / JavaScript)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from tree_sitter import Node

from ...languages import TYPESCRIPT
from ...model import Severity
from ...rule import Captures, Rule, compile_prefilter
from ...typescript.gated import sound_filter, word_nodes
from ...typescript.literals import unwrap
from ...typescript.prefilters import mentions_response_sink
from ...typescript.project import USE_SERVER_RE
from ...typescript.semantic import enclosing_function

# Receivers whose `.json/.send/.end/.write` answer an HTTP request.
RESPONSE_NAMES = frozenset({"res", "response", "reply", "resp", "rsp", "ctx", "c"})
SEND_METHODS = frozenset({"json", "send", "end", "write", "jsonp"})
# Calls in a receiver chain that mark it as a response builder: `x.status(500).json(...)`.
STATUS_METHODS = frozenset({"status", "code", "type", "header", "set", "setHeader"})
_CATCH = re.compile(rb"catch")
_PROPERTY = frozenset({"property_identifier"})
RESPONSE_CLASSES = frozenset({"Response", "NextResponse"})
# Error classes whose message is serialized to the client, by qualified-name prefix.
CLIENT_ERROR_CLASSES = ("@trpc/server.TRPCError", "hono/http-exception.HTTPException")
# Error details read off the caught value.
DETAIL_PROPERTIES = frozenset({"message", "stack", "sqlMessage", "sql", "stderr"})
# Response helpers of frameworks, by qualified name suffix: `json(...)` from Remix,
# `error(500, ...)` from SvelteKit.
HELPER_MODULES = ("@remix-run/", "@sveltejs/kit", "react-router")
HELPER_FUNCTIONS = frozenset({"json", "error", "data"})
# Calls whose thrown messages describe the caller's input, not the server.
VALIDATOR_NAME = re.compile(r"^(validate|assert|check|ensure|parse|safeParse|verify)[A-Z_]?|^(parse|validate)$")
FUNCTION_TYPES = frozenset({"function_declaration", "function_expression", "arrow_function", "method_definition"})


class ErrorDetailLeak(Rule):
    """
    ## What it does
    Inside `catch (e)`, flags an HTTP response whose body contains details of the caught
    error: `e.message`, `e.stack` (and `e.sqlMessage`, `e.sql`, `e.stderr`), `String(e)`,
    `` `${e}` ``, `e.toString()`, `JSON.stringify(e)`, directly or through a local
    variable assigned from one of them in the same `catch`. Responses are
    `res.json/send/end(...)` (also after `res.status(...)`), `NextResponse.json(...)`,
    `Response.json(...)`, `new Response(...)` / `new NextResponse(...)`, Koa's
    `ctx.body = ...` and `ctx.throw(...)`, NestJS `new ...Exception(...)`, tRPC's
    `new TRPCError({ message })` and Hono's `new HTTPException(...)`, and the value a
    Next.js server action (a `"use server"` module or function) returns from the catch.

    Not flagged: logging the error, responses with a generic message, a `catch` whose
    `try` only called validation functions (`validateUrl(x)`, `schema.parse(body)`,
    `assertValid(...)`: their messages are written for the caller), and a response
    inside an `if (e instanceof SomeError)` branch for an error class other than
    `Error` (a validation or domain error the code deliberately reports to the caller;
    the analogue of re-raising an upstream `HTTPException`'s own detail).

    ## Why is this bad?
    Error messages and stack traces describe the server: SQL fragments and table names,
    file paths, library versions, internal hostnames. Attackers read them to plan the
    next request; users cannot act on them.

    ## Example
    ```ts
    export async function POST(req: Request) {
      try {
        return NextResponse.json(await createOrder(await req.json()));
      } catch (e) {
        return NextResponse.json({ error: (e as Error).message }, { status: 500 });
      }
    }
    ```

    ## Use instead
    ```ts
    export async function POST(req: Request) {
      try {
        return NextResponse.json(await createOrder(await req.json()));
      } catch (e) {
        logger.error({ err: e }, "createOrder failed");
        return NextResponse.json({ error: "Internal server error" }, { status: 500 });
      }
    }
    ```

    ## Fix safety
    No fix: choosing the message a client may see, and adding logging, is a decision
    for the code's owner.
    """

    code = "RL305"
    # Text prefilter (necessary condition): a `catch (e)` clause or a `.catch(...)` handler,
    # and (`prefilter`) a response, framework module or server action it can leak through.
    requires = r"catch"
    # Anchor: The `catch` keyword of the clause (promise `.catch` handlers are found in `finish`).
    anchor = r"\bcatch\b"
    name = "error-detail-leak"
    language = TYPESCRIPT
    severity = Severity.WARNING
    messages = {
        "default": "Response exposes error details (`{detail}`) to the client: log them and send a generic message",
        "via_local": "Response exposes error details (`{detail}`, assigned from the caught error) to the client: log them and send a generic message",
    }
    # Pattern 1, `promise.catch((e) => ...)`, is matched in finish() from the `catch` names
    # of the source (typescript/gated.py), standing for
    #   (call_expression
    #     function: (member_expression property: (property_identifier) @method)
    #     arguments: (arguments . [(arrow_function) (function_expression)] @handler)
    #     (#eq? @method "catch"))
    # (two expression steps: a tenth of the combined query's compile time).
    query = """
    (catch_clause parameter: (identifier) @param body: (statement_block) @body)
    """

    @classmethod
    def prefilter(cls, options=None):
        return compile_prefilter(cls.requires, mentions_response_sink)

    def finish(self) -> None:
        for pattern, captures in sound_filter(self.ctx, self._catch_handlers()):
            self.on_match(captures, pattern)

    def _catch_handlers(self) -> Iterator[tuple[int, Captures]]:
        for method in word_nodes(self.ctx, _CATCH, _PROPERTY):
            member = method.parent
            if member is None or member.type != "member_expression" or member.child_by_field_name("property") != method:
                continue
            call = member.parent
            if call is None or call.type != "call_expression" or call.child_by_field_name("function") != member:
                continue
            args = call.child_by_field_name("arguments")
            if args is None or args.type != "arguments" or args.named_child_count == 0:
                continue
            handler = args.named_children[0]  # the query's anchor: a comment before it counts
            if handler.type in ("arrow_function", "function_expression"):
                yield 1, {"method": [method], "handler": [handler]}

    def on_match(self, captures: Captures, pattern: int) -> None:
        throws_reach_client = True
        if pattern == 0:
            param = captures["param"][0].text
            body = captures["body"][0]
        else:  # promise.catch((e) => ...)
            handler = captures["handler"][0]
            params = handler.child_by_field_name("parameters")
            first = handler.child_by_field_name("parameter")
            if first is None and params is not None and params.named_children:
                p = params.named_children[0]
                first = p.child_by_field_name("pattern") if p.type in ("required_parameter", "optional_parameter") else p
            body = handler.child_by_field_name("body")
            if first is None or first.type != "identifier" or body is None:
                return
            param = first.text
            # An error thrown from a fire-and-forget `.catch` reaches nobody: only responses count.
            throws_reach_client = _propagates(captures["handler"][0].parent.parent)
        if self._validation_only(body):
            return
        tainted: dict[bytes, list[tuple[Node, int]]] = {}
        self._collect_tainted(body, param, tainted)
        for response, payload in self._responses(body, param):
            if response.type == "new_expression" and not throws_reach_client and response.child_by_field_name("constructor").text.decode() not in RESPONSE_CLASSES:
                continue
            if self._guarded(response, body, param):
                continue
            for arg in payload:
                leak = self._leak(arg, param, tainted)
                if leak is not None:
                    via_local = leak.type in ("identifier", "shorthand_property_identifier")
                    self.report(leak, "via_local" if via_local else "default", detail=self.ctx.text(leak))
                    break

    # --- taint -----------------------------------------------------------------------
    def _collect_tainted(self, body: Node, param: bytes, tainted: dict[bytes, list[tuple[Node, int]]]) -> None:
        """Locals assigned (in this catch) from an error detail, to a fixed point. Each is
        tainted where it is visible: a `const`/`let` from its declaration to the end of
        its block (two blocks may declare the same name), an assignment in the whole catch."""
        bindings: list[tuple[bytes, Node, Node, int]] = []
        for n in _walk(body, param, include_self=True):
            if n.type == "variable_declarator":
                name, value = n.child_by_field_name("name"), n.child_by_field_name("value")
                if name is not None and value is not None and name.type == "identifier":
                    scope = n.parent
                    while scope is not None and scope.type not in ("statement_block", "program") and scope != body:
                        scope = scope.parent
                    bindings.append((name.text, value, scope or body, n.start_byte))
            elif n.type == "assignment_expression":
                left, right = n.child_by_field_name("left"), n.child_by_field_name("right")
                if left is not None and right is not None and left.type == "identifier":
                    bindings.append((left.text, right, body, body.start_byte))
        done: set[int] = set()
        changed = True
        while changed:
            changed = False
            for i, (name, value, scope, start) in enumerate(bindings):
                if i not in done and self._leak(value, param, tainted) is not None:
                    tainted.setdefault(name, []).append((scope, start))
                    done.add(i)
                    changed = True

    @staticmethod
    def _validation_only(body: Node) -> bool:
        """The `try` guarded only validation calls (`validateUrl(x)`, `assertValid(...)`,
        `schema.parse(...)`): their messages are written for the caller."""
        clause = body.parent
        stmt = clause.parent if clause is not None and clause.type == "catch_clause" else None
        block = stmt.child_by_field_name("body") if stmt is not None and stmt.type == "try_statement" else None
        if block is None:
            return False
        statements = [c for c in block.named_children if c.type != "comment"]
        if not statements:
            return False
        for st in statements:
            expr = st.named_children[0] if st.type == "expression_statement" and st.named_children else None
            expr = unwrap(expr)
            if expr is not None and expr.type == "await_expression" and expr.named_children:
                expr = unwrap(expr.named_children[0])
            if expr is None or expr.type != "call_expression":
                return False
            fn = unwrap(expr.child_by_field_name("function"))
            if fn is not None and fn.type == "sequence_expression":  # compiled `(0, mod.validate)(x)`
                fn = fn.named_children[-1] if fn.named_children else None
            last = fn.child_by_field_name("property") if fn is not None and fn.type == "member_expression" else fn
            if last is None or not VALIDATOR_NAME.match(last.text.decode("utf-8", "replace")):
                return False
        return True

    def _leak(self, node: Node, param: bytes, tainted: set[bytes]) -> Node | None:
        """The first sub-expression of `node` that carries the caught error's details."""
        for n in _walk(node, param, include_self=True):
            kind = n.type
            if kind == "member_expression":
                obj, prop = unwrap(n.child_by_field_name("object")), n.child_by_field_name("property")
                if obj is not None and obj.type == "identifier" and obj.text == param and prop is not None:
                    if prop.text.decode() in DETAIL_PROPERTIES:
                        return n
            elif kind == "call_expression":
                fn = n.child_by_field_name("function")
                args = n.child_by_field_name("arguments")
                first = unwrap(args.named_children[0]) if args is not None and args.named_children else None
                if fn is not None and fn.type == "identifier" and fn.text == b"String" and _is(first, param):
                    return n
                if fn is not None and fn.type == "member_expression":
                    obj, prop = unwrap(fn.child_by_field_name("object")), fn.child_by_field_name("property")
                    if prop is not None and prop.text == b"toString" and _is(obj, param):
                        return n
                    if prop is not None and prop.text == b"stringify" and obj is not None and obj.text == b"JSON" and _is(first, param):
                        return n
            elif kind == "template_substitution":
                inner = unwrap(n.named_children[0]) if n.named_children else None
                if _is(inner, param):
                    return n
            elif kind == "binary_expression" and n.child_by_field_name("operator").type == "+":
                for side in (n.child_by_field_name("left"), n.child_by_field_name("right")):
                    side = unwrap(side)
                    if _is(side, param):
                        return n
            elif kind in ("identifier", "shorthand_property_identifier") and n.text in tainted:
                if _is_value_position(n) and any(
                    scope.start_byte <= n.start_byte and n.end_byte <= scope.end_byte and n.start_byte >= start
                    for scope, start in tainted[n.text]
                ):
                    return n
        return None

    # --- responses -------------------------------------------------------------------
    def _responses(self, body: Node, param: bytes):
        for n in _walk(body, param, include_self=True):
            if n.type == "call_expression":
                fn = n.child_by_field_name("function")
                args = n.child_by_field_name("arguments")
                if fn is None or args is None:
                    continue
                if fn.type == "identifier":
                    qualified = self.ctx.ts.qualified_name(fn) or ""
                    module, _, func = qualified.rpartition(".")
                    if func in HELPER_FUNCTIONS and module.startswith(HELPER_MODULES):
                        yield n, args.named_children
                    continue
                if fn.type != "member_expression":
                    continue
                prop = fn.child_by_field_name("property")
                obj = unwrap(fn.child_by_field_name("object"))
                if prop is None or obj is None:
                    continue
                method = prop.text.decode()
                if obj.type == "identifier" and obj.text.decode() in RESPONSE_CLASSES and method == "json":
                    yield n, args.named_children[:1]
                elif method in SEND_METHODS and self._is_response_receiver(obj):
                    yield n, args.named_children[:1]
                elif method == "throw" and obj.type == "identifier" and obj.text == b"ctx":
                    yield n, args.named_children
            elif n.type == "new_expression":
                ctor = n.child_by_field_name("constructor")
                args = n.child_by_field_name("arguments")
                if ctor is None or args is None:
                    continue
                cname = ctor.text.decode()
                if cname in RESPONSE_CLASSES:
                    yield n, args.named_children[:1]
                elif cname.endswith("Exception") and self._nest_exception(ctor):
                    yield n, args.named_children[:1]
                elif (self.ctx.ts.qualified_name(ctor) or "").startswith(CLIENT_ERROR_CLASSES):
                    yield n, args.named_children  # tRPC / Hono errors: the message reaches the client
            elif n.type == "return_statement" and n.named_children and self._in_server_action(n, body):
                yield n, n.named_children[:1]
            elif n.type == "assignment_expression":
                left = n.child_by_field_name("left")
                if left is not None and left.type == "member_expression" and left.text in (b"ctx.body", b"ctx.response.body"):
                    right = n.child_by_field_name("right")
                    if right is not None:
                        yield n, [right]

    def _is_response_receiver(self, obj: Node) -> bool:
        # res.json(...) / reply.send(...)
        if obj.type == "identifier":
            return obj.text.decode() in RESPONSE_NAMES
        if obj.type == "member_expression":  # ctx.res.end(...)
            prop = obj.child_by_field_name("property")
            return prop is not None and prop.text.decode() in ("res", "response")
        # res.status(500).json(...) / reply.code(500).send(...)
        if obj.type == "call_expression":
            fn = obj.child_by_field_name("function")
            if fn is not None and fn.type == "member_expression":
                prop = fn.child_by_field_name("property")
                if prop is not None and prop.text.decode() in STATUS_METHODS:
                    inner = unwrap(fn.child_by_field_name("object"))
                    return inner is not None and (
                        self._is_response_receiver(inner) or inner.type == "identifier"
                    )
        return False

    def _in_server_action(self, ret: Node, body: Node) -> bool:
        """A `return` of the function holding the catch, in a Next.js server action (a
        `"use server"` module or function): the returned value is sent to the browser."""
        func = enclosing_function(ret)
        if body.parent is None or body.parent.type != "catch_clause" or func is None or func != enclosing_function(body):
            return False
        if USE_SERVER_RE.match(self.ctx.source[:4000].decode("utf-8", "replace")):
            return True
        fbody = func.child_by_field_name("body")
        first = fbody.named_children[0] if fbody is not None and fbody.type == "statement_block" and fbody.named_children else None
        return first is not None and first.type == "expression_statement" and first.text.strip(b";") in (b'"use server"', b"'use server'")

    def _nest_exception(self, ctor: Node) -> bool:
        qualified = self.ctx.ts.qualified_name(ctor) or ""
        return qualified.startswith("@nestjs/")

    @staticmethod
    def _guarded(response: Node, body: Node, param: bytes) -> bool:
        """Inside `if (e instanceof XError)` for a specific (non-`Error`) class."""
        n = response.parent
        while n is not None and n != body:
            if n.type == "if_statement":
                cond = n.child_by_field_name("condition")
                consequence = n.child_by_field_name("consequence")
                if cond is not None and consequence is not None and _within(response, consequence):
                    for c in _walk(cond, None, include_self=True):
                        if c.type == "binary_expression" and c.child_by_field_name("operator").type == "instanceof":
                            left, right = unwrap(c.child_by_field_name("left")), c.child_by_field_name("right")
                            if _is(left, param) and right is not None and right.text not in (b"Error", b"Object"):
                                return True
            n = n.parent
        return False


def _is(node: Node | None, name: bytes) -> bool:
    return node is not None and node.type == "identifier" and node.text == name


def _within(node: Node, container: Node) -> bool:
    return container.start_byte <= node.start_byte and node.end_byte <= container.end_byte


def _is_value_position(ident: Node) -> bool:
    parent = ident.parent
    if parent is None:
        return True
    if parent.type == "member_expression" and parent.child_by_field_name("property") == ident:
        return False
    if parent.type == "pair" and parent.child_by_field_name("key") == ident:
        return False
    return True


def _walk(node: Node, param: bytes | None, include_self: bool = False):
    """Pre-order walk, not entering a nested catch that rebinds `param`."""
    stack = [node] if include_self else list(reversed(node.named_children))
    while stack:
        n = stack.pop()
        yield n
        if n.type == "catch_clause" and param is not None:
            p = n.child_by_field_name("parameter")
            if p is not None and p.text == param:
                continue
        stack.extend(reversed(n.named_children))


def _propagates(call: Node) -> bool:
    """Whether the result of a promise chain ending in `call` is awaited, returned or
    passed on (an arrow's expression body, an argument), rather than dropped."""
    node = call
    parent = node.parent
    while parent is not None and (
        parent.type in ("member_expression", "parenthesized_expression", "non_null_expression", "as_expression")
        or (parent.type == "call_expression" and parent.child_by_field_name("function") == node)
    ):
        node, parent = parent, parent.parent
    if parent is None:
        return False
    if parent.type == "expression_statement":
        return False
    if parent.type == "unary_expression" and parent.text.startswith(b"void"):
        return False
    return True
