"""The result cache: a second `reviewlens check` of an unchanged tree, against the cold run.

    python bench/cache_speed.py [--runs 3] [--json OUT]

On a scratch copy of the whole corpus (the corpus itself is never touched), with the
cache in a scratch folder: a cold run (empty cache), then a warm run of the unchanged
tree; both outputs must be identical. Then one Python and one TypeScript file change (a
debug print appended) and a third run must report exactly the old findings plus the two
new ones. Medians over --runs cold/warm pairs; target: warm < 10% of cold.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import corpus  # noqa: E402
from runenv import ENV, reviewlens_exe, use_compiled_bytecode  # noqa: E402


def run(cmd: list[str]) -> tuple[float, dict]:
    start = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True, env=ENV)
    elapsed = time.perf_counter() - start
    if out.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} exited {out.returncode}: {out.stderr[-2000:]}")
    return elapsed, json.loads(out.stdout)


def keyset(report: dict) -> list[tuple]:
    return sorted((f["path"], f["code"], json.dumps(f.get("range", f.get("location")), sort_keys=True), f["message"])
                  for f in report["findings"])


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()

    exe = reviewlens_exe()
    help_text = subprocess.run([exe, "check", "--help"], capture_output=True, text=True).stdout
    if "--cache-dir" not in help_text:
        print("reviewlens check has no --cache-dir option yet: the result cache is not wired into the CLI")
        return 1
    corpus.ensure()
    with tempfile.TemporaryDirectory(prefix="rl-cache-bench-") as tmp:
        use_compiled_bytecode(Path(tmp))
        tree = Path(tmp) / "corpus"
        shutil.copytree(corpus.CORPUS, tree)
        cache = Path(tmp) / "cache"
        cmd = [exe, "check", "--exit-zero", "--no-progress", "--output-format", "json", "--cache-dir", str(cache), str(tree)]
        cold, warm = [], []
        for _ in range(args.runs):
            shutil.rmtree(cache, ignore_errors=True)
            t_cold, first = run(cmd)
            t_warm, second = run(cmd)
            cold.append(t_cold)
            warm.append(t_warm)
            if keyset(first) != keyset(second):
                raise SystemExit("the warm run reported different findings than the cold run")
        files = first["summary"]["files_checked"]
        before = keyset(second)

        changed = [corpus.files("python")[0], corpus.files("typescript")[0]]
        targets = [tree / p.relative_to(corpus.CORPUS) for p in changed]
        with open(targets[0], "a") as fh:
            fh.write('\nprint("cache bench")\n')
        with open(targets[1], "a") as fh:
            fh.write('\nconsole.log("cache bench");\n')
        t_changed, third = run(cmd)
        after = keyset(third)
        added = [k for k in after if k not in before]
        lost = [k for k in before if k not in after]
        new_files = {Path(k[0]).name for k in added}
        ok = not lost and {t.name for t in targets} <= new_files and all(k[1] == "RL101" for k in added)

    c, w = statistics.median(cold), statistics.median(warm)
    print(f"{files} files; cold {c:.2f}s, warm (unchanged tree) {w:.3f}s = {100 * w / c:.1f}% of cold "
          f"(target < 10%); medians of {args.runs}")
    print(f"  runs: cold {', '.join(f'{t:.2f}' for t in cold)} s; warm {', '.join(f'{t:.3f}' for t in warm)} s")
    print(f"after changing 2 files: {t_changed:.2f}s, {len(added)} new finding(s) {sorted(k[1] for k in added)}, "
          f"{len(lost)} lost: {'correct' if ok else 'WRONG'}")
    if args.json:
        args.json.write_text(json.dumps({"files": files, "cold_s": c, "warm_s": w, "ratio": w / c,
                                         "changed_run_s": t_changed, "changed_correct": ok}, indent=2))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
