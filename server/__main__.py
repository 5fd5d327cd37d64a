"""`python -m reviewlens.server` runs the CLI (`python -m reviewlens.server serve` the LSP)."""

import sys

from .entry import main

if __name__ == "__main__":
    sys.exit(main())
