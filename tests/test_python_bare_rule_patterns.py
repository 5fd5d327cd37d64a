"""Python rule patterns that are cheaper to compile than the patterns they replaced
(tree-sitter analyses every pattern step with children, ~0.6 ms per `call` or
`attribute` step, in every process), each checked against the spelled-out pattern on
every Python fixture and on sources of edge cases, parsed cleanly and with syntax errors:

- matched bare, the shape read in Python (RL301's `or` fallback, RL304, RL305, RL308):
  the same captures, and the same verdict of the engine's soundness rule on them;
- a plain name and `x.name` in one alternation (RL101, RL102, RL306, RL307): the same
  matches as the two patterns, once the rule drops the names the merged predicate lets
  through for the other branch.
"""

from __future__ import annotations

import functools
from pathlib import Path

import pytest
from tree_sitter import Query, QueryCursor

from reviewlens.analyzers.languages import language, parse
from reviewlens.analyzers.rules.python import (
    cors_wildcard_credentials as rl304,
    debug_print as rl101,
    error_detail_leak as rl305,
    hardcoded_secret as rl301,
    secret_in_log as rl102,
    shell_injection as rl307,
    token_in_url as rl306,
    unauthenticated_user_param as rl308,
)
from reviewlens.analyzers.soundness import unsound

from .rule_harness import fixture_sources

LITERAL = rl301.LITERAL

# The patterns as they were spelled before (rule, the spelled-out pattern).
SPELLED_OUT = {
    "or_fallback": f"""
    (boolean_operator
      left: (call function: (_) @fn (#match? @fn "(getenv|get)$") arguments: (argument_list . (string) @envname)) @call
      operator: "or"
      right: {LITERAL} @value) @or
    """,
    "credentials": """
    (call arguments: (argument_list
      (keyword_argument name: (identifier) @key (#eq? @key "allow_credentials"))) @args) @call
    """,
    "raise_return": """
    (raise_statement (call function: (_) @fn arguments: (argument_list) @args) @call) @stmt
    (return_statement (call function: (_) @fn arguments: (argument_list) @args) @call) @stmt
    """,
    "routes": f"""
    (decorated_definition
      (decorator (call function: (attribute object: (identifier) @obj attribute: (identifier) @method
        (#any-of? @method {" ".join(f'"{m}"' for m in sorted(rl308.HTTP_METHODS))})) arguments: (argument_list) @args))
      definition: (function_definition parameters: (parameters) @params) @func)
    """,
    "RL101": """
    (call function: (identifier) @fn (#any-of? @fn "print" "pprint" "pp")) @call
    (call function: (attribute attribute: (identifier) @fn) (#any-of? @fn "pprint" "pp")) @call
    """,
    "RL102": """
    (call function: (attribute attribute: (identifier) @method (#any-of? @method "debug" "info" "warning" "warn" "error" "exception" "critical" "fatal" "log" "msg" "trace" "success" "notice")) arguments: (argument_list) @args) @call
    (call function: (identifier) @fn (#eq? @fn "print") arguments: (argument_list) @args) @call
    """,
    "RL307": """
    (call function: (identifier) @fn arguments: (argument_list) @args
      (#any-of? @fn "Popen" "call" "check_call" "check_output" "create_subprocess_exec" "create_subprocess_shell" "execv" "execvp" "getoutput" "getstatusoutput" "popen" "run" "spawnvp" "system")) @call
    (call function: (attribute attribute: (identifier) @last) @fn arguments: (argument_list) @args
      (#any-of? @last "Popen" "call" "check_call" "check_output" "create_subprocess_exec" "create_subprocess_shell" "execv" "execvp" "getoutput" "getstatusoutput" "popen" "run" "spawnvp" "system")) @call
    """,
    "RL306": f"""
    (call function: (identifier) @fn arguments: (argument_list . (_) @url) (#any-of? @fn {rl306.TokenInUrl._names})) @call
    (call function: (attribute attribute: (identifier) @last) @fn arguments: (argument_list . (_) @url) (#any-of? @last {rl306.TokenInUrl._names})) @call
    """,
}

EDGE_CASES = r'''
import os
from fastapi import FastAPI, APIRouter
app = FastAPI(); router = APIRouter()
a = os.getenv("A") or "b"; b = os.getenv(# c
    "A") or "b"; c = os.getenv("A") and "b"; d = (os.getenv("A")
    # c
    or "b" "c"); e = cfg.get("A") or f"b{x}"; g = budget("A") or "b"; h = getenvx("A") or "b"
i = os.getenv(A) or "b"; j = os.getenv("A") or b; k = os.getenv("A", "z") or "b" or "c"; m = f(x for x in y) or "b"
n = os.getenv("A") or "b" or os.getenv("C") or "d"; o = os.getenv(*"A") or "b"; p = os.environ.get("A") or "b"
app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=True)
CORSMiddleware(app, allow_credentials=True); f(g(allow_credentials=True)); f(x, **{"allow_credentials": True})
class C(Base, allow_credentials=True): pass
f(allow_credentials=True, allow_credentials=False); f(# c
    allow_credentials=True); dict(allow_credentials=1)(allow_credentials=2)
def handlers():
    try:
        pass
    except Exception as exc:
        raise HTTPException(status_code=500, detail=str(exc))
    except ValueError as exc:
        raise A() from B(exc)
    except KeyError:
        raise make()(exc); raise f(x for x in exc); raise (g(exc)); raise h
    except OSError as exc:
        return JSONResponse({"detail": str(exc)}); return f(exc), 1; return (f(exc)); return
    return {"error": 1}

@app.get("/items/{user_id}")
@other
@router.post("/p", dependencies=[Depends(auth)])
@app.get
@app.head("/h")
@app.get(x for x in y)
@a.b.get("/")
@app.api_route("/x") # c
def route(user_id: int): ...

@router.put("/c")
class NotARoute: ...

@app.get("/lambda")
async def r2(owner_id): ...

class Outer:
    @router.delete("/in")
    def inner(self, account_id: str):
        @app.patch("/nested")
        def deeper(user_id): ...

print(x); pprint(x); pp(x); x.print(y); pprint.pprint(x); pprint.pp(x); a.b.pp(x); (print)(x); print
logger.info("t %s", token); log.print(x); print.debug(x); debug(x); logger.error(x for x in y); x.y.warning(z)
subprocess.run(cmd); os.system(c); run(c); a.b.Popen(c, shell=True); call(x for x in y); x.run; (run)(c)
requests.get(url); get(url); urlopen(u); x.y.post(u, data=d); get(); get(*args); get(**kw); get(# c
    url); request("GET", u)
'''

BROKEN = r'''
a = os.getenv("A") or "b"
b = os.getenv("A", $) or "b"
app.add_middleware(CORSMiddleware, allow_credentials=True, $)
def f():
    try:
        pass
    except Exception as exc:
        raise HTTPException(detail=str(exc), $)
    except ValueError as exc:
        return JSONResponse({"d": exc}, $)
    except KeyError as exc:
        raise (a $ b)(detail_detail_detail=str(exc))
        return (c $ d)(detail_detail_detail=str(exc))

@app.get("/x", $)
def route(user_id: int): ...

print(x, $); logger.info("t", token, $); subprocess.run(c, $, shell=True); requests.get(url, $)
pprint.pp(x $)
'''


@functools.cache
def _query(src: str) -> Query:
    return Query(language("python"), src)


def _sources() -> list[tuple[str, bytes]]:
    return fixture_sources("python") + [("edge.py", EDGE_CASES.encode()), ("broken.py", BROKEN.encode())]


SOURCES = _sources()


def _span(node) -> tuple[int, int, str]:
    return node.start_byte, node.end_byte, node.type


def _key(captures: dict) -> tuple:
    """A match as comparable data: its captures by name (spans), and whether the engine
    would trust it. Captures named with `_` are the bare patterns' own."""
    return (tuple(sorted((name, tuple(map(_span, nodes))) for name, nodes in captures.items() if not name.startswith("_"))),
            unsound(captures))


def _spelled_out(name: str, root) -> list[tuple]:
    return sorted(_key(c) for _, c in QueryCursor(_query(SPELLED_OUT[name])).matches(root))


def _rule_matches(rule, root) -> list[tuple[int, dict]]:
    return QueryCursor(_query(rule.query)).matches(root)


@pytest.mark.parametrize("path,source", SOURCES, ids=[Path(p).name for p, _ in SOURCES])
def test_bare_rule_patterns_equal_the_spelled_out_ones(path, source):
    root = parse(source, "python").root_node

    rule = rl301.HardcodedSecret
    got = [rl301._or_fallback_shape(c["_or"][0]) for p, c in _rule_matches(rule, root) if p == 8]
    assert sorted(_key(s) for s in got if s is not None) == _spelled_out("or_fallback", root)

    got = [rl304._shape(c["_key"][0], c["_kw"][0]) for _, c in _rule_matches(rl304.CorsWildcardCredentials, root)]
    assert sorted(_key(s) for s in got if s is not None) == _spelled_out("credentials", root)

    got = [rl305._call_shape(c["_call"][0], c["_stmt"][0]) for p, c in _rule_matches(rl305.ErrorDetailLeak, root) if p != 2]
    assert sorted(_key(s) for s in got if s is not None) == _spelled_out("raise_return", root)

    got = [s for _, c in _rule_matches(rl308.UnauthenticatedUserParam, root) for s in rl308._routes(c["_decorated"][0])]
    assert sorted(map(_key, got)) == _spelled_out("routes", root)


def _merged(rule, root, keep) -> list[tuple]:
    return sorted(_key({k: v for k, v in c.items() if keep is None or k in keep}) for p, c in _rule_matches(rule, root) if p == 0)


@pytest.mark.parametrize("path,source", SOURCES, ids=[Path(p).name for p, _ in SOURCES])
def test_merged_alternations_match_what_both_patterns_did(path, source):
    root = parse(source, "python").root_node
    # RL306, RL307: the same captures (`@last` is the name in both branches now).
    assert _merged(rl307.ShellInjection, root, None) == sorted(
        _key({**c, "last": c.get("last", c["fn"])}) for _, c in QueryCursor(_query(SPELLED_OUT["RL307"])).matches(root))
    assert _merged(rl306.TokenInUrl, root, None) == sorted(
        _key({**c, "last": c.get("last", c["fn"])}) for _, c in QueryCursor(_query(SPELLED_OUT["RL306"])).matches(root))

    # RL101: `x.print(...)` also matches the merged predicate; the rule drops it.
    merged = [c for _, c in _rule_matches(rl101.DebugPrint, root)]
    kept = [c for c in merged if not (c["fn"][0].parent.type == "attribute" and c["fn"][0].text == b"print")]
    assert sorted(map(_key, kept)) == _spelled_out("RL101", root)

    # RL102: a logging method name called plainly, and `x.print(...)`, also match; dropped.
    merged = [c for _, c in _rule_matches(rl102.SecretInLog, root)]
    kept = []
    for c in merged:
        fn = c["call"][0].child_by_field_name("function")
        is_print = c["method"][0].text == b"print"
        if (fn.type == "attribute") != is_print:
            kept.append({("fn" if is_print else "method"): c["method"], "args": c["args"], "call": c["call"]})
    assert sorted(map(_key, kept)) == _spelled_out("RL102", root)


def test_the_edge_cases_exercise_every_shape():
    root = parse(EDGE_CASES.encode(), "python").root_node
    text = lambda n: n.text.decode()  # noqa: E731
    fallbacks = [c["value"][0] for _, c in QueryCursor(_query(SPELLED_OUT["or_fallback"])).matches(root)]
    assert [text(v) for v in fallbacks] == ['"b"', '"b" "c"', 'f"b{x}"', '"b"', '"b"', '"b"', '"b"']
    assert len(_spelled_out("credentials", root)) == 8  # two keywords in one call: two matches
    assert len(_spelled_out("raise_return", root)) == 5
    routes = [text(c["method"][0]) for _, c in QueryCursor(_query(SPELLED_OUT["routes"])).matches(root)]
    assert sorted(routes) == ["api_route", "delete", "get", "get", "patch", "post"]
    assert len(_spelled_out("RL101", root)) == 6 and len(_spelled_out("RL102", root)) == 4
    broken = parse(BROKEN.encode(), "python").root_node  # errors inside each match: compared too
    assert broken.has_error and all(_spelled_out(name, broken) for name in SPELLED_OUT)
    assert [k[1] for k in _spelled_out("raise_return", broken)].count(True) == 2  # callees the engine distrusts
