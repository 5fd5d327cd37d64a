"""Rule implementations: one file per rule per language family."""
