"""RL501 bare-except (TypeScript / JavaScript): empty `catch` blocks."""

from __future__ import annotations

from ...languages import TYPESCRIPT
from ...model import FixAvailability, Severity
from ...rule import Captures, Rule, compile_prefilter
from ...typescript.prefilters import empty_block_after_header


class EmptyCatch(Rule):
    """
    ## What it does
    Flags an empty `catch` block: `catch {}` or `catch (e) {}`. A block holding only a
    comment (`catch { /* optional: the file may not exist */ }`) documents a deliberate
    choice and is not flagged; nor are promise `.catch(() => {})` callbacks.

    ## Why is this bad?
    An empty handler swallows every error, including the ones nobody anticipated: a typo
    (`TypeError`), a failed request, a quota error from `localStorage`. The program goes on
    in a state nobody reasoned about and nothing is logged to debug it.

    ## Example
    ```ts
    try {
      await saveDraft(draft);
    } catch (e) {}
    ```

    ## Use instead
    ```ts
    try {
      await saveDraft(draft);
    } catch (e) {
      logger.warn("draft not saved", e);
    }
    ```
    or say why ignoring is right:
    ```ts
    try {
      localStorage.setItem("draft", json);
    } catch {
      // storage full or disabled (Safari private mode): drafts are best effort
    }
    ```

    ## Fix safety
    No fix in TypeScript: what to do with the error (log, rethrow, recover) is a decision.
    """

    code = "RL501"
    # Text prefilter (necessary condition): `catch`, and an empty block after a `)`, the
    # word `catch` or a comment (`prefilter`: most files with a `catch` have none).
    requires = r"catch"
    # Anchor: The `catch` keyword of the clause.
    anchor = r"\bcatch\b"
    name = "bare-except"
    language = TYPESCRIPT
    severity = Severity.WARNING
    fix_availability = FixAvailability.NONE
    messages = {
        "default": "Empty `catch` block swallows every error: handle or log it, or add a comment saying why it is ignored",
    }
    query = """
    (catch_clause body: (statement_block) @body) @catch
    """

    @classmethod
    def prefilter(cls, options=None):
        return compile_prefilter(cls.requires, empty_block_after_header)

    def on_match(self, captures: Captures, pattern: int) -> None:
        body = captures["body"][0]
        # Statements or a comment between the braces. (tree-sitter may hang a comment that
        # follows the closing brace on the block: only what lies inside the braces counts.)
        # A lone `;` (an empty statement) does nothing: `catch (e) { ; }` is still empty.
        if any(c.end_byte < body.end_byte and c.type != "empty_statement" for c in body.named_children):
            return
        catch = captures["catch"][0]
        self.report((catch.start_byte, body.end_byte))
