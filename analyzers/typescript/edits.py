"""Edit builders for TS/JS fixes that several rules share."""

from __future__ import annotations

from tree_sitter import Node

from ..model import Edit

STATEMENT_LIST_TYPES = ("program", "statement_block", "switch_case", "switch_default")


def whole_statement(call: Node) -> Node | None:
    """The expression statement that is exactly `call`, in a statement list."""
    stmt = call.parent
    if stmt is None or stmt.type != "expression_statement":
        return None
    if stmt.parent is None or stmt.parent.type not in STATEMENT_LIST_TYPES:
        return None
    return stmt


def delete_statement_edit(source: bytes, stmt: Node) -> Edit:
    line_start = source.rfind(b"\n", 0, stmt.start_byte) + 1
    line_end = source.find(b"\n", stmt.end_byte)
    before = source[line_start : stmt.start_byte]
    after = source[stmt.end_byte : line_end if line_end != -1 else len(source)]
    trailing = after.strip()
    if before.strip() == b"" and (trailing == b"" or trailing.startswith(b"//")):
        return Edit.delete(line_start, line_end + 1 if line_end != -1 else len(source))
    return Edit.delete(stmt.start_byte, stmt.end_byte)
