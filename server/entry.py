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

    return cli_main(args)


if __name__ == "__main__":
    sys.exit(main())
