"""RL502 raise-without-from (Python)."""

from __future__ import annotations

from tree_sitter import Node, Query, QueryCursor

from ...languages import PYTHON, language
from ...model import Applicability, Edit, FixAvailability, Severity
from ...python.handlers import except_clause_spans
from ...rule import Captures, Rule

_BOUNDARIES = ("function_definition", "lambda", "class_definition")
_NAME_CANDIDATES = ("exc", "err", "error", "exc_", "original_exc", "cause")


class RaiseWithoutFrom(Rule):
    """
    ## What it does
    Flags `raise X(...)` (or `raise X`, a class) inside an `except` handler without a
    `from` clause.

    Not flagged: a bare `raise`, re-raising the handler's own bound exception (`raise
    e`), `raise ... from e` / `from None`, raises in a function, lambda or class defined
    inside the handler (they run later, outside it), raising a lowercase name
    (`raise error`), which usually holds an exception built earlier whose cause may
    already be set, and raising what a lowercase factory returns (`raise
    self._handle_error(e)`, `raise map_exception(exc)`): such helpers receive the
    caught exception and convert it, often setting the cause themselves.

    ## Why is this bad?
    Without `from`, the new exception's traceback says "During handling of the above
    exception, another exception occurred", as if the handler itself had crashed, and
    tools that walk `__cause__` (Sentry, structured loggers) lose the original error.
    `raise HTTPException(...) from exc` states that the original error is the cause;
    `from None` states that it is deliberately hidden.

    ## Example
    ```python
    try:
        user = await repo.get(user_id)
    except NoResultFound:
        raise HTTPException(status_code=404, detail="User not found")
    ```

    ## Use instead
    ```python
    try:
        user = await repo.get(user_id)
    except NoResultFound as exc:
        raise HTTPException(status_code=404, detail="User not found") from exc
    ```

    ## Fix safety
    Safe: it only sets `__cause__` (and `__suppress_context__`) on the new exception,
    which changes the traceback's wording, not control flow. It adds `from <name>` with
    the handler's bound name, binding one (`as exc`, or the first of `err`, `error`, ...
    that the enclosing function does not use) when the handler has none. No fix for a
    bare `except:`, which has no exception type to bind.
    """

    code = "RL502"
    name = "raise-without-from"
    language = PYTHON
    severity = Severity.WARNING
    fix_availability = FixAvailability.SOMETIMES
    messages = {
        "default": "`raise {exc}` inside an `except` handler without `from`: chain it with `from {cause}` (or `from None`)",
    }
    # A `raise` inside an `except` handler.
    requires = (r"\bexcept\b", r"\braise\b")
    # Not anchored to the first child: a line continuation (`raise \\` + newline) is a
    # named extra node before the exception. The exception is the only child of these
    # types when there is no cause; parentheses are looked through in on_match.
    query = """
    (raise_statement [(call) (identifier) (attribute) (parenthesized_expression)] @exc !cause) @raise
    """

    def anchor_spans(self, memo: dict) -> list[tuple[int, int]]:
        # Only a statement inside an `except` handler can report: the handlers anchor it.
        return except_clause_spans(self.ctx, memo)

    def on_match(self, captures: Captures, pattern: int) -> None:
        stmt = captures["raise"][0]
        outer = captures["exc"][0]  # `from` goes after it, outside any parentheses
        if stmt.child_by_field_name("cause") is not None:
            return
        exc = _unparenthesized(outer)
        if exc is None:
            return
        clause = _handler(stmt)
        if clause is None:
            return
        bound = _bound_name(clause)
        target = exc.child_by_field_name("function") if exc.type == "call" else exc
        if target is None or target.type not in ("identifier", "attribute"):
            return
        last = target.child_by_field_name("attribute") if target.type == "attribute" else target
        text = self.ctx.text(last).lstrip("_")
        if text == bound or not text[:1].isupper():
            # `raise e`, a prepared instance (`raise error`), or a factory that converts
            # the caught exception (`raise self._handle_error(e)`, `raise map_error(exc)`).
            return
        if exc.type != "call" and self.ctx.text(target) in _caught_types(clause):
            return  # `except StopIteration: raise StopIteration`: the same signal again
        label = self.ctx.text(target)
        if exc.type == "call":
            label += "(...)"
        fix, cause = self._fix(stmt, outer, clause, bound)
        self.report(stmt, exc=label, cause=cause, fix=fix)

    def _fix(self, stmt: Node, exc: Node, clause: Node, bound: str | None):
        if bound is not None:
            return self.make_fix(f"Add `from {bound}`", [Edit.insert(exc.end_byte, f" from {bound}")], Applicability.SAFE), bound
        values = clause.children_by_field_name("value")
        if len(values) != 1:
            # A bare `except:`, or `except A, B:` (Python 3.14's unparenthesised form),
            # where `as` needs parentheses added too.
            return None, "exc"
        value = values[0]
        name = self._free_name(clause)
        if name is None:
            return None, "exc"
        return (
            self.make_fix(
                f"Bind the exception as `{name}` and add `from {name}`",
                [Edit.insert(value.end_byte, f" as {name}"), Edit.insert(exc.end_byte, f" from {name}")],
                Applicability.SAFE,
            ),
            name,
        )

    def _free_name(self, clause: Node) -> str | None:
        scope = clause.parent
        while scope is not None and scope.type not in _BOUNDARIES:
            scope = scope.parent
        if scope is None:
            scope = self.ctx.tree.root_node
        used = {n.text.decode() for n in QueryCursor(_identifiers()).captures(scope).get("id", [])}
        used |= set(self.ctx.py.imports)
        return next((n for n in _NAME_CANDIDATES if n not in used), None)


def _identifiers() -> Query:
    global _ID_QUERY
    if _ID_QUERY is None:
        _ID_QUERY = Query(language("python"), "(identifier) @id")
    return _ID_QUERY


_ID_QUERY: Query | None = None


def _handler(node: Node) -> Node | None:
    """The except clause whose handler body holds `node`, stopping at nested scopes."""
    p = node.parent
    while p is not None:
        if p.type in _BOUNDARIES:
            return None
        if p.type == "block" and p.parent is not None and p.parent.type == "except_clause":
            return p.parent
        p = p.parent
    return None


def _bound_name(clause: Node) -> str | None:
    for c in clause.named_children:
        if c.type == "as_pattern":
            alias = c.child_by_field_name("alias")
            if alias is not None:
                ident = alias.named_children[0] if alias.named_children else alias
                if ident.type == "identifier":
                    return ident.text.decode()
    return None


def _caught_types(clause: Node) -> set[str]:
    out: set[str] = set()
    for value in clause.children_by_field_name("value"):  # not a line continuation or comment
        if value.type == "as_pattern":
            value = value.named_children[0] if value.named_children else None
        if value is None:
            continue
        items = value.named_children if value.type in ("tuple", "parenthesized_expression") else [value]
        out |= {i.text.decode() for i in items if i.type not in ("comment", "line_continuation")}
    return out


def _unparenthesized(node: Node) -> Node | None:
    """The raised expression inside any parentheses (and comments or line continuations
    in them), when it is a call, a name or an attribute."""
    while node.type == "parenthesized_expression":
        inner = [c for c in node.named_children if c.type not in ("comment", "line_continuation")]
        if len(inner) != 1:
            return None
        node = inner[0]
    return node if node.type in ("call", "identifier", "attribute") else None
