"""RL101 debug-print (Python)."""

from __future__ import annotations

import functools

from tree_sitter import Node, QueryCursor

from ...languages import PYTHON
from ...model import Applicability, Edit, FixAvailability, Severity
from ...python.edits import delete_statement_edit, whole_statement
from ...rule import Captures, Rule

TARGETS = {"builtins.print": "print", "pprint.pprint": "pprint", "pprint.pp": "pprint"}


@functools.cache
def _named_calls():
    """Every call of a plain name (one query for every file: compiling a query per alias
    set costs more than filtering the names)."""
    from tree_sitter import Query

    from ...languages import language

    return Query(language("python"), "(call function: (identifier) @fn) @call")


class DebugPrint(Rule):
    """
    ## What it does
    Flags calls to the builtin `print` and to `pprint.pprint` in application code.

    Calls inside an `if __name__ == "__main__":` block, calls to a `print` that the
    module rebinds (a local `def print`, `from rich import print`), and code in test and
    script paths are not flagged.

    ## Why is this bad?
    `print` output bypasses the logging configuration: it has no level, no timestamp, no
    request context, cannot be switched off in production and is lost or interleaved
    under a process manager. Debug prints left in a FastAPI handler also tend to dump
    request bodies and tokens into container logs.

    ## Example
    ```python
    @router.post("/orders")
    async def create_order(order: Order):
        print("creating order", order.id)
        ...
    ```

    ## Use instead
    ```python
    import logging

    logger = logging.getLogger(__name__)

    @router.post("/orders")
    async def create_order(order: Order):
        logger.debug("creating order %s", order.id)
    ```

    ## Fix safety
    Unsafe. The main fix turns `print(a, b)` into `logger.debug("%s %s", a, b)`, reusing a
    module-level logger when one exists and otherwise adding `import logging` and
    `logger = logging.getLogger(__name__)`; the output now depends on the logging
    configuration, so it may no longer appear. It is offered only when the call has no
    `file=` argument and no `*args`. A second fix deletes the call when it is a whole
    statement (replacing it with `pass` when it is the only statement of its block).
    """

    code = "RL101"
    name = "debug-print"
    language = PYTHON
    severity = Severity.WARNING
    fix_availability = FixAvailability.SOMETIMES
    exempt_paths = True
    messages = {
        "default": "`{callee}` left in application code: use a logger",
    }
    # Every target is spelled `print` or `pprint` (`pp` only comes from `pprint`).
    requires = r"\b(?:print|pprint)\b"
    # Anchor: The callee names the query's predicates accept (aliases are matched in `finish`).
    anchor = r"\b(?:print|pprint|pp)\b"
    # A plain name and `x.name` in one alternation (one call step to compile, not two:
    # ~0.6 ms less in every process); `x.print(...)` is no debug print (on_match).
    query = """
    (call function: [(identifier) @fn (attribute attribute: (identifier) @fn)] (#any-of? @fn "print" "pprint" "pp")) @call
    """

    def on_match(self, captures: Captures, pattern: int) -> None:
        fn = captures["fn"][0]
        if fn.parent is not None and fn.parent.type == "attribute" and fn.text == b"print":
            return
        self._check(captures["call"][0])

    def finish(self) -> None:
        # Aliases (`from pprint import pprint as show`) are invisible to the query's
        # name predicates: look them up once per file.
        aliases = [name for name, target in self.ctx.py.imports.items() if target in TARGETS and name not in ("print", "pprint", "pp")]
        if not aliases:
            return
        wanted = frozenset(aliases)
        for _, caps in QueryCursor(_named_calls()).matches(self.ctx.tree.root_node):
            if caps["fn"][0].text.decode("utf-8", "replace") in wanted:
                self._check(caps["call"][0])

    def _check(self, call: Node) -> None:
        py = self.ctx.py
        fn = call.child_by_field_name("function")
        target = py.qualified_name(fn)
        if target not in TARGETS or py.in_main_guard(call):
            return
        callee = self.ctx.text(fn)
        self.report(
            call,
            fix=self._logger_fix(call, target),
            alternatives=(self._delete_fix(call),),
            callee=callee,
        )

    def _delete_fix(self, call: Node):
        stmt = whole_statement(call)
        if stmt is None:
            return None
        edit = delete_statement_edit(self.ctx.source, stmt)
        if edit is None:
            return None
        return self.make_fix("Delete the debug output", [edit], Applicability.UNSAFE)

    def _logger_fix(self, call: Node, target: str):
        py = self.ctx.py
        args = call.child_by_field_name("arguments")
        if args is None or args.type != "argument_list":
            return None
        positional: list[Node] = []
        sep = " "
        for arg in args.named_children:
            if arg.type == "comment":
                continue
            if arg.type == "keyword_argument":
                key = arg.child_by_field_name("name")
                value = arg.child_by_field_name("value")
                key_text = self.ctx.text(key)
                if key_text in ("end", "flush"):
                    continue
                if key_text == "sep" and value is not None and value.type == "string" and not self.ctx.text(value).startswith(("f", "F")):
                    try:
                        sep = eval(self.ctx.text(value), {"__builtins__": {}})  # a plain literal only
                    except Exception:
                        return None
                    continue
                return None  # file=..., or an unknown keyword: leave the call alone
            if arg.type in ("list_splat", "dictionary_splat", "parenthesized_list_splat"):
                return None
            positional.append(arg)

        logger = py.module_logger_name
        edits: list[Edit] = []
        if logger is None:
            if py.is_bound_locally("logger", call) or "logger" in py.imports:
                return None
            at = py.import_insertion_point()
            if call.start_byte < at:
                return None
            logger = "logger"
            nl = "\r\n" if b"\r\n" in self.ctx.source[:4096] else "\n"
            block = "" if "logging" in py.imports and py.imports["logging"] == "logging" else f"import logging{nl}"
            block += f"{nl}logger = logging.getLogger(__name__){nl}"
            if at == 0:
                edits.append(Edit.insert(0, block + nl))
            else:
                line_end = self.ctx.source.find(b"\n", at)
                if line_end == -1:
                    edits.append(Edit.insert(len(self.ctx.source), nl + block))
                else:
                    edits.append(Edit.insert(line_end + 1, block))

        if target == "builtins.print":
            if len(positional) == 1 and positional[0].type == "string" and not self.ctx.text(positional[0]).lstrip("rRbBuU").startswith(("f", "F")) and "%" not in self.ctx.text(positional[0]):
                call_args = self.ctx.text(positional[0])
            elif not positional:
                call_args = '""'
            else:
                fmt = sep.replace("%", "%%").join(["%s"] * len(positional))
                call_args = ", ".join([_py_str(fmt)] + [self.ctx.text(a) for a in positional])
        else:  # pprint: keep the repr
            if len(positional) != 1:
                return None
            call_args = f'"%r", {self.ctx.text(positional[0])}'
        edits.append(Edit(call.start_byte, call.end_byte, f"{logger}.debug({call_args})"))
        return self.make_fix(f"Replace with `{logger}.debug(...)`", edits, Applicability.UNSAFE)


def _py_str(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t") + '"'
