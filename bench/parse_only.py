"""The floor: tree-sitter parsing alone of the given files, on all cores, as one process
tree started from scratch like a linter run (interpreter start + imports included).

    python bench/parse_only.py DIR [DIR...]

It runs on the same process pool as `reviewlens check` (server/forkpool.py on Linux,
largest files first) and reads files the same way, so that the floor is never raised by
a slower pool or reader than the one it is compared with.
"""

from __future__ import annotations

import os
import sys

SUFFIXES = (".py", ".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs")


def _parse_one(path: str) -> bool:
    from reviewlens.analyzers.languages import grammar_for_path, parse
    from reviewlens.analyzers.workspace import read_bytes

    grammar = grammar_for_path(path)
    if grammar is None:
        return False
    parse(read_bytes(path), grammar)
    return True


def _files(folders: list[str]) -> list[str]:
    out = []
    for folder in folders:
        for dirpath, _, names in os.walk(folder):
            out.extend(os.path.join(dirpath, n) for n in names if n.endswith(SUFFIXES) and not n.endswith(".d.ts"))
    return out


def main(argv: list[str]) -> int:
    import reviewlens.analyzers.languages  # noqa: F401 - before the fork, as reviewlens does
    from reviewlens.server import forkpool

    paths = sorted(_files(argv), key=lambda p: -os.path.getsize(p))
    workers = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    chunksize = max(1, min(32, len(paths) // (workers * 24)))
    if forkpool.available():
        total = sum(ok for _, ok in forkpool.run(paths, _parse_one, workers, chunksize, lambda: None))
    else:  # pragma: no cover - not Linux
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(workers) as pool:
            total = sum(pool.map(_parse_one, paths, chunksize=chunksize))
    print(f"parsed {total} files", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
