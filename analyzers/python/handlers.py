"""The `except` clauses of a module, found from the keyword's spellings: the anchors of
the rules that only report inside an exception handler (RL305, RL502)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..anchors import word_spans

if TYPE_CHECKING:
    from ..context import FileContext


def except_clause_spans(ctx: "FileContext", memo: dict) -> list[tuple[int, int]]:
    """The byte span of every `except` clause (`except*` too), keyword to end of body."""
    root = ctx.tree.root_node
    out = []
    for start, end in word_spans(ctx.source, b"except", memo):
        node = root.descendant_for_byte_range(start, end)
        clause = node.parent if node is not None and node.type == "except" else None
        if clause is not None and clause.type == "except_clause":
            out.append((clause.start_byte, clause.end_byte))
    return out
