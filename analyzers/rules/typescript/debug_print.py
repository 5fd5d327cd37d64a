"""RL101 debug-print (TypeScript / JavaScript)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ...languages import TYPESCRIPT
from ...model import Applicability, FixAvailability, Severity
from ...rule import Captures, Rule
from ...typescript.edits import delete_statement_edit, whole_statement
from ...typescript.gated import sound_filter, word_nodes
from ...typescript.scope import binding_scope

ROLE_NOTE = {
    "client": "it ships to every visitor's browser console",
    "shared": "this module runs in the browser and on the server",
    "server": "it bypasses the server's logger",
    "script": "",
}
DEBUG_METHODS = frozenset({"log", "debug", "info", "trace", "dir", "table"})
_CONSOLE = re.compile(rb"console")
_IDENTIFIER = frozenset({"identifier"})


class DebugPrint(Rule):
    """
    ## What it does
    Flags `console.log`, `console.debug`, `console.info`, `console.trace`, `console.dir`
    and `console.table`, whether called or passed as a reference (`.then(console.log)`).
    `console.error` and `console.warn` are not flagged, nor is a local or module-level
    variable or parameter named `console` (a logger facade). The message says whether the
    file runs in the browser (client), on the server, or both (shared).

    ## Why is this bad?
    In client code, console output ships to every visitor's browser: request payloads,
    user data and tokens end up in anyone's devtools. On the server it bypasses the
    logger, its levels and its redaction.

    ## Example
    ```tsx
    const res = await api.post("/login", form);
    console.log("login response", res.data);
    ```

    ## Use instead
    ```tsx
    const res = await api.post("/login", form);
    logger.debug("login succeeded");
    ```

    ## Fix safety
    Unsafe: the fix deletes the call when it is a whole statement in a statement list,
    which removes output someone may rely on. No fix is offered for a call used as an
    expression or passed as a reference.
    """

    code = "RL101"
    # Text prefilter (necessary condition): the query matches `console.<method>` only (`const { log } = console` still says console).
    requires = r"console"
    name = "debug-print"
    language = TYPESCRIPT
    severity = Severity.WARNING
    fix_availability = FixAvailability.SOMETIMES
    exempt_paths = True
    messages = {
        "default": "`console.{method}` left in {role} code{note}",
    }
    # Matched in finish() from the `console` names of the source (typescript/gated.py),
    # standing for
    #   (member_expression object: (identifier) @obj property: (property_identifier) @method
    #     (#eq? @obj "console") (#any-of? @method "log" "debug" "info" "trace" "dir" "table")) @member
    query = ""

    def finish(self) -> None:
        for _, captures in sound_filter(self.ctx, self._console_members()):
            self.on_match(captures, 0)

    def _console_members(self) -> Iterator[tuple[int, Captures]]:
        for obj in word_nodes(self.ctx, _CONSOLE, _IDENTIFIER):
            member = obj.parent
            if member is None or member.type != "member_expression" or member.child_by_field_name("object") != obj:
                continue
            method = member.child_by_field_name("property")
            if method is not None and method.type == "property_identifier" and method.text.decode() in DEBUG_METHODS:
                yield 0, {"obj": [obj], "method": [method], "member": [member]}

    def on_match(self, captures: Captures, pattern: int) -> None:
        member = captures["member"][0]
        if binding_scope("console", member) is not None:
            return  # a local or module `console` (a logger facade, a test double), not the global
        method = captures["method"][0].text.decode()
        parent = member.parent
        is_call = parent is not None and parent.type == "call_expression" and parent.child_by_field_name("function") == member
        target = parent if is_call else member
        fix = None
        if is_call:
            stmt = whole_statement(parent)
            if stmt is not None:
                fix = self.make_fix(
                    f"Delete the console.{method} statement",
                    [delete_statement_edit(self.ctx.source, stmt)],
                    Applicability.UNSAFE,
                )
        role = self.ctx.role
        note = ROLE_NOTE.get(role, "")
        self.report(target, fix=fix, method=method, role=role, note=f": {note}" if note else "")
