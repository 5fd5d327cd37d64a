"""Python helper queries matched bare (analyzers/python/semantic.py, types.py,
fastapi_app.py, rules/python/blocking_call_in_async.py): one node type per pattern, the
shape checked in Python, because a pattern step with children costs ~0.3-0.6 ms to
compile in every process. Each must find exactly what the query it replaced found (the
same nodes, in document order where the callers keep the order), on every Python
fixture and on a source of edge cases, parsed cleanly and with syntax errors."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest
from tree_sitter import Query, QueryCursor

from reviewlens.analyzers.languages import language, parse
from reviewlens.analyzers.python import fastapi_app, semantic, types
from reviewlens.analyzers.rules.python import blocking_call_in_async as blocking

from .rule_harness import fixture_sources


REFERENCE = {
    "calls": """
    (call function: (identifier) @fn) @call
    (call function: (attribute attribute: (identifier) @m) @f) @call
    """,
    "binding_sites": """
    (assignment left: (identifier) @name right: (_) @value)
    (assignment left: (identifier) @name type: (_) @value)
    (assignment left: (attribute attribute: (identifier) @name) right: (_) @value)
    (assignment left: (attribute attribute: (identifier) @name) type: (_) @value)
    (with_item value: (as_pattern (_) @value alias: (as_pattern_target (identifier) @name)))
    (typed_parameter (identifier) @name type: (_) @value)
    (typed_default_parameter name: (identifier) @name type: (_) @value)
    (default_parameter name: (identifier) @name value: (_) @value)
    (typed_default_parameter name: (identifier) @name value: (_) @value)
    """,
    "assignments": """
    (assignment left: (identifier)) @assign
    (with_item value: (as_pattern alias: (as_pattern_target (identifier)))) @with
    """,
    "bindings": """
    (function_definition name: (identifier) @b)
    (class_definition name: (identifier) @b)
    (assignment left: (identifier) @b)
    (assignment left: (pattern_list (identifier) @b))
    (assignment left: (tuple_pattern (identifier) @b))
    (augmented_assignment left: (identifier) @b)
    (for_statement left: (identifier) @b)
    (for_statement left: (pattern_list (identifier) @b))
    (with_item value: (as_pattern alias: (as_pattern_target (identifier) @b)))
    (named_expression name: (identifier) @b)
    """,
    "constructions": """
    (assignment left: (identifier) @name right: (call function: [(identifier) (attribute)] @fn) @call) @assign
    """,
    "routes": """
    (decorated_definition
      (decorator (call function: (attribute object: (identifier) @obj attribute: (identifier) @method) arguments: (argument_list) @args) @call)
      definition: (function_definition) @func) @decorated
    """,
    "includes": """
    (call function: (attribute object: (_) attribute: (identifier) @m (#eq? @m "include_router")) arguments: (argument_list . (identifier) @router) @args) @call
    """,
}

EDGE_CASES = r'''
import requests, fastapi
from fastapi import FastAPI, APIRouter
app = FastAPI(); router = fastapi.APIRouter(prefix="/u"); r2 = make()(); x = y = FastAPI(); s = "FastAPI()"  # FastAPI()
a1 = FastAPIs(); a2 = (FastAPI)(); a3 = a.b.FastAPI(); a4: FastAPI = FastAPI(); a5 = FastAPI; a6 = x.FastAPI.y()
a, b = 1, 2; (c, d) = f(); [e, g] = h; x.y = 3; x.y: int = 4; z: int; w: str = "v"; k += 1; m[0] = 1
self.client = requests.Session(); self.a.b = c; *s, t = u; for i in range(3): pass
for (p, q) in z: pass
for r, s2 in z: pass
for o.attr in z: pass
with open(p) as fh, ctx() as (u1, u2), other(): pass
with (open(p) as f1, open(q) as f2): pass
if (n := 10) > 5: pass
def fn(a, b: int, c=1, d: str = "x", *args: int, e: "T" = None, **kw: dict): return a
async def afn(x: requests.Session = Depends(get)): await x.get(u); requests.get(u); open(p).read(); x.y.z(); f()(); g[0](); (h)()
class K(Base):
    attr: int = 0
    def m(self): self.v = 1
global_name = 1
def gl():
    global global_name; global_name = 2

@app.get("/items/{user_id}")
@other
@router.post("/p", dependencies=[Depends(auth)])
@app.get
@app.get(x for x in y)
@a.b.get("/")
@app.get("/x") # c
def route(user_id: int): ...

@router.put("/c")
class NotARoute: ...

@app.websocket("/ws")
async def ws(s): ...

class Outer:
    @router.get("/in")
    def inner(self):
        @app.get("/nested")
        def deeper(): ...

app.include_router(router); app.include_router(router, dependencies=[Depends(x)]); app.include_router(users.router)
app.include_router(/* no */); app.include_router(# c
    router); include_router(router); app.include_routers(router); app.include_router(); x.include_router("r")
app.include_router(router)(); a.b.include_router(r, prefix="/p")
'''

BROKEN = r'''
app = FastAPI(
@app.get("/x"
def f(a: int = , b
with open(p) as : pass
x, = 1; app.include_router(router
'''


@functools.cache
def _reference(name: str) -> Query:
    return Query(language("python"), REFERENCE[name])


def _sources() -> list[tuple[str, bytes]]:
    return fixture_sources("python") + [("edge.py", EDGE_CASES.encode()), ("broken.py", BROKEN.encode())]


SOURCES = _sources()


def _span(node) -> tuple[int, int, str]:
    return node.start_byte, node.end_byte, node.type


def _matches(name: str, root):
    return QueryCursor(_reference(name)).matches(root)


@pytest.mark.parametrize("path,source", SOURCES, ids=[Path(p).name for p, _ in SOURCES])
def test_bare_matching_equals_the_queries(path, source):
    root = parse(source, "python").root_node

    # blocking_call_in_async: the calls whose callee is a name or `x.name` (set: the
    # caller dedups by node and checks each).
    expected = {_span(c["call"][0]) for _, c in _matches("calls", root)}
    calls = QueryCursor(Query(language("python"), blocking._CALLS)).captures(root).get("call", [])
    got = set()
    for call in calls:
        fn = call.child_by_field_name("function")
        if fn is not None and (fn.type == "identifier" or (
                fn.type == "attribute" and getattr(fn.child_by_field_name("attribute"), "type", None) == "identifier")):
            got.add(_span(call))
    assert got == expected

    expected = sorted((_span(c["name"][0]), _span(c["value"][0])) for _, c in _matches("binding_sites", root))
    sites = QueryCursor(Query(language("python"), blocking._BINDING_SITES)).captures(root).get("site", [])
    assert sorted((_span(n), _span(v)) for s in sites for n, v in blocking.binding_sites(s)) == expected

    caps = QueryCursor(_reference("assignments")).captures(root)
    bare = QueryCursor(Query(language("python"), types._ASSIGNMENTS)).captures(root)
    assert sorted(map(_span, filter(types._assigns_a_name, bare.get("assign", [])))) == sorted(map(_span, caps.get("assign", [])))
    assert sorted(map(_span, filter(types._with_as_a_name, bare.get("with", [])))) == sorted(map(_span, caps.get("with", [])))

    expected = sorted(map(_span, QueryCursor(_reference("bindings")).captures(root).get("b", [])))
    assert [_span(n) for n in semantic._bindings(root)] == expected

    # fastapi_app: constructions found from the words their callees end with (here every
    # such word of the file, so all of them), and by the bare walk for a dense file.
    constructions = _matches("constructions", root)
    last = lambda fn: fn.child_by_field_name("attribute") if fn.type == "attribute" else fn  # noqa: E731
    words = {last(c["fn"][0]).text.decode() for _, c in constructions if last(c["fn"][0]) is not None}
    expected = [tuple(_span(c[k][0]) for k in ("assign", "name", "call", "fn")) for _, c in constructions]
    assert [tuple(map(_span, c)) for c in fastapi_app._constructions(root, source, words)] == expected
    assert [tuple(map(_span, c)) for c in fastapi_app._constructions_walked(root, words)] == expected
    some = set(sorted(words)[::2])
    expected = [e for e, (_, c) in zip(expected, constructions) if last(c["fn"][0]).text.decode() in some]
    assert [tuple(map(_span, c)) for c in fastapi_app._constructions(root, source, some)] == expected

    expected = [tuple(_span(c[k][0]) for k in ("obj", "method", "call", "args", "func")) for _, c in _matches("routes", root)]
    assert [tuple(map(_span, r)) for r in fastapi_app._route_decorators(root)] == expected

    expected = [(_span(c["router"][0]), _span(c["args"][0])) for _, c in _matches("includes", root)]
    assert [tuple(map(_span, i)) for i in fastapi_app._includes(source, root)] == expected


def test_the_edge_cases_exercise_every_shape():
    root = parse(EDGE_CASES.encode(), "python").root_node
    text = lambda n: n.text.decode()  # noqa: E731
    routes = [(text(o), text(m)) for o, m, *_ in fastapi_app._route_decorators(root)]
    assert routes.count(("app", "get")) == 3 and ("router", "post") in routes and ("router", "get") in routes
    assert ("router", "put") not in routes and ("app", "websocket") in routes
    includes = [text(r) for r, _ in fastapi_app._includes(EDGE_CASES.encode(), root)]
    assert includes == ["router", "router", "router", "r"]
    names = {text(n) for n in semantic._bindings(root)}
    assert {"a", "b", "c", "d", "i", "r", "s2", "fh", "f1", "n", "fn", "K", "global_name", "k"} <= names
    assert "t" in names and "p" not in names and "u1" not in names  # `for (p, q)`, `as (u1, u2)`: tuples, not bound by the model
    sites = QueryCursor(Query(language("python"), blocking._BINDING_SITES)).captures(root).get("site", [])
    pairs = {(text(n), text(v)) for s in sites for n, v in blocking.binding_sites(s)}
    assert {("client", "requests.Session()"), ("x", "requests.Session"), ("fh", "open(p)"), ("d", "str"), ("d", '"x"')} <= pairs


def test_constructions_are_found_however_the_classes_are_spelled():
    """An app or router is found from the words its class can be spelled with: an
    import's alias, or the class's last name after any module (fastapi_app._class_spellings)."""
    from reviewlens.analyzers.config import Settings
    from reviewlens.analyzers.context import FileContext

    source = b'''import fastapi as fa
from fastapi import FastAPI as Application, APIRouter as R
from fastapi import routing
app = Application()
r = R(prefix="/r")
x = fa.FastAPI()
y = routing.APIRouter()
z = fa.applications.FastAPI()
def make():
    inner = R()
other = Other()  # FastAPI() in a comment
s = "R()"
'''
    ctx = FileContext("app/main.py", source, parse(source, "python"), "python", Settings(), "app/main.py")
    found = [(c.kind, c.name, c.cls_text) for c in fastapi_app.fastapi_file(ctx).constructions]
    assert found == [("app", "app", "Application"), ("router", "r", "R"), ("app", "x", "fa.FastAPI"),
                     ("router", "y", "routing.APIRouter"), ("app", "z", "fa.applications.FastAPI"), ("router", "inner", "R")]
