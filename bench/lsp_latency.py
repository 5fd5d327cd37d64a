"""Language-server latency, reviewlens vs `ruff server`, through one raw LSP client.

    python bench/lsp_latency.py [--edits 40] [--sizes 1000,5000,17000] [--file PATH ...] [--json OUT]

For each Python file (generated FastAPI-style modules of 1k / 5k / 17k lines, plus any
--file), both servers get the same document and the same sequence of one-line edits
(insert a statement line in the middle of the file, then delete it again). Measured:
the wall time from writing `textDocument/didChange` to reading the
`textDocument/publishDiagnostics` for that version (reviewlens with debounce 0; ruff
with its defaults, push mode: the client announces no pull support), and the time from
process start to the `initialize` response. Medians and 95th percentiles, and the ratio
reviewlens / ruff, from the same run on the same machine. Not a test: numbers only.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import queue
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from runenv import ENV, reviewlens_exe, use_compiled_bytecode  # noqa: E402


def generate(n_lines: int) -> str:
    """A FastAPI-style module of exactly n_lines lines (every 10th handler prints)."""
    out = ["import logging", "from fastapi import APIRouter, HTTPException", "from pydantic import BaseModel", "",
           "router = APIRouter()", "logger = logging.getLogger(__name__)", ""]
    i = 0
    while len(out) < n_lines:
        out += [
            f"class Item{i}(BaseModel):",
            "    name: str",
            f"    price: float = {i}.0",
            "",
            "",
            f'@router.get("/items/{i}/{{item_id}}")',
            f"async def read_item_{i}(item_id: int, q: str | None = None):",
            f'    """Return item {i}."""',
            "    if item_id < 0:",
            '        raise HTTPException(status_code=404, detail="not found")',
            f"    result = {{'id': item_id, 'q': q, 'n': {i}}}",
            "    for k, v in list(result.items()):",
            "        if v is None:",
            "            del result[k]",
            "    print('debug', item_id)" if i % 10 == 0 else "    logger.debug('item %s', item_id)",
            "    return result",
            "",
            "",
        ]
        i += 1
    return "\n".join(out[:n_lines]) + "\n"


class Client:
    """A minimal LSP client over a subprocess' stdio, reading on a thread."""

    def __init__(self, cmd: list[str], cwd: str, env: dict[str, str] | None = None) -> None:
        self.t0 = time.perf_counter()
        self.proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL)
        self.inbox: queue.Queue = queue.Queue()
        self._id = 0
        threading.Thread(target=self._reader, daemon=True).start()

    def _reader(self) -> None:
        out = self.proc.stdout
        while True:
            length = None
            while True:
                line = out.readline()
                if not line:
                    self.inbox.put(None)
                    return
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
                if line in (b"\r\n", b"\n"):
                    break
            body = out.read(length)
            self.inbox.put((time.perf_counter(), json.loads(body)))

    def send(self, payload: dict) -> float:
        body = json.dumps(payload).encode()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()
        return time.perf_counter()

    def request(self, method: str, params) -> tuple[float, dict]:
        self._id += 1
        rid = self._id
        self.send({"jsonrpc": "2.0", "id": rid, "method": method, "params": params})
        while True:
            at, msg = self.wait(lambda m: m.get("id") == rid and "method" not in m, 60)
            return at, msg

    def notify(self, method: str, params) -> float:
        return self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def wait(self, pred, timeout: float = 60):
        deadline = time.perf_counter() + timeout
        while True:
            item = self.inbox.get(timeout=max(deadline - time.perf_counter(), 0.001))
            if item is None:
                raise RuntimeError("server exited")
            at, msg = item
            if "id" in msg and "method" in msg:  # a request from the server: answer null
                self.send({"jsonrpc": "2.0", "id": msg["id"], "result": None})
                continue
            if pred(msg):
                return at, msg

    def close(self) -> None:
        try:
            self.request("shutdown", None)
            self.notify("exit", None)
            self.proc.wait(5)
        except Exception:
            self.proc.kill()


def servers() -> dict[str, list[str]]:
    found = {}
    found["reviewlens"] = [reviewlens_exe(), "serve"]  # with ENV: see runenv.py
    # The pinned ruff of bench/peers.py (the batch bench's), else one on PATH.
    import peers

    pinned = peers.bin_path("ruff")
    ruff = str(pinned) if pinned.exists() else shutil.which("ruff")
    if ruff:
        found["ruff"] = [ruff, "server"]
    return found


def start(cmd: list[str], root: Path, name: str) -> tuple[Client, float]:
    client = Client(cmd, str(root), ENV if name == "reviewlens" else None)
    init_opts = {"debounce": 0} if name == "reviewlens" else None
    at, _ = client.request("initialize", {
        "processId": os.getpid(), "rootUri": root.as_uri(),
        "workspaceFolders": [{"uri": root.as_uri(), "name": root.name}],
        "capabilities": {"textDocument": {"publishDiagnostics": {"versionSupport": True}}},
        "initializationOptions": init_opts,
    })
    client.notify("initialized", {})
    return client, (at - client.t0) * 1000


def latency(cmd: list[str], name: str, root: Path, path: Path, edits: int) -> dict:
    client, init_ms = start(cmd, root, name)
    text = path.read_text()
    uri = path.as_uri()
    client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text}})
    client.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri, 120)
    lines = text.split("\n")
    # An indented line in the middle of a function body.
    mid = len(lines) // 2
    while not lines[mid].startswith("    ") or lines[mid].strip().startswith(('"""', "@")):
        mid += 1
    samples = []
    version = 1
    for i in range(edits + 3):
        version += 1
        if i % 2 == 0:
            change = {"range": {"start": {"line": mid, "character": 0}, "end": {"line": mid, "character": 0}}, "text": f"    value_{i} = {i}\n"}
        else:
            change = {"range": {"start": {"line": mid, "character": 0}, "end": {"line": mid + 1, "character": 0}}, "text": ""}
        sent = client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version}, "contentChanges": [change]})
        v = version
        at, _ = client.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri
                            and m["params"].get("version", v) in (v, None), 120)
        if i >= 3:  # warm-up edits not counted
            samples.append((at - sent) * 1000)
        time.sleep(0.02)
    client.close()
    samples.sort()
    return {
        "init_ms": init_ms,
        "median_ms": statistics.median(samples),
        "p95_ms": samples[min(len(samples) - 1, int(round(0.95 * (len(samples) - 1))))],
        "n": len(samples),
    }


def startup(cmd: list[str], name: str, root: Path, runs: int) -> float:
    times = []
    for _ in range(runs):
        client, ms = start(cmd, root, name)
        times.append(ms)
        client.close()
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1000,5000,17000")
    ap.add_argument("--file", action="append", default=[], help="also measure this (real) Python file")
    ap.add_argument("--edits", type=int, default=40)
    ap.add_argument("--startup-runs", type=int, default=7)
    ap.add_argument("--json", help="write the results here")
    args = ap.parse_args(argv)

    cmds = servers()
    versions = {"reviewlens": "0.1.0"}
    if "ruff" in cmds:
        versions["ruff"] = subprocess.run([cmds["ruff"][0], "--version"], capture_output=True, text=True).stdout.strip()
    print(f"# LSP latency ({platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; {', '.join(versions.values())})")
    results: dict = {"machine": {"cores": os.cpu_count(), "python": platform.python_version()}, "versions": versions, "files": {}}
    with tempfile.TemporaryDirectory(prefix="rl-lsp-bench-") as tmp:
        use_compiled_bytecode(Path(tmp) / "scratch")
        root = Path(tmp) / "work"
        root.mkdir()
        files = []
        for n in [int(x) for x in args.sizes.split(",") if x]:
            p = root / "app" / f"module_{n}.py"
            p.parent.mkdir(exist_ok=True)
            p.write_text(generate(n))
            files.append((f"generated {n} lines", p))
        for i, f in enumerate(args.file):
            p = root / "real" / f"real_{i}_{Path(f).name}"
            p.parent.mkdir(exist_ok=True)
            shutil.copy(f, p)
            files.append((f"{f} ({len(p.read_text().splitlines())} lines)", p))

        init = {name: startup(cmd, name, root, args.startup_runs) for name, cmd in cmds.items()}
        results["startup_ms"] = init
        line = "start -> initialize response (median of %d): " % args.startup_runs
        line += ", ".join(f"{k} {v:.0f} ms" for k, v in init.items())
        if "ruff" in init:
            line += f"; ratio {init['reviewlens'] / init['ruff']:.2f}x"
        print(line)
        print(f"{'file':34} {'server':10} {'median ms':>10} {'p95 ms':>8} {'ratio vs ruff (median)':>24}")
        for label, path in files:
            row = {}
            for name, cmd in cmds.items():
                row[name] = latency(cmd, name, root, path, args.edits)
            results["files"][label] = row
            for name, r in row.items():
                ratio = f"{r['median_ms'] / row['ruff']['median_ms']:.2f}x" if "ruff" in row else "-"
                print(f"{label:34} {name:10} {r['median_ms']:10.1f} {r['p95_ms']:8.1f} {ratio:>24}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
