"""The floor: tree-sitter parsing alone of the given files, on all cores, as one process
tree started from scratch like a linter run (interpreter start + imports included).

    python bench/parse_only.py DIR [DIR...]
"""

from __future__ import annotations

import os
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

SUFFIXES = {".py", ".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs"}


def _parse_chunk(paths: list[str]) -> int:
    from reviewlens.analyzers.languages import grammar_for_path, parse

    parsed = 0
    for p in paths:
        grammar = grammar_for_path(p)
        if grammar is None:
            continue
        parse(Path(p).read_bytes(), grammar)
        parsed += 1
    return parsed


def main(argv: list[str]) -> int:
    paths = [str(p) for d in argv for p in Path(d).rglob("*") if p.suffix in SUFFIXES and p.is_file() and not p.name.endswith(".d.ts")]
    workers = os.cpu_count() or 1
    chunks = [paths[i::workers * 4] for i in range(workers * 4)]
    with ProcessPoolExecutor(workers) as pool:
        total = sum(pool.map(_parse_chunk, chunks))
    print(f"parsed {total} files", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
