"""Helpers for rules whose query captures a node only to narrow it with a predicate.

The engine does not trust a match in broken code when its innermost captured node
contains a parse error (`engine._unsound`). A rule that adds a small capture just for a
predicate (the last name of a callee, `#any-of? @name ...`) changes which node is the
innermost one; `trusted_without` gives the engine's verdict as if that capture were absent,
so the rule's results stay those of the pattern without it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tree_sitter import Node

if TYPE_CHECKING:
    from ..context import FileContext

_ERRORS_KEY = "matching.error_ranges"


def trusted_without(ctx: FileContext, captures: dict[str, list[Node]], name: str) -> bool:
    """False when the engine would skip the match had it not captured `name`."""
    if not ctx.tree.root_node.has_error:
        return True
    from ..engine import _error_ranges, _unsound  # the engine imports the rules: import late

    errors = ctx.cache.get(_ERRORS_KEY)
    if errors is None:
        errors = ctx.cache[_ERRORS_KEY] = _error_ranges(ctx.tree)
    if not errors:
        return True
    return not _unsound({k: v for k, v in captures.items() if k != name})
