"""The engine: parse once, run one combined query per grammar, dispatch to rules."""

from __future__ import annotations

import functools
import os
from time import perf_counter

from tree_sitter import Node, Query, QueryCursor, Tree

from . import registry
from .anchors import MAX_SPANS, TooManySpans, compile_anchor, merge, ranged_matches
from .config import Settings
from .context import FileContext
from .languages import FAMILY_OF, grammar_for_path, language, parse
from .model import Finding
from .records import Record
from .rule import Rule
from .soundness import error_ranges, unsound
from .suppressions import Suppressions
from .workspace import Workspace


def _log_exception(message: str, *args: object) -> None:
    """Log the exception being handled. logging and traceback are imported here, on a
    rule's failure: at start-up they cost ~10 ms of every run's serial part."""
    import logging

    logging.getLogger("reviewlens").exception(message, *args)


def _traceback(limit: int) -> str:
    import traceback

    return traceback.format_exc(limit=limit)


# Opt-in per-rule timing (bench/profile_rules.py): REVIEWLENS_PROFILE=1 in the environment
# of the process makes check_source accumulate seconds and calls per rule and per phase in
# PROFILE_TIMES; off (the default) it costs one boolean test per match.
PROFILING = os.environ.get("REVIEWLENS_PROFILE", "") not in ("", "0")
# key -> [seconds, calls]; keys: "RL101 python/debug_print:on_match", "...:finish",
# "...:init", and engine phases "(parse)", "(query+dispatch)", "(suppressions)".
PROFILE_TIMES: dict[str, list] = {}
# Rule prefilters (Rule.requires) are on unless REVIEWLENS_NO_PREFILTER=1 is set; tests
# flip this flag to compare findings with and without them.
PREFILTER = os.environ.get("REVIEWLENS_NO_PREFILTER", "") in ("", "0")
# Anchored matching (analyzers/anchors.py) is on unless REVIEWLENS_NO_ANCHORS=1 is set.
ANCHORS = os.environ.get("REVIEWLENS_NO_ANCHORS", "") in ("", "0")


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


class CombinedQuery(Record):
    __slots__ = FIELDS = ("query", "owners", "prefetch_from", "prefetch_key", "prefetch_anchor")

    def __init__(self, query: Query, owners: list[tuple[type[Rule], int]], prefetch_from: int | None = None,
                 prefetch_key: str = "", prefetch_anchor: str | None = None) -> None:
        self.query = query
        # pattern index -> (rule class, pattern index local to that rule's query)
        self.owners = owners
        # Patterns from `prefetch_from` on are the semantic model's own query (imports,
        # bindings): matched in the same walk as the rules' and handed to the model through
        # ctx.cache[prefetch_key], so the model does not walk the tree again.
        self.prefetch_from = prefetch_from
        self.prefetch_key = prefetch_key
        self.prefetch_anchor = prefetch_anchor  # where the model's matches are (anchors.py)


def _prefetch_source(grammar: str) -> tuple[str, str, str | None]:
    """(ctx.cache key, query source, anchor) of the semantic model's query for this grammar."""
    if FAMILY_OF[grammar] == "python":
        # Nothing to prefetch: the Python model finds imports and bindings from their
        # spellings in the source (python/semantic.py), cheaper than matching them.
        return "", "", None
    from .typescript import semantic as ts_semantic

    return ts_semantic.IMPORTS_CACHE_KEY, ts_semantic._IMPORTS, ts_semantic.IMPORTS_ANCHOR


_COMBINED: dict[str, CombinedQuery] = {}  # grammar -> its combined query, once compiled


def combined_query(grammar: str) -> CombinedQuery:
    """All rules' patterns of one grammar in one Query (one pass of the C matcher)."""
    found = _COMBINED.get(grammar)
    if found is None:
        found = _COMBINED[grammar] = _build_query(grammar, registry.for_language(FAMILY_OF[grammar]))
    return found


def _build_query(grammar: str, rules: tuple[type[Rule], ...]) -> CombinedQuery:
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
    prefetch_key, prefetch_src, prefetch_anchor = _prefetch_source(grammar)
    prefetch_at = len(source.encode()) if prefetch_src else None
    try:
        query = Query(language(grammar), source + "\n" + prefetch_src if prefetch_src else source)
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
    prefetch_from = None
    for i in range(query.pattern_count):
        start = query.start_byte_for_pattern(i)
        if prefetch_at is not None and start >= prefetch_at and prefetch_from is None:
            prefetch_from = i
        for lo, hi, rule in spans:
            if lo <= start < hi:
                local = counters.get(rule, 0)
                counters[rule] = local + 1
                owners.append((rule, local))
                break
        else:  # the placeholder and the prefetch patterns: owned by no rule, never dispatched
            owners.append((Rule, 0))
    return CombinedQuery(query, owners, prefetch_from, prefetch_key, prefetch_anchor)


# Queries for the subsets of rules left after the prefilters. A file whose prefilters
# leave only some rules is matched with a query of just their patterns (the others'
# predicates cost time at every candidate node), once that subset has been seen
# SUBSET_AFTER times in the process: compiling costs a few milliseconds, which a subset
# seen once or twice never pays back. Until then the full query serves. None: never
# (a batch run: its short-lived workers spent more compiling subsets than they saved,
# 5-9% CPU on the benchmark corpus; the server, which re-checks the same documents,
# gains ~35% on a 17,000-line module).
SUBSET_AFTER: int | None = 16
_SUBSET_SEEN: dict[tuple[str, frozenset], int] = {}
_SUBSET_QUERIES: dict[tuple[str, frozenset], CombinedQuery] = {}
# Before the full query of a grammar is compiled in the process, the subsets met get
# their own query at once, as long as all of them together hold at most half of the
# grammar's rules; past that the full one is compiled. Compiling costs ~1.5 ms per
# pattern: a grammar met in a few files (the Python half's one `.js` file; the batch
# parent compiles only the grammars most files need) pays for the patterns of the rules
# its prefilters left (15 ms for that file's two) rather than for all (~25-45 ms per
# grammar), and a run that needs the full query anyway pays at most half more.
_SUBSET_RULES_MADE: dict[str, int] = {}
# Grammars whose full query is compiled at the first file that needs a query, with no
# subset before it: a batch worker is told the grammars of many files in its run (each
# would soon need the full query anyway; a subset first costs its compile on top).
FULL_FIRST: frozenset[str] = frozenset()


def query_for(grammar: str, active: frozenset[type[Rule]]) -> CombinedQuery:
    """The query to run for the rules in `active` (rules with a query only): the
    combined one, or a compiled query of just their patterns (while the combined one is
    not compiled yet, or once the subset recurs)."""
    key = (grammar, active)
    found = _SUBSET_QUERIES.get(key)
    if found is not None:
        return found
    if grammar not in _COMBINED and grammar not in FULL_FIRST:
        made = _SUBSET_RULES_MADE.get(grammar, 0) + len(active)
        if made <= len(_with_query(grammar)) // 2:
            _SUBSET_RULES_MADE[grammar] = made
            return _subset_query(grammar, active)
    full = combined_query(grammar)
    seen = _SUBSET_SEEN.get(key, 0) + 1
    _SUBSET_SEEN[key] = seen
    if SUBSET_AFTER is None or seen < SUBSET_AFTER:
        return full
    return _subset_query(grammar, active)


def _subset_query(grammar: str, active: frozenset[type[Rule]]) -> CombinedQuery:
    rules = tuple(r for r in registry.for_language(FAMILY_OF[grammar]) if r in active)
    found = _SUBSET_QUERIES[(grammar, active)] = _build_query(grammar, rules)
    return found


@functools.cache
def _rules_of(family: str) -> tuple[type[Rule], ...]:
    return registry.for_language(family)


# (family, enabled codes, exempt path, id of the options map) -> (options map, plan).
_PLANS: dict[tuple, tuple[dict, tuple]] = {}


def _plan(family: str, enabled: frozenset[str], exempt: bool, options: dict) -> tuple:
    """The rules to consider for a file, in registry order, each with its compiled
    prefilter and options: worked out once per settings, not once per file."""
    key = (family, enabled, exempt, id(options))
    found = _PLANS.get(key)
    if found is not None and found[0] is options:
        return found[1]
    plan = tuple(
        (rule_cls, rule_cls.prefilter(options.get(rule_cls.code)), options.get(rule_cls.code))
        for rule_cls in _rules_of(family)
        if rule_cls.code in enabled and not (rule_cls.exempt_paths and exempt)
    )
    if len(_PLANS) > 256:
        _PLANS.clear()
    _PLANS[key] = (options, plan)  # the map is held, so its id is not reused while cached
    return plan


@functools.cache
def _with_query(grammar: str) -> frozenset[type[Rule]]:
    """Every rule of the grammar that has a query (the full combined query's rules)."""
    return frozenset(r for r in registry.for_language(FAMILY_OF[grammar]) if r.query.strip())


def _prefetch(combined: CombinedQuery, matches: list, ctx: FileContext) -> None:
    """Hand the semantic model the captures of its patterns from the combined walk, in the
    form `QueryCursor.captures` would give them (capture name -> nodes in document order)."""
    base = combined.prefetch_from
    if base is None:
        return
    caps: dict[str, list[Node]] = {}
    own: list = []
    for pattern, captures in matches:
        if pattern >= base:
            own.append((pattern - base, captures))
            for name, nodes in captures.items():
                caps.setdefault(name, []).extend(nodes)
    for nodes in caps.values():
        nodes.sort(key=lambda n: n.start_byte)
    ctx.cache[combined.prefetch_key] = {"captures": caps, "matches": own}


def _anchor_ranges(
    instances: dict[type[Rule], Rule], with_query: frozenset[type[Rule]], combined: CombinedQuery, source: bytes, memo: dict
) -> list[tuple[int, int]] | None:
    """The byte ranges to match in (merged anchor occurrences of every rule run), or None
    to match the whole tree (some rule has no anchor)."""
    spans: list[tuple[int, int]] = []
    for rule_cls in with_query:
        try:
            found = instances[rule_cls].anchor_spans(memo)
        except TooManySpans:
            return None  # a dense file: walking its tree is cheaper
        except Exception:  # a rule bug: match the whole tree rather than miss anything
            _log_exception("anchors of rule %s failed", rule_cls.code)
            return None
        if found is None:
            return None
        spans.extend(found)
        if len(spans) > MAX_SPANS:
            return None
    if combined.prefetch_from is not None and spans:
        # The semantic model's own patterns ride along: they must see every match.
        prefetch = compile_anchor(combined.prefetch_anchor)
        if prefetch is None:
            return None
        try:
            spans.extend(prefetch.spans(source, memo))
        except TooManySpans:
            return None
    return merge(spans)


class CheckResult(Record):
    __slots__ = FIELDS = ("path", "grammar", "tree", "findings", "errors", "has_syntax_errors")

    def __init__(self, path: str, grammar: str | None, tree: Tree | None, findings: list[Finding],
                 errors: list[str] | None = None, has_syntax_errors: bool = False) -> None:
        self.path = path
        self.grammar = grammar
        self.tree = tree
        self.findings = findings
        self.errors = [] if errors is None else errors  # internal rule failures, never fatal
        self.has_syntax_errors = has_syntax_errors


def _sanitize_utf8(source: bytes) -> bytes:
    """Same-length copy of `source` with every invalid UTF-8 byte replaced by "?": query
    predicates decode node text and must not fail; offsets stay those of the original."""
    out = bytearray()
    i = 0
    n = len(source)
    while i < n:
        try:
            out += source[i:].decode("utf-8").encode("utf-8")
            break
        except UnicodeDecodeError as exc:
            out += source[i : i + exc.start]
            bad = max(exc.end - exc.start, 1)
            out += b"?" * bad
            i += exc.start + bad
    return bytes(out)


def _overlaps(ranges: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(start < hi and lo < end for lo, hi in ranges)


def _touches(ranges: list[tuple[int, int]], fix) -> bool:
    return any(_overlaps(ranges, e.start, max(e.end, e.start + 1)) for e in fix.edits)


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
    prefilter: bool = True,
) -> CheckResult:
    """Check one source. `tree` may be a fresh (incrementally re-)parsed tree of `source`.

    `prefilter=False` runs every enabled rule without its text prefilter: for a tree of a
    small region of a large source (the server's region re-check), where the prefilters'
    scans of the whole text cost more than the tiny tree's query they could skip."""
    settings = settings or Settings()
    grammar = grammar_for_path(path, language_id)
    if grammar is None:
        return CheckResult(path, None, None, [])
    rel = rel_path if rel_path is not None else settings.relative(path)
    invalid_utf8 = False
    try:
        source.decode("utf-8")
    except UnicodeDecodeError:
        invalid_utf8 = True
        source = _sanitize_utf8(source)
        tree = None  # a tree of the raw bytes could carry undecodable node text
    # No tree given: the context parses on first use, and a file in which no rule finds
    # anything to look at from its text alone is never parsed.
    ctx = FileContext(path, source, tree, grammar, settings, rel, workspace)
    if PROFILING and tree is None:
        ctx.parse_hook = _accounted_parse
    result = CheckResult(path, grammar, None, ctx.findings)
    try:
        _run_rules(ctx, result, settings, only, prefilter, invalid_utf8)
    finally:
        if ctx.parsed:
            result.tree = ctx.tree
            result.has_syntax_errors = ctx.tree.root_node.has_error
        ctx.release()
    return result


def _accounted_parse(source: bytes, grammar: str) -> Tree:
    t0 = perf_counter()
    tree = parse(source, grammar)
    _account("(parse)", t0)
    return tree


def _run_rules(
    ctx: FileContext, result: CheckResult, settings: Settings, only: frozenset[str] | None, prefilter: bool, invalid_utf8: bool
) -> None:
    path, source, grammar, rel = ctx.path, ctx.source, ctx.grammar, ctx.rel_path

    enabled = settings.enabled_codes(rel, registry.all_codes(), registry.code_names())
    if only is not None:
        enabled &= only
    if not enabled:
        return
    instances: dict[type[Rule], Rule] = {}
    memo: dict = {}  # the prefilters' literal positions and term results in this source
    use_prefilters = PREFILTER and prefilter
    for rule_cls, compiled, opts in _plan(ctx.family, enabled, ctx.is_exempt_path, settings.options_map):
        if use_prefilters and compiled is not None:
            if PROFILING:
                t0 = perf_counter()
                passed = compiled.matches(source, memo)
                _account("(prefilter)", t0)
            else:
                passed = compiled.matches(source, memo)
            if not passed:
                continue
        if PROFILING:
            t0 = perf_counter()
            instances[rule_cls] = rule_cls(ctx, opts)
            _account(_profile_key(rule_cls) + ":init", t0)
        else:
            instances[rule_cls] = rule_cls(ctx, opts)
    if not instances:
        return

    if PROFILING:
        t_query = perf_counter()
    with_query = frozenset(r for r in instances if r.query.strip())
    if not with_query:
        # Only rules without a query are left: nothing to match (a semantic model a
        # rule asks for runs its own scan).
        matches = []
    else:
        combined = combined_query(grammar) if with_query == _with_query(grammar) else query_for(grammar, with_query)
        # A region re-check (prefilter=False) has a tiny tree: walking it all is cheaper
        # than finding the anchors in the whole text.
        ranges = _anchor_ranges(instances, with_query, combined, source, memo) if ANCHORS and prefilter else None
        if ranges is None:
            matches = QueryCursor(combined.query).matches(ctx.tree.root_node)
            _prefetch(combined, matches, ctx)
        elif ranges:
            matches = ranged_matches(combined.query, ctx.tree.root_node, ranges)
            _prefetch(combined, matches, ctx)
        else:
            matches = []  # no anchor in the file (the semantic model runs its own query)
    owners = combined.owners if matches else ()
    errors = error_ranges(ctx.tree) if matches else []
    for pattern, captures in matches:
        rule_cls, local = owners[pattern]
        rule = instances.get(rule_cls)
        if rule is None:
            continue
        if errors and unsound(captures):
            continue
        try:
            if PROFILING:
                t0 = perf_counter()
                rule.on_match(captures, local)
                _account(_profile_key(rule_cls) + ":on_match", t0)
            else:
                rule.on_match(captures, local)
        except Exception:  # a rule bug must never take the run down
            result.errors.append(f"{rule_cls.code} crashed on {path}: {_traceback(4)}")
            _log_exception("rule %s crashed on %s", rule_cls.code, path)
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
            result.errors.append(f"{rule_cls.code} crashed on {path}: {_traceback(4)}")
            _log_exception("rule %s crashed on %s", rule_cls.code, path)

    findings = ctx.findings
    if findings and not matches:
        errors = error_ranges(ctx.tree)  # findings from the text alone: fixes still need it
    if invalid_utf8:
        for f in findings:
            if f.fix is not None and any("?" in e.text for e in f.fix.edits):
                f.fix = None
            f.alternatives = tuple(a for a in f.alternatives if not any("?" in e.text for e in a.edits))
    if errors:
        for f in findings:
            # Never offer an edit that touches code the parser could not make sense of.
            if f.fix is not None and _touches(errors, f.fix):
                f.fix = None
            if f.alternatives:
                f.alternatives = tuple(a for a in f.alternatives if not _touches(errors, a))
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
