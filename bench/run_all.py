"""Every benchmark in one command: the figures bench/README.md records.

    python bench/run_all.py [--quick] [--out bench/.cache/results]

1. fetches the pinned corpus and the pinned peers (cached in bench/.corpus, bench/.cache);
2. batch speed and peak RSS against ruff, ESLint, ast-grep, semgrep and the parse floor
   (bench/batch.py), every peer first proven to report findings on a sample;
3. the result cache: a cold run, then a second run of the unchanged tree (bench/cache_speed.py);
4. language-server memory with 200 open documents (bench/lsp_memory.py);
5. language-server latency against `ruff server` (bench/lsp_latency.py).

Each step prints its own table; the JSON of every step lands in --out.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def step(title: str, cmd: list[str]) -> int:
    print(f"\n=== {title} ===", flush=True)
    start = time.perf_counter()
    code = subprocess.call(cmd)
    print(f"--- {title}: exit {code}, {time.perf_counter() - start:.0f}s", flush=True)
    return code


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="fewer runs (a smoke test of the suite)")
    ap.add_argument("--out", type=Path, default=HERE / ".cache" / "results")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    py = sys.executable
    runs = ["--runs", "1", "--slow-runs", "1"] if args.quick else ["--runs", "11", "--slow-runs", "3"]
    failures = 0
    failures += step("corpus", [py, str(HERE / "corpus.py")]) != 0
    failures += step("peers", [py, str(HERE / "peers.py")]) != 0
    failures += step("batch speed", [py, str(HERE / "batch.py"), *runs, "--json", str(args.out / "batch.json")]) != 0
    failures += step("result cache", [py, str(HERE / "cache_speed.py"), "--runs", "1" if args.quick else "3",
                                      "--json", str(args.out / "cache.json")]) != 0
    failures += step("LSP memory", [py, str(HERE / "lsp_memory.py"), "--json", str(args.out / "lsp_memory.json")]) != 0
    latency = HERE / "lsp_latency.py"
    if latency.exists():
        extra = ["--edits", "10", "--startup-runs", "3"] if args.quick else []
        failures += step("LSP latency", [py, str(latency), *extra, "--json", str(args.out / "lsp_latency.json")]) != 0
    print("\n=== summary (markdown, as in bench/README.md) ===\n", flush=True)
    subprocess.call([py, str(HERE / "report.py"), str(args.out)])
    print(f"\n{failures} step(s) failed" if failures else "\nall steps done")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
