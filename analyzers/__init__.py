"""reviewlens engine: source text in, findings and fixes out (no LSP types, no I/O)."""

__version__ = "0.1.0"
