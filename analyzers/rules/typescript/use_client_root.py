"""RL403 use-client-root (TSX / JSX)."""

from __future__ import annotations

import os
import re

from tree_sitter import Node

from ...languages import TYPESCRIPT
from ...model import FixAvailability, Severity
from ...rule import Rule
from ...typescript.scope import string_value

# The App Router root: `app/page.tsx`, `app/layout.tsx` (or under `src/`), also inside
# route groups, which do not add a URL segment: `app/(marketing)/page.tsx`.
ROOT_FILE = re.compile(r"(?:^|/)(?:src/)?app/(?:\([^/()]+\)/)?(page|layout)\.(tsx|jsx|js)$")

PROJECT_MARKERS = ("package.json", "next.config.js", "next.config.mjs", "next.config.ts", "tsconfig.json")


def directives(program: Node) -> list[tuple[Node, str]]:
    """The directive prologue: leading string expression statements (comments skipped)."""
    out = []
    for child in program.named_children:
        if child.type == "comment":
            continue
        if child.type == "expression_statement" and child.named_children:
            value = string_value(child.named_children[0]) if child.named_children[0].type == "string" else None
            if value is not None:
                out.append((child, value))
                continue
        break
    return out


class UseClientRoot(Rule):
    """
    ## What it does
    Flags a `"use client"` directive in a Next.js App Router root page or root layout:
    `app/page.tsx` and `app/layout.tsx` (also under `src/`, and the root page or layout of a
    route group such as `app/(marketing)/page.tsx`).

    ## Why is this bad?
    `"use client"` marks the boundary below which everything is a Client Component. At the
    root, the whole application becomes client-rendered: no Server Components, no
    server-side data fetching without a client waterfall, `metadata` exports are rejected
    in a client layout, and every dependency is shipped to the browser.

    ## Example
    ```tsx
    // app/page.tsx
    "use client";
    import { useState } from "react";
    export default function Home() {
      const [open, setOpen] = useState(false);
      return <Menu open={open} onToggle={() => setOpen(!open)} />;
    }
    ```

    ## Use instead
    Keep the root a Server Component and move the interactive part into its own client
    component:
    ```tsx
    // app/page.tsx
    import { MenuToggle } from "./menu-toggle"; // "use client" lives in that file
    export default function Home() {
      return <MenuToggle />;
    }
    ```

    ## Fix safety
    No fix: splitting the interactive part out of the root is a refactoring.
    """

    code = "RL403"
    requires = r"use client"
    name = "use-client-root"
    language = TYPESCRIPT
    severity = Severity.INFO
    fix_availability = FixAvailability.NONE
    messages = {
        "default": '`"use client"` in the App Router root {kind} `{path}` makes the whole tree below it '
        "client-rendered; move the interactive part into a client component",
    }
    query = ""

    def finish(self) -> None:
        if self.ctx.grammar != "tsx":
            return
        m = ROOT_FILE.search(self.ctx.rel_path)
        if m is None or (m.start() > 0 and not self._at_project_root(m)):
            return
        for stmt, value in directives(self.ctx.tree.root_node):
            if value == "use client":
                self.report(stmt, kind=m.group(1), path=self.ctx.rel_path)
                return

    def _at_project_root(self, m: re.Match) -> bool:
        """`apps/web/app/page.tsx` is a root when `apps/web` holds the project's package.json or
        next.config; `components/app/page.tsx` is not."""
        tail = self.ctx.rel_path[m.start() :].lstrip("/")
        path = os.path.abspath(self.ctx.path).replace(os.sep, "/")
        if not path.endswith(tail):
            return False
        folder = path[: len(path) - len(tail)].rstrip("/")
        ws = self.ctx.workspace
        return any(ws.exists(f"{folder}/{name}") for name in PROJECT_MARKERS)
