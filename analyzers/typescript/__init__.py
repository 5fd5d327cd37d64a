"""TypeScript/JavaScript-specific semantic helpers built from the tree."""
