"""Batch speed, side by side: reviewlens vs ruff, ESLint, ast-grep and semgrep on the
same pinned corpus, plus the floor (tree-sitter parsing alone), in one run.

    python bench/batch.py [--runs 5] [--slow-runs 3] [--json results.json]

Every tool runs cold (no cache) on the same cores. Runs are interleaved (run 1 of every
tool, then run 2 ...) so a load change on a shared machine hits every tool alike; each
figure is the median of its runs; ratios are against reviewlens in the same run. For
each run wait4() gives wall time, CPU time (user + system, the process and the children
it reaped) and peak RSS (of the largest single process of the tree, not the sum).

Before timing, every peer is run on a small sample that must make each of its rules fire
(so no tool is measured doing nothing), and every timed run's own output is counted:
files it checked and findings per rule are printed next to the times.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import corpus  # noqa: E402
import peers  # noqa: E402
from runenv import ENV, reviewlens_exe, use_compiled_bytecode  # noqa: E402

RUFF_SELECT = "T201,ASYNC,S105,S106,E722,B904"


@dataclass
class Outcome:
    files: int | None
    findings: Counter


@dataclass
class Tool:
    half: str
    name: str
    cmd: list[str]
    cwd: Path | None = None
    env: dict[str, str] | None = None  # None: this process' environment
    count: Callable[[str, str], Outcome] | None = None  # (stdout, stderr) -> Outcome
    slow: bool = False
    times: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    rss: list[int] = field(default_factory=list)
    outcome: Outcome | None = None


def timed(cmd: list[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> tuple[float, float, int, str, str]:
    """(wall seconds, CPU seconds, peak RSS MiB, stdout, stderr) of one run."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode(errors="replace")
        stderr = err.read().decode(errors="replace")
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"{' '.join(cmd[:3])} ... exited {proc.returncode}: {stderr[-2000:]}")
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss // 1024, stdout, stderr


def clear_caches(root: Path) -> None:
    for name in (".reviewlens_cache", ".ruff_cache"):
        for p in root.rglob(name):
            shutil.rmtree(p, ignore_errors=True)


# --- output counters: what each tool says it did ------------------------------------------
def count_reviewlens(stdout: str, _: str) -> Outcome:
    data = json.loads(stdout)
    return Outcome(data["summary"]["files_checked"], Counter(f["code"] for f in data["findings"]))


def count_ruff(stdout: str, _: str) -> Outcome:
    data = json.loads(stdout)
    return Outcome(None, Counter(f["code"] for f in data))


def count_eslint(stdout: str, _: str) -> Outcome:
    data = json.loads(stdout)
    return Outcome(len(data), Counter(m.get("ruleId") or "parse-error" for f in data for m in f["messages"]))


def count_astgrep(stdout: str, stderr: str) -> Outcome:
    m = re.search(r"scannedFileCount=(\d+)", stderr)
    return Outcome(int(m.group(1)) if m else None,
                   Counter(f["ruleId"].removesuffix("-tsx") for f in json.loads(stdout)))


def count_semgrep(stdout: str, _: str) -> Outcome:
    data = json.loads(stdout)
    return Outcome(len(data["paths"]["scanned"]),
                   Counter(r["check_id"].rsplit(".", 1)[-1] for r in data["results"]))


def count_floor(_: str, stderr: str) -> Outcome:
    m = re.search(r"parsed (\d+) files", stderr)
    return Outcome(int(m.group(1)) if m else None, Counter())


# --- commands -------------------------------------------------------------------------------
def reviewlens_cmd(target: Path) -> list[str]:
    exe = reviewlens_exe()
    cmd = [exe, "check", "--exit-zero", "--output-format", "json", "--no-progress", str(target)]
    help_text = subprocess.run([exe, "check", "--help"], capture_output=True, text=True).stdout
    if "--no-cache" in help_text:
        cmd.insert(2, "--no-cache")
    return cmd


def ruff_cmd(target: Path) -> list[str]:
    return [str(peers.bin_path("ruff")), "check", "--isolated", "--no-cache", "--exit-zero",
            "--select", RUFF_SELECT, "--output-format", "json", str(target)]


def eslint_cmd() -> list[str]:
    # --no-inline-config: the corpus' own eslint-disable comments name plugins we do not load.
    return [str(peers.bin_path("eslint")), "-c", str(peers.NODE / "eslint.config.mjs"),
            "--no-warn-ignored", "--no-inline-config", "-f", "json", "."]


def astgrep_cmd(target: Path) -> list[str]:
    return [str(peers.bin_path("ast-grep")), "scan", "-c", str(HERE / "peers" / "sgconfig.yml"),
            "--inspect", "summary", "--json=compact", str(target)]


def semgrep_cmd(target: Path, project_root: Path) -> list[str]:
    # --project-root: use the corpus' empty .semgrepignore, not semgrep's default one that
    # skips tests/ folders (a third of the corpus).
    return [str(peers.bin_path("semgrep")), "scan", "--config", str(HERE / "peers" / "semgrep-rules.yml"),
            "--metrics=off", "--disable-version-check", "--no-git-ignore", "--project-root", str(project_root),
            "-j", str(os.cpu_count() or 1), "--json", "-q", str(target)]


def floor_cmd(target: Path) -> list[str]:
    return [sys.executable, str(HERE / "parse_only.py"), str(target)]


def tools(py: Path, ts: Path, everything: Path) -> list[Tool]:
    return [
        Tool("python", "reviewlens", reviewlens_cmd(py), env=ENV, count=count_reviewlens),
        Tool("python", "parse-only floor", floor_cmd(py), env=ENV, count=count_floor),
        Tool("python", "ruff", ruff_cmd(py), count=count_ruff),
        Tool("python", "semgrep", semgrep_cmd(py, everything), count=count_semgrep, slow=True),
        Tool("typescript", "reviewlens", reviewlens_cmd(ts), env=ENV, count=count_reviewlens),
        Tool("typescript", "parse-only floor", floor_cmd(ts), env=ENV, count=count_floor),
        Tool("typescript", "eslint", eslint_cmd(), cwd=ts, count=count_eslint, slow=True),
        Tool("typescript", "ast-grep", astgrep_cmd(ts), count=count_astgrep),
        Tool("typescript", "semgrep", semgrep_cmd(ts, everything), count=count_semgrep, slow=True),
        Tool("both", "reviewlens", reviewlens_cmd(everything), env=ENV, count=count_reviewlens),
        Tool("both", "parse-only floor", floor_cmd(everything), env=ENV, count=count_floor),
    ]


# --- the sanity check: every peer's rules fire on a sample --------------------------------
SAMPLE_PY = '''\
import asyncio
import time

import requests

password = "hunter2-but-longer"
API_TOKEN = "abc123abc123abc123"


def login(user):
    print("logging in", user)
    try:
        return requests.post("https://example.com", auth=(user, password), timeout=5)
    except:
        return None


def parse(raw):
    try:
        return int(raw)
    except ValueError as exc:
        raise RuntimeError("bad number")


async def handler():
    time.sleep(1)
    await asyncio.sleep(0)
'''

SAMPLE_TS = '''\
import fs from "fs";

export async function load(path: string) {
  console.log("loading", path);
  return fs.readFileSync(path, "utf8");
}

export function save(token: string) {
  localStorage.setItem("authToken", token);
  try {
    JSON.parse(token);
  } catch (e) {}
}
'''

SAMPLE_TSX = '''\
import fs from "fs";

export async function Page() {
  console.log("render");
  const data = fs.readFileSync("data.json", "utf8");
  localStorage.setItem("authToken", data);
  try {
    JSON.parse(data);
  } catch {}
  return <div>{data}</div>;
}
'''

# tool -> rules that must fire on the sample (ids as the counters above report them)
EXPECTED = {
    ("python", "ruff"): {"T201", "S105", "E722", "B904", "ASYNC251"},
    ("python", "semgrep"): {"debug-print", "blocking-sleep-in-async", "hardcoded-secret", "bare-except",
                            "raise-without-from"},
    ("typescript", "eslint"): {"no-console", "no-empty"},
    ("typescript", "ast-grep"): {"debug-console", "empty-catch", "blocking-sync-in-async", "token-in-localstorage"},
    ("typescript", "semgrep"): {"debug-console", "token-in-localstorage", "empty-catch"},
}


def sanity_check() -> None:
    """Run each peer on a tiny sample where each of its rules must fire; raise if one does not."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "python").mkdir()
        (root / "typescript").mkdir()
        (root / "python" / "app.py").write_text(SAMPLE_PY)
        (root / "typescript" / "store.ts").write_text(SAMPLE_TS)
        (root / "typescript" / "page.tsx").write_text(SAMPLE_TSX)
        (root / ".semgrepignore").write_text("\n")
        problems = []
        for tool in tools(root / "python", root / "typescript", root):
            if tool.name in ("parse-only floor",):
                continue
            cwd = root / "typescript" if tool.name == "eslint" else None
            _, _, _, out, err = timed(tool.cmd, cwd, tool.env)
            got = tool.count(out, err)
            want = EXPECTED.get((tool.half, tool.name), set())
            missing = want - set(got.findings)
            ok = "ok" if not missing else f"MISSING {sorted(missing)}"
            print(f"  sample {tool.half:>10} {tool.name:>10}: {dict(sorted(got.findings.items()))} {ok}")
            if missing:
                problems.append(f"{tool.name} ({tool.half}): rules did not fire: {sorted(missing)}")
            if tool.name == "ast-grep" and got.files != 2:
                problems.append(f"ast-grep scanned {got.files} of 2 sample files")
            if tool.name == "reviewlens" and tool.half != "both" and not got.findings:
                problems.append(f"reviewlens ({tool.half}) found nothing in the sample")
        if problems:
            raise SystemExit("peer sanity check failed:\n  " + "\n  ".join(problems))


def ruff_file_count(py: Path) -> int:
    out = subprocess.run([str(peers.bin_path("ruff")), "check", "--isolated", "--show-files", str(py)],
                         capture_output=True, text=True).stdout
    return sum(1 for line in out.splitlines() if line.strip().endswith((".py", ".pyi")))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=11, help="runs for the fast tools (medians: this machine is shared and noisy)")
    ap.add_argument("--slow-runs", type=int, default=3, help="runs for ESLint and semgrep")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--only", help="comma-separated tool names to time (e.g. reviewlens,parse-only floor)")
    args = ap.parse_args()

    counts = corpus.ensure()
    peers.ensure()
    scratch = tempfile.TemporaryDirectory(prefix="rl-batch-")
    use_compiled_bytecode(Path(scratch.name))  # ENV: for reviewlens and the floor only
    print("peer sanity check (each rule must fire on a sample):", flush=True)
    sanity_check()
    py, ts, everything = corpus.CORPUS / "python", corpus.CORPUS / "typescript", corpus.CORPUS
    selected = [t for t in tools(py, ts, everything)
                if not args.only or t.name in {s.strip() for s in args.only.split(",")}]
    for i in range(max(args.runs, args.slow_runs)):
        for tool in selected:
            if i >= (args.slow_runs if tool.slow else args.runs):
                continue
            clear_caches(everything)
            wall, cpu, rss, out, err = timed(tool.cmd, tool.cwd, tool.env)
            tool.times.append(wall)
            tool.cpu.append(cpu)
            tool.rss.append(rss)
            if tool.outcome is None:
                tool.outcome = tool.count(out, err)
                if tool.name == "ruff":
                    tool.outcome.files = ruff_file_count(py)
            print(f"  run {i + 1}: {tool.half:>10} {tool.name:>17} {wall:7.2f}s wall {cpu:7.2f}s cpu {rss:5d} MiB",
                  flush=True)

    print()
    print(f"corpus: python {counts['python']} lines, typescript {counts['typescript']} lines; "
          f"cores: {os.cpu_count()}; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    for k, v in peers.versions().items():
        print(f"  {k}: {v}")
    print()
    print(f"{'half':>10} {'tool':>17} {'wall':>8} {'cpu':>8} {'RSS MiB':>8} {'files':>6} {'findings':>8}  by rule")
    results = {}
    for t in selected:
        o = t.outcome
        row = {"median_s": statistics.median(t.times), "min_s": min(t.times), "median_cpu_s": statistics.median(t.cpu),
               "runs": len(t.times), "peak_rss_mib": max(t.rss), "files": o.files,
               "findings": sum(o.findings.values()), "by_rule": dict(sorted(o.findings.items()))}
        results[(t.half, t.name)] = row
        print(f"{t.half:>10} {t.name:>17} {row['median_s']:7.2f}s {row['median_cpu_s']:7.2f}s {row['peak_rss_mib']:8d} "
              f"{o.files if o.files is not None else '-':>6} {row['findings']:8d}  {row['by_rule'] if row['findings'] else ''}")

    print()
    print("ratios (median wall; cpu in brackets). peer / reviewlens: >1 means reviewlens is faster")
    for (half, tool), r in results.items():
        mine = results.get((half, "reviewlens"))
        if tool == "reviewlens" or mine is None:
            continue
        if tool == "parse-only floor":
            print(f"  {half:>10}: reviewlens / parse-only floor = {mine['median_s'] / r['median_s']:.2f}x "
                  f"[{mine['median_cpu_s'] / r['median_cpu_s']:.2f}x]  (target <= 1.5x)")
        else:
            target = {"eslint": "  (target >= 5x)", "semgrep": "  (target >= 10x)"}.get(tool, "")
            print(f"  {half:>10}: {tool:>8} / reviewlens = {r['median_s'] / mine['median_s']:.2f}x "
                  f"[{r['median_cpu_s'] / mine['median_cpu_s']:.2f}x]{target}")
    if args.json:
        args.json.write_text(json.dumps({"date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                                         "cores": os.cpu_count(), "versions": peers.versions(), "lines": counts,
                                         "results": {f"{h}/{t}": v for (h, t), v in results.items()}}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
