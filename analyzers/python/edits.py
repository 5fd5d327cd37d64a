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


def newline_of(source: bytes) -> str:
    return "\r\n" if b"\r\n" in source[:4096] else "\n"


def module_logger_edits(ctx, at: Node) -> tuple[str, list[Edit]] | None:
    """The name of the module logger to use at `at`, with the edits that create it when
    the module has none (`import logging` + `logger = logging.getLogger(__name__)` after
    the imports). None when no logger can be added safely (a `logger` name is already
    taken by something else, or `at` precedes the import block)."""
    py = ctx.py
    existing = py.module_logger_name
    if existing is not None:
        return existing, []
    if py.is_bound_locally("logger", at) or "logger" in py.imports:
        return None
    insert_at = py.import_insertion_point()
    if at.start_byte < insert_at:
        return None
    nl = newline_of(ctx.source)
    block = "" if py.imports.get("logging") == "logging" else f"import logging{nl}"
    block += f"{nl}logger = logging.getLogger(__name__){nl}"
    if insert_at == 0:
        return "logger", [Edit.insert(0, block + nl)]
    line_end = ctx.source.find(b"\n", insert_at)
    if line_end == -1:
        return "logger", [Edit.insert(len(ctx.source), nl + block)]
    return "logger", [Edit.insert(line_end + 1, block)]


def statement_indent(source: bytes, stmt: Node) -> str | None:
    """The indentation of `stmt` when it starts its line (only whitespace before it)."""
    line_start = source.rfind(b"\n", 0, stmt.start_byte) + 1
    before = source[line_start : stmt.start_byte]
    if before.strip():
        return None
    return before.decode("utf-8", "replace")


def insert_statement_before(source: bytes, stmt: Node, text: str) -> Edit | None:
    """An Edit putting statement `text` on its own line before `stmt`, same indentation."""
    indent = statement_indent(source, stmt)
    if indent is None:
        return None
    return Edit.insert(stmt.start_byte, f"{text}{newline_of(source)}{indent}")


def remove_argument_edit(source: bytes, arg: Node) -> Edit | None:
    """Delete one argument of an argument list with its separating comma."""
    args = arg.parent
    if args is None or args.type != "argument_list":
        return None
    nxt = arg.next_sibling
    while nxt is not None and nxt.type == "comment":
        nxt = nxt.next_sibling
    if nxt is not None and nxt.type == ",":
        after = nxt.next_sibling
        while after is not None and after.type == "comment":
            after = after.next_sibling
        if after is not None and after.type != ")":
            return Edit.delete(arg.start_byte, after.start_byte)
        # the last argument, with a trailing comma: drop it and its comma
        prev = arg.prev_sibling
        if prev is not None and prev.type == ",":
            return Edit.delete(prev.start_byte, nxt.end_byte)
        return Edit.delete(arg.start_byte, nxt.end_byte)
    prev = arg.prev_sibling
    if prev is not None and prev.type == ",":
        before = prev.prev_sibling
        start = before.end_byte if before is not None else prev.start_byte
        return Edit.delete(start, arg.end_byte)
    return Edit.delete(arg.start_byte, arg.end_byte)
