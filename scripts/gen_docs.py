#!/usr/bin/env python3
"""Regenerate docs/rules.md and the README rule list from the rule registry.

    python scripts/gen_docs.py          # write the files that are out of date
    python scripts/gen_docs.py --check  # exit 1 and name them instead (what the tests check)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from reviewlens.server.ruledocs import stale_files, write_generated

REPO = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report files that are out of date")
    args = parser.parse_args(argv)
    if args.check:
        stale = stale_files(REPO)
        for path in stale:
            print(f"out of date: {path.relative_to(REPO)} (run: python scripts/gen_docs.py)", file=sys.stderr)
        return 1 if stale else 0
    for path in write_generated(REPO):
        print(f"wrote {path.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
