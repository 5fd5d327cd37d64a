"""Memory of the language server with 200 open documents.

    python bench/lsp_memory.py [--docs 200] [--json OUT]

A raw LSP client over stdio starts `reviewlens serve` in the corpus folder, opens N
corpus files (half Python, half TypeScript/TSX, evenly spread over the sorted file
lists) with `textDocument/didOpen`, waits until diagnostics were published for every one
of them, then reads the server process' peak resident set (VmHWM) and current RSS
(VmRSS) from /proc, before and after the documents were opened.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import corpus  # noqa: E402
from lsp_latency import Client  # noqa: E402  (the same raw stdio client as the latency bench)
from runenv import ENV, reviewlens_exe, use_compiled_bytecode  # noqa: E402

LANGUAGE_ID = {".py": "python", ".ts": "typescript", ".mts": "typescript", ".cts": "typescript",
               ".tsx": "typescriptreact"}


def proc_memory(pid: int) -> dict[str, int]:
    """VmHWM / VmRSS in MiB of the process and of its children (worker processes, if any)."""
    def read(p: int) -> dict[str, int]:
        out = {}
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                key, _, value = line.partition(":")
                if key in ("VmHWM", "VmRSS"):
                    out[key] = int(value.split()[0]) // 1024
        except OSError:
            pass
        return out

    mem = read(pid)
    children = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            children += Path(f"/proc/{pid}/task/{tid}/children").read_text().split()
    except OSError:
        pass
    mem["children_VmHWM"] = sum(read(int(c)).get("VmHWM", 0) for c in children)
    return mem


def pick(n: int) -> list[Path]:
    py, ts = corpus.files("python"), corpus.files("typescript")
    half = n // 2

    def spread(files: list[Path], k: int) -> list[Path]:
        k = min(k, len(files))
        return [files[i * len(files) // k] for i in range(k)]

    return spread(py, n - half) + spread(ts, half)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=200)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()

    corpus.ensure()
    root = corpus.CORPUS
    docs = pick(args.docs)
    scratch = tempfile.TemporaryDirectory(prefix="rl-lsp-memory-")
    use_compiled_bytecode(Path(scratch.name))
    client = Client([reviewlens_exe(), "serve"], str(root), ENV)
    try:
        client.request("initialize", {
            "processId": os.getpid(), "rootUri": root.as_uri(),
            "workspaceFolders": [{"uri": root.as_uri(), "name": "corpus"}],
            "capabilities": {"textDocument": {"publishDiagnostics": {"versionSupport": True}}},
            "initializationOptions": {"debounce": 0},
        })
        client.notify("initialized", {})
        time.sleep(0.5)
        before = proc_memory(client.proc.pid)
        pending = set()
        lines = size = 0
        start = time.perf_counter()
        for path in docs:
            text = path.read_text(encoding="utf-8", errors="surrogateescape")
            lines += text.count("\n")
            size += len(text.encode("utf-8", "surrogateescape"))
            uri = path.as_uri()
            pending.add(uri)
            client.notify("textDocument/didOpen", {"textDocument": {
                "uri": uri, "languageId": LANGUAGE_ID.get(path.suffix, "typescript"), "version": 1, "text": text}})
        diagnostics = 0
        while pending:
            _, msg = client.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics", 300)
            if msg["params"]["uri"] in pending:
                pending.discard(msg["params"]["uri"])
                diagnostics += len(msg["params"]["diagnostics"])
        elapsed = time.perf_counter() - start
        time.sleep(0.5)
        after = proc_memory(client.proc.pid)
    finally:
        client.close()

    n_py = sum(1 for d in docs if d.suffix == ".py")
    print(f"reviewlens serve, {len(docs)} open documents ({n_py} Python, {len(docs) - n_py} TypeScript; "
          f"{lines} lines, {size / 1_048_576:.1f} MiB of text), {diagnostics} diagnostics, "
          f"all published {elapsed:.1f}s after the first didOpen")
    print(f"  after initialize:    VmRSS {before.get('VmRSS', 0)} MiB, VmHWM {before.get('VmHWM', 0)} MiB")
    print(f"  with {len(docs)} documents:  VmRSS {after.get('VmRSS', 0)} MiB, VmHWM {after.get('VmHWM', 0)} MiB"
          + (f" (+ {after['children_VmHWM']} MiB in child processes)" if after.get("children_VmHWM") else ""))
    if args.json:
        args.json.write_text(json.dumps({"docs": len(docs), "lines": lines, "bytes": size, "seconds": elapsed,
                                         "diagnostics": diagnostics, "before": before, "after": after}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
