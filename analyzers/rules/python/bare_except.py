"""RL501 bare-except (Python)."""

from __future__ import annotations


from tree_sitter import Node

from ...languages import PYTHON
from ...model import Applicability, Edit, FixAvailability, Severity
from ...rule import Captures, Rule

# Peer linters' codes for the same finding: their suppression marks a deliberate handler.
PEER_BARE = ("E722", "B001", "W0702", "bare-except")
PEER_SWALLOW = ("S110", "S112", "BLE001", "W0718", "W0703", "broad-except", "broad-exception-caught", "SIM105")
BROAD = {"builtins.Exception": "Exception", "builtins.BaseException": "BaseException"}
_BROAD_NAMES = frozenset(BROAD.values())


class BareExcept(Rule):
    """
    ## What it does
    Flags a bare `except:` clause, and an `except Exception:` / `except BaseException:`
    clause (alone or in a tuple, with or without `as name`) whose body is only `pass`
    or `...`.

    A handler where a peer linter's rule for the same thing is suppressed
    (`# noqa: E722`, `# noqa: S110`, `# noqa: BLE001`, `# pylint: disable=broad-except`)
    is deliberate and not flagged. A comment alone does not make a swallowed exception
    visible, so `except Exception:  # best effort` followed by `pass` is still flagged.
    A bare `except:` is flagged whatever its body.

    ## Why is this bad?
    A bare `except:` also catches `KeyboardInterrupt`, `SystemExit` and
    `asyncio.CancelledError`-style control flow, so a worker cannot be stopped and a
    cancelled request keeps running. A broad handler that only passes swallows every
    error, including bugs (`NameError`, `TypeError`), without a trace in the logs: the
    failure shows up later, somewhere else, with no cause.

    ## Example
    ```python
    try:
        payload = json.loads(body)
    except:
        payload = {}

    try:
        await cache.set(key, value)
    except Exception:
        pass
    ```

    ## Use instead
    ```python
    try:
        payload = json.loads(body)
    except json.JSONDecodeError:
        payload = {}

    try:
        await cache.set(key, value)
    except ConnectionError:
        logger.warning("cache unavailable", exc_info=True)
    ```

    ## Fix safety
    Safe. A bare `except:` becomes `except Exception:`, so `KeyboardInterrupt` and
    `SystemExit` propagate again. When the handler ends by re-raising (`except:
    cleanup(); raise`), it becomes `except BaseException:` instead, which keeps its
    meaning exactly. Broad handlers that only pass get no fix: what should be caught
    and logged is a decision for the author.
    """

    code = "RL501"
    name = "bare-except"
    language = PYTHON
    severity = Severity.WARNING
    fix_availability = FixAvailability.SOMETIMES
    messages = {
        "bare": "bare `except:` also catches `KeyboardInterrupt` and `SystemExit`: catch `Exception` or a narrower error",
        "swallow": "`except {name}:` with only `{body}` silently swallows every error: catch a narrower error or log it",
    }
    # Only `except` clauses are examined.
    requires = r"\bexcept\b"
    # Anchor: The `except` keyword of the clause.
    anchor = r"\bexcept\b"
    query = """
    (except_clause) @clause
    """

    def on_match(self, captures: Captures, pattern: int) -> None:
        clause = captures["clause"][0]
        body = _body(clause)
        if body is None:
            return
        value = _value(clause)
        if value is None:
            if self._explained(clause, bare=True):
                return
            self.report(_head(clause), "bare", fix=self._bare_fix(clause, body))
            return
        broad = self._broad_name(value)
        if broad is None:
            return
        stmts = [c for c in body.named_children if c.type != "comment"]
        if self._explained(clause):
            return
        if not stmts or not all(_is_noop(s) for s in stmts):
            return
        self.report(_head(clause), "swallow", name=broad, body=self.ctx.text(stmts[0]).strip())

    def _broad_name(self, value: Node) -> str | None:
        if value.type == "as_pattern":
            value = value.named_children[0] if value.named_children else None
            if value is None:
                return None
        candidates = [value]
        if value.type in ("tuple", "parenthesized_expression"):
            candidates = [c for c in value.named_children if c.type != "comment"]
        for c in candidates:
            if not self._may_be_broad(c):
                continue  # `KeyError`, `httpx.HTTPError`: resolving the name costs more
            name = BROAD.get(self.ctx.py.qualified_name(c) or "")
            if name is not None:
                return name
        return None

    def _may_be_broad(self, node: Node) -> bool:
        """Whether `node` can resolve to one of BROAD: it is spelled `...Exception` /
        `...BaseException`, or is a name imported as one (`from builtins import
        Exception as E`)."""
        if node.type == "attribute":
            return self.ctx.text(node.child_by_field_name("attribute")) in _BROAD_NAMES
        if node.type != "identifier":
            return False
        text = self.ctx.text(node)
        return text in _BROAD_NAMES or self.ctx.py.imports.get(text) in BROAD

    def _explained(self, clause: Node, bare: bool = False) -> bool:
        """A peer linter's suppression of its own rule for the same thing (`# noqa: E722`,
        `# noqa: S110`, `# noqa: BLE001`, `# pylint: disable=broad-except`) marks the
        swallow as deliberate. A prose comment does not: the exception is still lost
        (the catalog's comment exemption is for TypeScript's empty `catch {}` only)."""
        peers = PEER_BARE if bare else PEER_SWALLOW
        for node in _comments(clause):
            text = self.ctx.text(node)
            if any(code in text for code in peers):
                return True
        return False

    def _bare_fix(self, clause: Node, body: Node):
        kw = clause.children[0]
        if kw.type != "except":
            return None
        colon = next((c for c in clause.children if c.type == ":"), None)
        if colon is None:
            return None
        reraises = bool(body.named_children) and _is_bare_raise(_last_statement(body))
        name = "BaseException" if reraises else "Exception"
        if self.ctx.py.is_bound_locally(name, clause):
            return None
        return self.make_fix(
            f"Replace with `except {name}:`",
            [Edit(kw.end_byte, colon.start_byte, f" {name}")],
            Applicability.SAFE,
        )


def _value(clause: Node) -> Node | None:
    for c in clause.named_children:
        if c.type not in ("block", "comment"):
            return c
    return None


def _body(clause: Node) -> Node | None:
    for c in clause.named_children:
        if c.type == "block":
            return c
    return None


def _head(clause: Node) -> tuple[int, int]:
    """`except ...:` without the body."""
    colon = next((c for c in clause.children if c.type == ":"), None)
    return clause.start_byte, (colon.end_byte if colon is not None else clause.children[0].end_byte)


def _is_noop(stmt: Node) -> bool:
    if stmt.type == "pass_statement":
        return True
    if stmt.type == "expression_statement" and stmt.named_child_count == 1:
        return stmt.named_children[0].type == "ellipsis"
    return False


def _last_statement(body: Node) -> Node:
    stmts = [c for c in body.named_children if c.type != "comment"]
    return stmts[-1] if stmts else body


def _is_bare_raise(stmt: Node) -> bool:
    return stmt.type == "raise_statement" and stmt.named_child_count == 0


def _comments(clause: Node):
    stack = list(clause.children)
    while stack:
        n = stack.pop()
        if n.type == "comment":
            yield n
        elif n.type in ("block", "pass_statement", "expression_statement"):
            stack.extend(n.children)
