"""The `reviewlens` command line (minimal bootstrap; see issue 2 for the full surface)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from reviewlens.analyzers import registry
from reviewlens.analyzers.config import ConfigError, ConfigResolver
from reviewlens.analyzers.engine import check_source
from reviewlens.analyzers.languages import grammar_for_path
from reviewlens.analyzers.positions import LineIndex


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="reviewlens")
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check")
    check.add_argument("paths", nargs="*", default=["."])
    args = parser.parse_args(argv)
    if args.command == "check":
        try:
            resolver = ConfigResolver()
            count = 0
            for root in args.paths:
                p = Path(root)
                files = [p] if p.is_file() else sorted(x for x in p.rglob("*") if x.is_file() and grammar_for_path(x))
                for f in files:
                    settings = resolver.for_path(f)
                    src = f.read_bytes()
                    res = check_source(src, str(f), settings)
                    idx = LineIndex(src)
                    for fd in res.findings:
                        pos = idx.position(fd.start, "utf-32")
                        print(f"{f}:{pos.line + 1}:{pos.column + 1}: {fd.code} {fd.message}")
                        count += 1
            return 1 if count else 0
        except ConfigError as exc:
            print(f"reviewlens: error: {exc}", file=sys.stderr)
            return 2
    return 0
