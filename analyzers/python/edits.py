"""Edit builders for Python fixes that several rules share."""

from __future__ import annotations

from tree_sitter import Node

from ..model import Edit

BLOCK_TYPES = ("block", "module")


def whole_statement(call: Node) -> Node | None:
    """The expression statement that is exactly `call`, when it is one."""
    stmt = call.parent
    if stmt is None or stmt.type != "expression_statement" or stmt.named_child_count != 1:
        return None
    if stmt.parent is None or stmt.parent.type not in BLOCK_TYPES:
        return None
    return stmt


def delete_statement_edit(source: bytes, stmt: Node) -> Edit | None:
    """Delete `stmt` with its line when it is alone on it; `pass` when the block would empty."""
    block = stmt.parent
    if block is None:
        return None
    siblings = [c for c in block.named_children if c.type != "comment"]
    if block.type == "block" and len(siblings) == 1:
        return Edit(stmt.start_byte, stmt.end_byte, "pass")
    line_start = source.rfind(b"\n", 0, stmt.start_byte) + 1
    before = source[line_start : stmt.start_byte]
    line_end = source.find(b"\n", stmt.end_byte)
    after = source[stmt.end_byte : line_end if line_end != -1 else len(source)]
    trailing = after.strip()
    if before.strip() == b"" and (trailing in (b"", b";") or trailing.startswith(b"#")):
        end = line_end + 1 if line_end != -1 else len(source)
        return Edit.delete(line_start, end)
    # Shares its line with other statements (`a(); print(x)`): remove just this one.
    if after.lstrip().startswith(b";"):
        return Edit.delete(stmt.start_byte, stmt.end_byte + (len(after) - len(after.lstrip())) + 1)
    return Edit.delete(stmt.start_byte, stmt.end_byte)
