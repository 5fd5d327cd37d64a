"""TypeScript rules matched outside the combined query (analyzers/typescript/gated.py).

RL101, RL102, RL201, RL302, RL304, RL402 and RL305's `.catch(handler)` pattern find their
candidates from the words of the source instead of a tree-sitter query: each must hand
`on_match` exactly the matches the query it stands for would give (same pattern index,
same capture names and nodes, in document order), on every TypeScript fixture and on a
source of edge cases (also parsed with syntax errors). RL306/RL307 run their own
query in finish() behind a text gate: those queries must compile on both grammars.
"""

from __future__ import annotations

import functools

import pytest
from tree_sitter import Query, QueryCursor

from reviewlens.analyzers.config import Settings
from reviewlens.analyzers.context import FileContext
from reviewlens.analyzers.languages import grammar_for_path, language, parse
from reviewlens.analyzers.rules.typescript import (
    blocking_call_in_async,
    cors_wildcard_credentials,
    debug_print,
    error_detail_leak,
    secret_in_log,
    shell_injection,
    ssr_unsafe_browser_global,
    token_in_localstorage,
    token_in_url,
)
from reviewlens.analyzers.typescript import gated

from .rule_harness import fixture_sources


# The queries the hand matching stands for (the rules' queries before the change).
REFERENCE = {
    "RL101": """
    (member_expression
      object: (identifier) @obj
      property: (property_identifier) @method
      (#eq? @obj "console")
      (#any-of? @method "log" "debug" "info" "trace" "dir" "table")) @member
    """,
    "RL102": """
    (call_expression
      function: (member_expression
        object: (identifier) @obj
        property: (property_identifier) @method)
      arguments: (arguments) @args
      (#eq? @obj "console")
      (#any-of? @method "log" "debug" "info" "warn" "error" "trace" "dir" "table")) @call
    (call_expression
      function: (member_expression
        object: [(identifier) @obj
                 (member_expression property: (property_identifier) @obj)]
        property: (property_identifier) @method)
      arguments: (arguments) @args
      (#any-of? @obj "logger" "log" "_logger" "_log")
      (#any-of? @method "log" "debug" "info" "warn" "warning" "error" "trace" "fatal" "verbose" "silly" "http")) @call
    """,
    "RL201": """
    (call_expression
      function: (member_expression property: (property_identifier) @m)
      (#match? @m "Sync$")) @call
    (call_expression function: (identifier) @fn (#match? @fn "Sync$")) @call
    """,
    "RL305": """
    (call_expression
      function: (member_expression property: (property_identifier) @method)
      arguments: (arguments . [(arrow_function) (function_expression)] @handler)
      (#eq? @method "catch"))
    """,
    "RL302": """
    (call_expression
      function: (member_expression
        object: [(identifier) @storage
                 (member_expression object: (identifier) @owner property: (property_identifier) @storage)]
        property: (property_identifier) @method)
      arguments: (arguments . (_) @key . (_) @value)
      (#eq? @storage "localStorage")
      (#eq? @method "setItem")) @write
    (assignment_expression
      left: (subscript_expression object: [(identifier) @storage
                                           (member_expression object: (identifier) @owner property: (property_identifier) @storage)]
                                  index: (_) @key)
      right: (_) @value
      (#eq? @storage "localStorage")) @write
    (assignment_expression
      left: (member_expression object: [(identifier) @storage
                                        (member_expression object: (identifier) @owner property: (property_identifier) @storage)]
                               property: (property_identifier) @prop)
      right: (_) @value
      (#eq? @storage "localStorage")) @write
    """,
    "RL304": """
    (call_expression
      function: (identifier) @fn
      arguments: (arguments . (_) @first)
      (#match? @fn "[Cc]ors$")) @call
    (call_expression
      function: (member_expression property: (property_identifier) @_fname) @fn
      arguments: (arguments . (_) @first)
      (#match? @_fname "([Cc]ors|^register)$")) @call
    (pair key: (string) @key value: (_) @value
      (#match? @key "^[\\"'][Aa]ccess-[Cc]ontrol-[Aa]llow-[Cc]redentials[\\"']$")) @pair
    (call_expression
      function: (member_expression property: (property_identifier) @setter)
      arguments: (arguments . (string) @name . (_) @value)
      (#any-of? @setter "setHeader" "header" "set" "append")
      (#match? @name "^[\\"'][Aa]ccess-[Cc]ontrol-[Aa]llow-[Cc]redentials[\\"']$")) @setcall
    (pair key: (property_identifier) @key value: (string) @value
      (#eq? @key "key")
      (#match? @value "^[\\"'][Aa]ccess-[Cc]ontrol-[Aa]llow-[Cc]redentials[\\"']$")) @listpair
    """,
    "RL402": """
    ((identifier) @global
      (#any-of? @global "window" "document" "localStorage" "sessionStorage" "navigator"))
    """,
}

# The rule's pattern index of the reference's first pattern (RL305 keeps pattern 0 in its query).
REFERENCE_BASE = {"RL305": 1}

EDGE_CASES = r"""
console.log("a"); console?.info(x); (console).log(1); console["log"](2);
window.console.log(3); const { log } = console; log("x"); console.log; foo(console.table);
console.warn(token); console.error(password, user.token); console.log`tpl ${token}`;
myconsole.log(1); console2.log(2); consolelog(3); xconsole.debug(4);
logger.info(token); log.debug(secret); _log.warn(apiKey); _logger.error(pw); __log.info(token);
this.logger.info(token); app.log.warn(password); a.b._logger.http(token); loggers.info(token);
logger.info`t ${token}`; logger?.debug(token); logger.notAMethod(token); log.log(log);
"console.log(token)"; // console.log(token)
/* logger.info(token) */ `${logger.info(token)}`;
const data = fs.readFileSync(p); readFileSync(p); cp.execSync(cmd); a.b.c.writeFileSync(x);
xSync.y(); new FooSync(); fooSync`tpl`; fooSyncBar(); "readFileSync()"; (fooSync)(); a?.bSync();
obj.fooSync; fooSync; class K { #readSync() {} go() { this.#readSync(); } }
const w = window; windows.x; window.location; typeof document; obj.window; ({ window: 1 });
navigator.userAgent; let localStorage; sessionStorage.setItem("a", "b"); "window"; // document
function f(window) { return window; } documentElement; x.localStorage.y;
p.catch((e) => res.json(e)); p?.catch(function (e) {}); p.catch(/* c */ (e) => 1);
p.catch(// c
  (e) => 1); p.catch(handler, (e) => 1); p.catch(); p.catch`x`; p.#catch; try {} catch (e) {}
p.then(a).catch(async (err) => { throw err; }); catcher.catch((e) => 1); p.catchAll((e) => 1);
localStorage.setItem("token", t); window.localStorage.setItem(k, v); localStorage.setItem(/* c */ k, v);
localStorage.setItem(k /* c */, v); localStorage.setItem(k); localStorage?.setItem(k, v, w); a.b.localStorage.setItem(k, v);
localStorage["token"] = t; window.localStorage[k] = v; localStorage.token = t; self.localStorage.jwt = t;
localStorage.getItem("x"); this.localStorage.setItem(k, v); localStorage.setItem`x`; x = localStorage; localStorage = y;
localStorage.token += t; (localStorage).setItem(k, v); localStorage.#p = 1; const s = localStorage.setItem(k, v);
const é = window; élog.info(token); log\u0067er.info(token);
app.use(cors({ origin: true, credentials: true })); app.use(Cors()); cors``; cors?.(o); cors<T>(o);
fastify.register(cors, { origin: "*" }); a.b.register(/* c */ x); app.enableCors({}); x.fooCors(o)(p);
cors(/* only a comment */); corsx(o); Xcors(o); app.registerX(cors, o); app.xregister(c, o); app.#cors(o);
new cors(o); cors; const c = cors; x.register(a).cors(b); cors(cors(o)); Cors.cors(o);
res.setHeader("Access-Control-Allow-Credentials", "true"); res.header('access-control-allow-credentials', true);
headers.set("Access-Control-Allow-Credentials" /* c */, "true"); h.append("Access-Control-Allow-Credentials");
h.get("Access-Control-Allow-Credentials", "true"); h.set(x, "Access-Control-Allow-Credentials", y); h.#set("Access-Control-Allow-Credentials", 1);
h.set("Access-Control-Allow-Credentials", "true", z); set("Access-Control-Allow-Credentials", 1); h.set`x`;
const o = { "Access-Control-Allow-Credentials": "true", 'Access-Control-Allow-Origin': "*" };
const l = [{ key: "Access-Control-Allow-Credentials", value: "true" }, { key: 'ACCESS-CONTROL-ALLOW-CREDENTIALS' }];
const q = { ["Access-Control-Allow-Credentials"]: 1, key: `Access-Control-Allow-Credentials`, k: "Access-Control-Allow-Credentials" };
const r = { "x-Access-Control-Allow-Credentials": 1, "Access-Control-Allow-Credentials-x": 2, "Access-Control-Allow-Credentials" };
console.log(token
"""

BROKEN = r"""
function f( { console.log(token; logger.info(token) window.x
readFileSync(p; fs.writeFileSync(q, ; document..x
"""


@functools.cache
def _reference(code: str, grammar: str) -> Query:
    return Query(language(grammar), REFERENCE[code])


@functools.cache
def _sources_cached() -> tuple:
    return tuple(_sources())


def _ctx(source: bytes, path: str) -> FileContext:
    grammar = grammar_for_path(path)
    tree = parse(source, grammar)
    return FileContext(path, source, tree, grammar, Settings(), path)


def _hand(code: str, ctx: FileContext) -> list[tuple[int, dict]]:
    if code == "RL101":
        rule = debug_print.DebugPrint(ctx)
        return list(rule._console_members())
    if code == "RL102":
        rule = secret_in_log.SecretInLog(ctx)
        return list(rule._log_calls())
    if code == "RL305":
        rule = error_detail_leak.ErrorDetailLeak(ctx)
        return list(rule._catch_handlers())
    if code == "RL302":
        return list(token_in_localstorage.TokenInLocalStorage(ctx)._writes())
    if code == "RL304":
        return cors_wildcard_credentials.CorsWildcardCredentials(ctx)._candidates()
    if code == "RL201":
        rule = blocking_call_in_async.BlockingCallInAsync(ctx)
        return list(rule._sync_calls())
    nodes = gated.word_nodes(ctx, ssr_unsafe_browser_global._GLOBAL_WORDS, ssr_unsafe_browser_global._IDENTIFIER)
    return [(0, {"global": [n]}) for n in nodes]


def _key(matches) -> list:
    return sorted(
        (p, tuple(sorted((name, tuple((n.start_byte, n.end_byte, n.type) for n in nodes)) for name, nodes in caps.items())))
        for p, caps in matches
    )


def _sources() -> list[tuple[str, bytes]]:
    out = fixture_sources("typescript")
    for suffix in (".ts", ".tsx", ".js"):
        out.append((f"edge{suffix}", EDGE_CASES.encode()))
        out.append((f"broken{suffix}", BROKEN.encode()))
    return out


@pytest.mark.parametrize("code", sorted(REFERENCE))
def test_hand_matching_equals_the_query(code):
    compared = 0
    for path, source in _sources_cached():
        ctx = _ctx(source, path)
        base = REFERENCE_BASE.get(code, 0)
        expected = [(base + p, c) for p, c in QueryCursor(_reference(code, ctx.grammar)).matches(ctx.tree.root_node)]
        got = _hand(code, ctx)
        assert _key(got) == _key(expected), path
        # Document order, as the query gives a single-node pattern's matches.
        starts = [min(n.start_byte for nodes in caps.values() for n in nodes) for _, caps in got]
        assert starts == sorted(starts), path
        compared += len(expected)
    assert compared > 10  # the comparison saw real matches


def test_edge_cases_find_what_they_should():
    ctx = _ctx(EDGE_CASES.encode(), "edge.ts")
    rl101 = {ctx.text(c["member"][0]) for _, c in _hand("RL101", ctx)}
    assert {"console.log", "console?.info", "console.table"} <= rl101
    assert not any("myconsole" in m or "console2" in m for m in rl101)
    rl102 = {ctx.text(c["call"][0].child_by_field_name("function")) for _, c in _hand("RL102", ctx)}
    assert {"logger.info", "this.logger.info", "app.log.warn", "a.b._logger.http", "_log.warn"} <= rl102
    assert "__log.info" not in rl102 and "loggers.info" not in rl102 and "logger.notAMethod" not in rl102
    rl201 = {ctx.text(c["call"][0].child_by_field_name("function")) for _, c in _hand("RL201", ctx)}
    assert {"fs.readFileSync", "readFileSync", "cp.execSync", "a.b.c.writeFileSync", "fooSync", "a?.bSync"} <= rl201
    assert "fooSyncBar" not in rl201 and "this.#readSync" not in rl201
    rl305 = [ctx.text(c["handler"][0]) for _, c in _hand("RL305", ctx)]
    assert rl305 == ["(e) => res.json(e)", "function (e) {}", "async (err) => { throw err; }", "(e) => 1"]
    rl302 = [(p, ctx.text(c["write"][0])) for p, c in _hand("RL302", ctx)]
    assert (0, 'localStorage.setItem("token", t)') in rl302 and (1, 'localStorage["token"] = t') in rl302
    assert (2, "self.localStorage.jwt = t") in rl302 and (0, "a.b.localStorage.setItem(k, v)") not in rl302
    calls = [ctx.text(c["fn"][0]) for p, c in _hand("RL304", ctx) if p in (0, 1)]
    assert {"cors", "Xcors", "fastify.register", "a.b.register", "x.fooCors", "Cors.cors", "app.enableCors"} <= set(calls)
    assert not {"corsx", "app.registerX", "app.xregister", "app.#cors", "Cors"} & set(calls)
    setters = [c["setcall"][0] for p, c in _hand("RL304", ctx) if p == 3]
    assert [ctx.text(s.child_by_field_name("function")) for s in setters] == ["res.setHeader", "res.header", "headers.set", "h.set"]
    pairs = [(p, ctx.text(c.get("pair", c.get("listpair"))[0])) for p, c in _hand("RL304", ctx) if p in (2, 4)]
    assert (2, '"Access-Control-Allow-Credentials": "true"') in pairs and (4, 'key: "Access-Control-Allow-Credentials"') in pairs
    assert len(pairs) == 2  # not the all-caps name, a computed or template key, nor a longer header
    rl402 = [ctx.text(c["global"][0]) for _, c in _hand("RL402", ctx)]
    assert "windows" not in rl402 and rl402.count("window") >= 4


def test_gated_queries_compile_on_every_grammar():
    rules = (
        token_in_url.TokenInUrl,
        shell_injection.ShellInjection,
    )
    for rule in rules:
        assert rule.query == "" and rule.gated_query.strip()
        for grammar in ("typescript", "tsx"):
            assert gated.compiled(grammar, rule.gated_query).pattern_count > 0


def test_mentions_ignores_case_only_when_asked():
    ctx = _ctx(b'const x = { Credentials: true, origin: "*" };', "a.ts")
    assert gated.mentions(ctx, b"credentials", ignore_case=True)
    assert not gated.mentions(ctx, b"credentials")
    assert gated.mentions(ctx, b"origin", b"nothing")


IMPORTS_REFERENCE = """
(import_statement source: (string (string_fragment) @src)) @import
(variable_declarator
  name: (_) @name
  value: (call_expression function: (identifier) @req arguments: (arguments (string (string_fragment) @src)))
  (#eq? @req "require")) @require
(variable_declarator
  name: (_) @name
  value: (await_expression (call_expression function: (import) arguments: (arguments (string (string_fragment) @src))))) @dynamic
"""

IMPORT_CASES = r"""
import fs from "fs"; import * as cp from "node:child_process"; import { a as b } from './x';
const x = require("a"); const { readFileSync: r, writeFileSync } = require("fs"); let y = require('b\n2');
const z = require("c", "d"); const w = await import("e"); const v = import("f"); const u = await import(`g`);
const t = myrequire("h"); const s = require(name); const q = (await import("i")).default; require("j");
function f() { const p = require("k"); return async () => { const o = await import("l"); }; }
const n = require("m" /* c */); const [m1] = require("n"); const k = require.resolve("o"); const j = requires("p");
import "side-effect"; import esc from "a\\u0041b"; import type { T } from "t"; import d, { e } from 'z'; import "";
export { re } from "re-export"; import * as ns from `tpl`; import json from "./x.json" with { type: "json" };
const important = 1; // import c from "comment"
const str = "import s from 'string'"; import eq = require("eq"); export import alias = ns.x; obj.import("m");
const broken = require("q"
"""


@functools.cache
def _imports_reference(grammar: str) -> Query:
    return Query(language(grammar), IMPORTS_REFERENCE)


def test_import_bindings_equal_the_query():
    """The semantic model's import matches (query + hand-found require/import bindings)
    equal those of the three-pattern query, in the same order."""
    from reviewlens.analyzers.typescript.semantic import TsModule

    compared = 0
    sources = list(_sources_cached()) + [(f"imports{s}", IMPORT_CASES.encode()) for s in (".ts", ".tsx", ".js")]
    for path, source in sources:
        ctx = _ctx(source, path)
        expected = QueryCursor(_imports_reference(ctx.grammar)).matches(ctx.tree.root_node)
        got = TsModule(ctx)._import_matches

        def flat(matches):
            return [(p, sorted((k, [(n.start_byte, n.end_byte) for n in v]) for k, v in c.items())) for p, c in matches]

        assert flat(got) == flat(expected), path  # same order too: `imports` keeps the last binding
        compared += len(expected)
    assert compared > 20
