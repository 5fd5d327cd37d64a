"""Adding a top-level import without disturbing the file's layout.

`PythonModule.add_import_edit` places a new import after the first run of
docstring/comments/imports; this variant is stricter about what counts as the import
block: it goes on the line after the last import of the leading block (docstring,
comments, `from __future__` and other imports, in any order), never between a comment
and the statement the comment describes, and never above a leading comment line such as
a shebang or a coding declaration.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..model import Edit

if TYPE_CHECKING:
    from ..context import FileContext

_IMPORTS = ("import_statement", "import_from_statement", "future_import_statement")


def import_edit(ctx: "FileContext", statement: str) -> Edit | None:
    """An Edit adding `statement` (e.g. "from contextlib import asynccontextmanager"), or
    None when the exact statement is already at the top level."""
    src = ctx.source
    root = ctx.tree.root_node
    nl = "\r\n" if b"\r\n" in src[:4096] else "\n"
    last_import = None
    docstring = None
    seen_code = False
    for stmt in root.named_children:
        if stmt.type in _IMPORTS:
            if stmt.text.decode("utf-8", "replace") == statement:
                return None
            if not seen_code:
                last_import = stmt
            continue
        if stmt.type == "comment":
            continue
        if (
            not seen_code
            and last_import is None
            and docstring is None
            and stmt.type == "expression_statement"
            and stmt.named_children
            and stmt.named_children[0].type == "string"
        ):
            docstring = stmt
            continue
        seen_code = True
    anchor = last_import or docstring
    if anchor is None:
        # No imports and no docstring: after any leading comment lines.
        at = 0
        while src.startswith(b"#", at):
            eol = src.find(b"\n", at)
            if eol == -1:
                return Edit.insert(len(src), nl + statement + nl)
            at = eol + 1
        return Edit.insert(at, statement + nl)
    eol = src.find(b"\n", anchor.end_byte)
    if eol == -1:
        return Edit.insert(len(src), nl + statement + nl)
    return Edit.insert(eol + 1, statement + nl)
