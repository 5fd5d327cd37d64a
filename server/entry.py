"""Console entry point: dispatch `serve` before anything heavy is imported, so the
language server answers `initialize` fast; everything else goes to the CLI."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "serve":
        from reviewlens.server.lsp import main as serve_main

        return serve_main(args[1:]) or 0
    from reviewlens.server.cli import main as cli_main

    code = cli_main(args)
    if argv is None:
        _exit_now(code)
    return code


def _exit_now(code: int) -> None:
    """End the console script without the interpreter's teardown: freeing every module
    and object of a large run costs ~25 ms, a twentieth of checking a big tree, and
    nothing of it is needed (the output is flushed here; the CLI registers no atexit
    work). If flushing fails (a closed pipe), the normal exit path handles it."""
    import os

    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        return
    os._exit(code if isinstance(code, int) else 1)


if __name__ == "__main__":
    sys.exit(main())
