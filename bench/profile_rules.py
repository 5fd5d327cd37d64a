"""Where the time of a full-rule check goes: a per-rule cost table.

    python bench/profile_rules.py [--half python|typescript|both] [--cprofile N] [PATH ...]

One process, one core, warm (queries compiled and files read before timing), so the
figures are CPU cost, not wall time of the parallel CLI. It prints:

1. the in-process parse floor and the total of `check_source` over the same files;
2. engine phases (the rule prefilters among them) and, per rule, the files it ran on
   (those passing its prefilter) and the seconds spent in its constructor, `on_match`
   and `finish` (the engine's opt-in REVIEWLENS_PROFILE hook);
3. per rule, the cost of its tree-sitter query alone (compiled on its own and run over
   the same trees), next to the cost of the combined query the engine really runs;
4. with --cprofile N, the N most expensive functions by cumulative time.

Semantic models (ctx.py, ctx.ts, file roles) are built lazily by the first rule that
asks for them, so their cost lands on that rule's line.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

os.environ["REVIEWLENS_PROFILE"] = "1"  # before the engine is imported

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import corpus  # noqa: E402
from reviewlens.analyzers import engine, registry  # noqa: E402
from reviewlens.analyzers.config import ConfigResolver  # noqa: E402
from reviewlens.analyzers.languages import FAMILY_OF, grammar_for_path, language, parse  # noqa: E402
from reviewlens.analyzers.workspace import FileSystemWorkspace  # noqa: E402
from tree_sitter import Query, QueryCursor  # noqa: E402

SUFFIXES = {".py", ".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs"}


def load(paths: list[str], half: str) -> list[tuple[str, str, bytes]]:
    if paths:
        files = [p for d in paths for p in (Path(d).rglob("*") if Path(d).is_dir() else [Path(d)])
                 if p.is_file() and p.suffix in SUFFIXES]
    else:
        halves = ("python", "typescript") if half == "both" else (half,)
        corpus.ensure_apps() if half == "apps" else corpus.ensure()
        files = [p for h in halves for p in corpus.files(h)]
    out = []
    for p in sorted(files):
        grammar = grammar_for_path(p)
        if grammar is not None:
            out.append((str(p.resolve()), grammar, p.read_bytes()))
    return out


def timed_matches(query: Query, trees) -> float:
    start = time.perf_counter()
    for tree in trees:
        for _ in QueryCursor(query).matches(tree.root_node):
            pass
    return time.perf_counter() - start


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("paths", nargs="*")
    ap.add_argument("--half", choices=("python", "typescript", "both", "apps"), default="both",
                    help="apps: the FastAPI applications of corpus.APPS (fetched on first use)")
    ap.add_argument("--cprofile", type=int, default=0, metavar="N")
    args = ap.parse_args()

    # As in a batch worker (server/runner.py): no subset queries (see engine.SUBSET_AFTER).
    engine.SUBSET_AFTER = None
    files = load(args.paths, args.half)
    lines = sum(src.count(b"\n") for _, _, src in files)
    resolver = ConfigResolver()
    settings = {path: resolver.for_path(path) for path, _, _ in files}
    for grammar in {g for _, g, _ in files}:
        engine.combined_query(grammar)  # compile outside the timings

    start = time.perf_counter()
    trees = [(g, parse(src, g)) for _, g, src in files]
    parse_s = time.perf_counter() - start

    # Each pass gets a fresh workspace over the files' project, as a batch worker does
    # (project scans such as RL308's includers and the TS import graph are counted).
    if args.paths:
        roots = [os.path.abspath(p) for p in args.paths]
    else:
        roots = [str(corpus.APPS_CORPUS if args.half == "apps" else corpus.CORPUS)]

    def workspace() -> FileSystemWorkspace:
        return FileSystemWorkspace(roots, stable=True)

    # One warm-up pass so lazy imports and caches do not land on the first rule.
    warm = workspace()
    for path, _, src in files[:50]:
        engine.check_source(src, path, settings[path], workspace=warm)
    engine.PROFILE_TIMES.clear()

    profiler = None
    if args.cprofile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    ws = workspace()
    start = time.perf_counter()
    findings = 0
    for path, _, src in files:
        findings += len(engine.check_source(src, path, settings[path], workspace=ws).findings)
    total_s = time.perf_counter() - start
    if profiler is not None:
        profiler.disable()

    print(f"{len(files)} files, {lines} lines, {findings} findings; one core, warm")
    print(f"parse alone        {parse_s:7.3f}s")
    print(f"check_source total {total_s:7.3f}s  = {total_s / parse_s:.2f}x parse"
          + ("  (inflated by cProfile)" if profiler else ""))
    print()

    times = engine.PROFILE_TIMES
    phases = {k: v for k, v in times.items() if k.startswith("(")}
    rule_s = sum(v[0] for k, v in times.items() if not k.startswith("("))
    on_match_s = sum(v[0] for k, v in times.items() if k.endswith(":on_match"))
    print("engine phases (seconds, calls):")
    for key, (secs, calls) in sorted(phases.items(), key=lambda kv: -kv[1][0]):
        print(f"  {key:<22} {secs:7.3f}s {calls:7d}")
    if "(query+dispatch)" in phases:
        print(f"  {'(matching only)':<22} {phases['(query+dispatch)'][0] - on_match_s:7.3f}s"
              "  = query+dispatch minus every on_match")
    print(f"  {'(all rule code)':<22} {rule_s:7.3f}s  init + on_match + finish of every rule")
    print()

    per_rule: dict[str, dict[str, list]] = defaultdict(dict)
    for key, val in times.items():
        if key.startswith("("):
            continue
        name, hook = key.rsplit(":", 1)
        per_rule[name][hook] = val

    # Query cost of each rule alone, per grammar, over the same trees.
    by_grammar = defaultdict(list)
    for g, t in trees:
        by_grammar[g].append(t)
    query_s: dict[str, float] = defaultdict(float)
    combined_s = 0.0
    for g, ts in by_grammar.items():
        combined_s += timed_matches(engine.combined_query(g).query, ts)
        for rule in registry.for_language(FAMILY_OF[g]):
            if rule.query.strip():
                query_s[engine._profile_key(rule)] += timed_matches(Query(language(g), rule.query), ts)
    for name in query_s:
        per_rule.setdefault(name, {})

    def cost(name: str) -> float:
        return sum(v[0] for v in per_rule[name].values())

    header = f"{'rule':<42} {'files':>6} {'init':>7} {'on_match':>9} {'calls':>7} {'finish':>7} {'total':>7} {'%chk':>5} {'query*':>7}"
    print(header)
    print("-" * len(header))
    for name in sorted(per_rule, key=lambda n: -(cost(n) + query_s.get(n, 0.0))):
        hooks = per_rule[name]
        init, ran = hooks.get("init", [0.0, 0])
        om, calls = hooks.get("on_match", [0.0, 0])
        fin = hooks.get("finish", [0.0, 0])[0]
        tot = init + om + fin
        print(f"{name:<42} {ran:6d} {init:7.3f} {om:9.3f} {calls:7d} {fin:7.3f} {tot:7.3f} {100 * tot / total_s:5.1f} "
              f"{query_s.get(name, 0.0):7.3f}")
    print(f"* query: that rule's query alone over the same trees; the combined query of all "
          f"rules took {combined_s:.3f}s (sum of rules alone {sum(query_s.values()):.3f}s)")
    print(f"  files: of {len(files)}, those the rule ran on (its prefilter passed; "
          f"REVIEWLENS_NO_PREFILTER=1 runs every rule everywhere)")

    if profiler is not None:
        import pstats

        print()
        pstats.Stats(profiler, stream=sys.stdout).sort_stats(os.environ.get("PROFILE_SORT", "cumulative")).print_stats(args.cprofile)
    return 0


if __name__ == "__main__":
    sys.exit(main())
