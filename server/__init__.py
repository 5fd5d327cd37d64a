"""reviewlens adapters: the command-line checker and the language server."""
