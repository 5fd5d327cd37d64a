"""Render the JSON results of bench/run_all.py as the markdown that bench/README.md records.

    python bench/report.py [RESULTS_DIR]     # default bench/.cache/results
"""

from __future__ import annotations

import json
import platform
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def load(folder: Path, name: str) -> dict | None:
    try:
        return json.loads((folder / name).read_text())
    except (OSError, ValueError):
        return None


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def batch_section(b: dict) -> list[str]:
    r = b["results"]
    out = [f"Run {b['date']} on {b['cores']} cores ({platform.machine()}, {cpu_model()}), "
           f"Python {platform.python_version()}; corpus {b['lines']['python']:,} Python + "
           f"{b['lines']['typescript']:,} TypeScript lines.", ""]
    out.append("Versions: " + ", ".join(f"{k} {v.split()[-1]}" for k, v in b["versions"].items()) + ".")
    out += ["", "| half | tool | wall (median) | CPU (median) | peak RSS | files | findings |",
            "|---|---|---:|---:|---:|---:|---:|"]
    for key, v in r.items():
        half, tool = key.split("/", 1)
        files = v["files"] if v["files"] is not None else "–"
        out.append(f"| {half} | {tool} | {v['median_s']:.2f} s | {v['median_cpu_s']:.2f} s | {v['peak_rss_mib']} MiB "
                   f"| {files} | {v['findings']} |")
    out += ["", "Ratios from the same run (wall; CPU in brackets):", ""]
    targets = {"eslint": " (target ≥ 5x)", "semgrep": " (target ≥ 10x)"}
    for key, v in r.items():
        half, tool = key.split("/", 1)
        mine = r.get(f"{half}/reviewlens")
        if tool == "reviewlens" or mine is None:
            continue
        if tool == "parse-only floor":
            out.append(f"- {half}: reviewlens / parse-only floor = **{mine['median_s'] / v['median_s']:.2f}x** "
                       f"[{mine['median_cpu_s'] / v['median_cpu_s']:.2f}x] (target ≤ 1.5x)")
        else:
            out.append(f"- {half}: {tool} / reviewlens = **{v['median_s'] / mine['median_s']:.2f}x** "
                       f"[{v['median_cpu_s'] / mine['median_cpu_s']:.2f}x]{targets.get(tool, '')}")
    out += ["", "Findings per rule (what each tool reported on the corpus):", ""]
    for key, v in r.items():
        if v["findings"]:
            out.append(f"- {key}: " + ", ".join(f"{k} {n}" for k, n in v["by_rule"].items()))
    return out


def main(argv: list[str]) -> int:
    folder = Path(argv[0]) if argv else HERE / ".cache" / "results"
    lines: list[str] = []
    b = load(folder, "batch.json")
    if b:
        lines += ["### Batch speed and memory", "", *batch_section(b), ""]
    c = load(folder, "cache.json")
    if c:
        lines += ["### Result cache", "",
                  f"{c['files']} files: cold {c['cold_s']:.2f} s, second run of the unchanged tree "
                  f"{c['warm_s']:.2f} s = **{100 * c['ratio']:.1f}%** of cold (target < 10%); after two files "
                  f"changed {c['changed_run_s']:.2f} s, findings {'correct' if c['changed_correct'] else 'WRONG'}.", ""]
    m = load(folder, "lsp_memory.json")
    if m:
        lines += ["### Language-server memory", "",
                  f"`reviewlens serve` with {m['docs']} open documents ({m['lines']:,} lines): peak RSS (VmHWM) "
                  f"**{m['after'].get('VmHWM', 0)} MiB** ({m['before'].get('VmHWM', 0)} MiB after initialize); "
                  f"diagnostics for all of them {m['seconds']:.1f} s after the first didOpen.", ""]
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
