"""The engine: parse once, run one combined query per grammar, dispatch to rules."""

from __future__ import annotations

import functools
import logging
import os
import traceback
from time import perf_counter
from dataclasses import dataclass, field

from tree_sitter import Node, Query, QueryCursor, Tree

from . import registry
from .config import Settings
from .context import FileContext
from .languages import FAMILY_OF, GRAMMARS_OF, grammar_for_path, language, parse
from .model import Finding
from .rule import Rule
from .suppressions import Suppressions
from .workspace import Workspace

log = logging.getLogger("reviewlens")

# Opt-in per-rule timing (bench/profile_rules.py): REVIEWLENS_PROFILE=1 in the environment
# of the process makes check_source accumulate seconds and calls per rule and per phase in
# PROFILE_TIMES; off (the default) it costs one boolean test per match.
PROFILING = os.environ.get("REVIEWLENS_PROFILE", "") not in ("", "0")
# key -> [seconds, calls]; keys: "RL101 python/debug_print:on_match", "...:finish",
# "...:init", and engine phases "(parse)", "(query+dispatch)", "(suppressions)".
PROFILE_TIMES: dict[str, list] = {}


def _account(key: str, start: float) -> None:
    slot = PROFILE_TIMES.get(key)
    if slot is None:
        slot = PROFILE_TIMES[key] = [0.0, 0]
    slot[0] += perf_counter() - start
    slot[1] += 1


@functools.cache
def _profile_key(rule_cls: type[Rule]) -> str:
    module = rule_cls.__module__.rsplit(".rules.", 1)[-1].replace(".", "/")
    return f"{rule_cls.code} {module}"


@dataclass
class CombinedQuery:
    query: Query
    # pattern index -> (rule class, pattern index local to that rule's query)
    owners: list[tuple[type[Rule], int]]


@functools.cache
def combined_query(grammar: str) -> CombinedQuery:
    """All rules' patterns of one grammar in one Query (one pass of the C matcher)."""
    rules = registry.for_language(FAMILY_OF[grammar])
    parts: list[str] = []
    spans: list[tuple[int, int, type[Rule]]] = []
    offset = 0
    for rule in rules:
        src = rule.query.strip()
        if not src:
            continue
        src += "\n"
        spans.append((offset, offset + len(src.encode()), rule))
        parts.append(src)
        offset += len(src.encode())
    source = "".join(parts) or "(ERROR) @_never_"
    try:
        query = Query(language(grammar), source)
    except Exception as exc:  # find the culprit for a useful message
        for rule in rules:
            if rule.query.strip():
                try:
                    Query(language(grammar), rule.query)
                except Exception as inner:
                    raise RuntimeError(f"{rule.code} ({rule.__module__}) query fails on {grammar}: {inner}") from inner
        raise RuntimeError(f"combined {grammar} query fails: {exc}") from exc
    owners: list[tuple[type[Rule], int]] = []
    counters: dict[type[Rule], int] = {}
    for i in range(query.pattern_count):
        start = query.start_byte_for_pattern(i)
        for lo, hi, rule in spans:
            if lo <= start < hi:
                local = counters.get(rule, 0)
                counters[rule] = local + 1
                owners.append((rule, local))
                break
        else:  # pragma: no cover - the placeholder pattern
            owners.append((Rule, 0))
    return CombinedQuery(query, owners)


@dataclass
class CheckResult:
    path: str
    grammar: str | None
    tree: Tree | None
    findings: list[Finding]
    errors: list[str] = field(default_factory=list)  # internal rule failures, never fatal
    has_syntax_errors: bool = False


def _error_ranges(tree: Tree) -> list[tuple[int, int]]:
    if not tree.root_node.has_error:
        return []
    q = _error_query(tree.language)
    ranges = []
    for node in QueryCursor(q).captures(tree.root_node).get("e", []):
        ranges.append((node.start_byte, node.end_byte))
    # MISSING nodes are zero-width and not matched by (ERROR); find them by walking
    # only the subtrees that contain errors.
    stack = [tree.root_node]
    while stack:
        n = stack.pop()
        if n.is_missing:
            ranges.append((max(n.start_byte - 1, 0), n.end_byte + 1))
        elif n.has_error:
            stack.extend(n.children)
    return ranges


@functools.cache
def _error_query(lang) -> Query:
    return Query(lang, "(ERROR) @e")


def _inside(ranges: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(lo <= start and end <= hi for lo, hi in ranges)


def _overlaps(ranges: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(start < hi and lo < end for lo, hi in ranges)


def _first_node(captures: dict[str, list[Node]]) -> Node | None:
    best = None
    for nodes in captures.values():
        for n in nodes:
            if best is None or n.start_byte < best.start_byte or (
                n.start_byte == best.start_byte and n.end_byte > best.end_byte
            ):
                best = n
    return best


def check_source(
    source: bytes,
    path: str,
    settings: Settings | None = None,
    *,
    tree: Tree | None = None,
    language_id: str | None = None,
    workspace: Workspace | None = None,
    rel_path: str | None = None,
    only: frozenset[str] | None = None,
) -> CheckResult:
    """Check one source. `tree` may be a fresh (incrementally re-)parsed tree of `source`."""
    settings = settings or Settings()
    grammar = grammar_for_path(path, language_id)
    if grammar is None:
        return CheckResult(path, None, None, [])
    rel = rel_path if rel_path is not None else settings.relative(path)
    if tree is None:
        if PROFILING:
            t0 = perf_counter()
            tree = parse(source, grammar)
            _account("(parse)", t0)
        else:
            tree = parse(source, grammar)
    ctx = FileContext(path, source, tree, grammar, settings, rel, workspace)
    result = CheckResult(path, grammar, tree, ctx.findings, has_syntax_errors=tree.root_node.has_error)

    enabled = settings.enabled_codes(rel, registry.all_codes(), registry.code_names())
    if only is not None:
        enabled &= only
    if not enabled:
        return result
    options = settings.options_map
    instances: dict[type[Rule], Rule] = {}
    for rule_cls in registry.for_language(ctx.family):
        if rule_cls.code not in enabled:
            continue
        if rule_cls.exempt_paths and ctx.is_exempt_path:
            continue
        if PROFILING:
            t0 = perf_counter()
            instances[rule_cls] = rule_cls(ctx, options.get(rule_cls.code))
            _account(_profile_key(rule_cls) + ":init", t0)
        else:
            instances[rule_cls] = rule_cls(ctx, options.get(rule_cls.code))
    if not instances:
        return result

    errors = _error_ranges(tree)
    combined = combined_query(grammar)
    owners = combined.owners
    if PROFILING:
        t_query = perf_counter()
    for pattern, captures in QueryCursor(combined.query).matches(tree.root_node):
        rule_cls, local = owners[pattern]
        rule = instances.get(rule_cls)
        if rule is None:
            continue
        if errors:
            first = _first_node(captures)
            if first is not None and _inside(errors, first.start_byte, first.end_byte):
                continue
        try:
            if PROFILING:
                t0 = perf_counter()
                rule.on_match(captures, local)
                _account(_profile_key(rule_cls) + ":on_match", t0)
            else:
                rule.on_match(captures, local)
        except Exception:  # a rule bug must never take the run down
            result.errors.append(f"{rule_cls.code} crashed on {path}: {traceback.format_exc(limit=4)}")
            log.exception("rule %s crashed on %s", rule_cls.code, path)
    if PROFILING:
        _account("(query+dispatch)", t_query)
    for rule_cls, rule in instances.items():
        try:
            if PROFILING:
                t0 = perf_counter()
                rule.finish()
                _account(_profile_key(rule_cls) + ":finish", t0)
            else:
                rule.finish()
        except Exception:
            result.errors.append(f"{rule_cls.code} crashed on {path}: {traceback.format_exc(limit=4)}")
            log.exception("rule %s crashed on %s", rule_cls.code, path)

    findings = ctx.findings
    if errors:
        for f in findings:
            # Never offer an edit that touches code the parser could not make sense of.
            if f.fix is not None and any(_overlaps(errors, e.start, max(e.end, e.start + 1)) for e in f.fix.edits):
                f.fix = None
    if findings:
        if PROFILING:
            t0 = perf_counter()
        sup = Suppressions.of(ctx)
        if PROFILING:
            _account("(suppressions)", t0)
        findings[:] = [f for f in findings if not sup.suppressed(f, ctx.lines)]
        overrides = settings.severity_map
        if overrides:
            for f in findings:
                f.severity = overrides.get(f.code, f.severity)
        findings.sort(key=Finding.sort_key)
        # One finding per code and range: two patterns may match the same node.
        deduped: list[Finding] = []
        seen: set[tuple] = set()
        for f in findings:
            key = (f.code, f.start, f.end)
            if key not in seen:
                seen.add(key)
                deduped.append(f)
        findings[:] = deduped
    return result
