"""Batch speed, side by side: reviewlens vs ruff, ESLint, ast-grep and semgrep on the
same pinned corpus, plus the floor (tree-sitter parsing alone), in one run.

    python bench/batch.py [--runs 5] [--json results.json]

Every tool runs cold (no cache) on the same cores; each figure is the median of
`--runs` runs; ratios are against reviewlens in the same run. Peak RSS comes from
wait4() of each run.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import corpus  # noqa: E402
import peers  # noqa: E402

RUFF_SELECT = "T201,ASYNC,S105,S106,E722,B904"


def timed(cmd: list[str], cwd: Path | None = None, env: dict | None = None) -> tuple[float, int, int]:
    """(seconds, peak RSS in MiB, exit code) of one run."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    stderr = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        raise RuntimeError(f"{cmd[0]} exited {code}: {stderr[-2000:]}")
    return elapsed, usage.ru_maxrss // 1024, code


def clear_caches(root: Path) -> None:
    for name in (".reviewlens_cache", ".ruff_cache"):
        for p in root.rglob(name):
            shutil.rmtree(p, ignore_errors=True)


def reviewlens_cmd(target: Path) -> list[str]:
    exe = shutil.which("reviewlens") or "reviewlens"
    cmd = [exe, "check", "--exit-zero", "--output-format", "json", "--no-progress", str(target)]
    help_text = subprocess.run([exe, "check", "--help"], capture_output=True, text=True).stdout
    if "--no-cache" in help_text:
        cmd.insert(2, "--no-cache")
    return cmd


def tools(py: Path, ts: Path, everything: Path) -> list[tuple[str, str, list[str], Path | None]]:
    env_semgrep = [str(peers.bin_path("semgrep")), "scan", "--config", str(HERE / "peers" / "semgrep-rules.yml"),
                   "--metrics=off", "--disable-version-check", "--no-git-ignore", "-j", str(os.cpu_count() or 1),
                   "--json", "-q"]
    return [
        # (half, tool, command, cwd)
        ("python", "reviewlens", reviewlens_cmd(py), None),
        ("python", "parse-only floor", [sys.executable, str(HERE / "parse_only.py"), str(py)], None),
        ("python", "ruff", [str(peers.bin_path("ruff")), "check", "--isolated", "--no-cache", "--exit-zero",
                            "--select", RUFF_SELECT, "--output-format", "concise", str(py)], None),
        ("python", "semgrep", [*env_semgrep, str(py)], None),
        ("typescript", "reviewlens", reviewlens_cmd(ts), None),
        ("typescript", "parse-only floor", [sys.executable, str(HERE / "parse_only.py"), str(ts)], None),
        ("typescript", "eslint", [str(peers.bin_path("eslint")), "-c", str(peers.NODE / "eslint.config.mjs"),
                                  "--no-warn-ignored", "-f", "json", "."], ts),
        ("typescript", "ast-grep", [str(peers.bin_path("ast-grep")), "scan", "-c", str(HERE / "peers" / "sgconfig.yml"),
                                    "--json=compact", str(ts)], None),
        ("typescript", "semgrep", [*env_semgrep, str(ts)], None),
        ("both", "reviewlens", reviewlens_cmd(everything), None),
        ("both", "parse-only floor", [sys.executable, str(HERE / "parse_only.py"), str(everything)], None),
    ]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--slow-runs", type=int, default=3, help="runs for ESLint and semgrep")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()

    counts = corpus.ensure()
    peers.ensure()
    py, ts, everything = corpus.CORPUS / "python", corpus.CORPUS / "typescript", corpus.CORPUS
    results: dict[tuple[str, str], dict] = {}
    for half, tool, cmd, cwd in tools(py, ts, everything):
        runs = args.slow_runs if tool in ("eslint", "semgrep") else args.runs
        times, rss = [], []
        for _ in range(runs):
            clear_caches(everything)
            t, mem, _ = timed(cmd, cwd)
            times.append(t)
            rss.append(mem)
        results[(half, tool)] = {"median_s": statistics.median(times), "min_s": min(times), "runs": runs, "peak_rss_mib": max(rss)}
        print(f"{half:>10} {tool:>17}: median {statistics.median(times):7.2f}s  peak RSS {max(rss):5d} MiB", flush=True)

    print()
    print(f"corpus: python {counts['python']} lines, typescript {counts['typescript']} lines; cores: {os.cpu_count()}")
    for k, v in peers.versions().items():
        print(f"  {k}: {v}")
    print()
    print("ratios (peer time / reviewlens time; >1 means reviewlens is faster):")
    for (half, tool), r in results.items():
        if tool == "reviewlens":
            continue
        mine = results[(half, "reviewlens")]["median_s"]
        if tool == "parse-only floor":
            print(f"  {half:>10}: reviewlens / parse-only floor = {mine / r['median_s']:.2f}x (target <= 1.5x)")
        else:
            print(f"  {half:>10}: {tool:>8} / reviewlens = {r['median_s'] / mine:.2f}x")
    if args.json:
        args.json.write_text(json.dumps({f"{h}/{t}": v for (h, t), v in results.items()}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
