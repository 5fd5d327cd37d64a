"""Python-specific semantic helpers built from the tree."""
