"""File roles (catalog "File roles"): client, server, shared, script, with import following."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from reviewlens.analyzers.config import Settings
from reviewlens.analyzers.context import FileContext
from reviewlens.analyzers.languages import grammar_for_path, parse
from reviewlens.analyzers.typescript import project
from reviewlens.analyzers.typescript.project import (
    import_specifiers,
    resolve_import,
    tsconfig_paths,
)
from reviewlens.analyzers.workspace import FileSystemWorkspace, NullWorkspace


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)


def role_of(root: Path, rel: str, ws=None) -> str:
    path = root / rel
    source = path.read_bytes() if path.exists() else b""
    grammar = grammar_for_path(str(path))
    ctx = FileContext(
        str(path), source, parse(source, grammar), grammar, Settings(root=root), rel,
        ws if ws is not None else FileSystemWorkspace([str(root)]),
    )
    return ctx.role


@pytest.fixture
def app(tmp_path: Path) -> Path:
    write(tmp_path, {
        "package.json": json.dumps({"dependencies": {"next": "14.2.3", "react": "18.3.1"}}),
        "tsconfig.json": '{\n // comment\n "compilerOptions": {"baseUrl": ".", "paths": {"@/*": ["./src/*"]},},\n}\n',
        "src/app/page.tsx": 'import { Hero } from "@/components/Hero";\nexport default function Page() { return <Hero/>; }\n',
        "src/app/layout.tsx": 'import { Providers } from "./providers";\nexport default function L({children}) { return <Providers>{children}</Providers>; }\n',
        "src/app/providers.tsx": '"use client";\nimport { Modal } from "../components";\nimport { ThemeButton } from "@/components/ThemeButton";\nexport function Providers({children}) { return <><Modal/><ThemeButton/>{children}</>; }\n',
        "src/components/index.ts": 'export * from "./Modal";\nexport { Card } from "./Card";\n',
        "src/components/Modal.tsx": 'export function Modal() { return <div/>; }\n',
        "src/components/Card.tsx": 'export function Card() { return <div/>; }\n',
        "src/components/ThemeButton.tsx": 'import { useState } from "react";\nimport { Icon } from "./Icon.js";\nexport function ThemeButton() { useState(); return <Icon/>; }\n',
        "src/components/Icon.tsx": 'export const Icon = () => <svg/>;\n',
        "src/components/Hero.tsx": 'export function Hero() { return <h1/>; }\n',
        "src/components/Orphan.tsx": 'export function Orphan() { return <p/>; }\n',
        "src/components/Tested.tsx": 'export function Tested() { return <p/>; }\n',
        "src/components/__tests__/Tested.test.tsx": 'import { Tested } from "../Tested";\n',
        "src/components/Loop.tsx": '"use client";\nimport { A } from "./LoopA";\nexport const Loop = () => <A/>;\n',
        "src/components/LoopA.tsx": 'import { B } from "./LoopB";\nexport const A = () => <B/>;\n',
        "src/components/LoopB.tsx": 'import { A } from "./LoopA";\nexport const B = () => <A/>;\n',
        "src/lib/format.ts": 'export const fmt = (n: number) => n.toFixed(2);\n',
        "src/lib/db.ts": 'import { readFileSync } from "node:fs";\nexport const x = 1;\n',
        "src/lib/auth.ts": 'import "server-only";\nexport const y = 1;\n',
        "src/lib/actions.ts": '// actions\n"use server";\nexport async function save() {}\n',
        "src/lib/api.js": 'const express = require("express");\nmodule.exports = express();\n',
        "src/app/api/users/route.ts": "export async function GET() {}\n",
        "pages/api/hello.ts": "export default function h() {}\n",
        "pages/index.tsx": "export default function Home() { return <main/>; }\n",
        "src/middleware.ts": "export function middleware() {}\n",
        "src/server/jobs.ts": "export const run = () => 1;\n",
        "scripts/seed.ts": "console.log(1);\n",
        "next.config.mjs": "export default {};\n",
        "tailwind.config.ts": "export default {};\n",
        "e2e/login.spec.ts": "test('x', () => {});\n",
        "src/components/Button.stories.tsx": 'import { Modal } from "./Modal";\n',
    })
    return tmp_path


@pytest.mark.parametrize("rel,role", [
    ("scripts/seed.ts", "script"),
    ("next.config.mjs", "script"),
    ("tailwind.config.ts", "script"),
    ("e2e/login.spec.ts", "script"),
    ("src/components/__tests__/Tested.test.tsx", "script"),
    ("src/app/providers.tsx", "client"),
    ("src/app/api/users/route.ts", "server"),
    ("pages/api/hello.ts", "server"),
    ("src/middleware.ts", "server"),
    ("src/server/jobs.ts", "server"),
    ("src/lib/db.ts", "server"),
    ("src/lib/auth.ts", "server"),
    ("src/lib/actions.ts", "server"),
    ("src/lib/api.js", "server"),
    ("src/lib/format.ts", "shared"),
    ("pages/index.tsx", "shared"),
    ("src/app/page.tsx", "shared"),
])
def test_roles_by_path_directive_and_imports(app, rel, role):
    assert role_of(app, rel) == role


def test_component_imported_only_from_client_modules_is_client(app):
    # Through a barrel (components/index.ts is transparent) and through the @/ alias.
    assert role_of(app, "src/components/Modal.tsx") == "client"
    assert role_of(app, "src/components/ThemeButton.tsx") == "client"
    # Two hops: ThemeButton (client by inference) imports Icon ("./Icon.js" written for .tsx).
    assert role_of(app, "src/components/Icon.tsx") == "client"


def test_component_imported_from_a_server_component_is_shared(app):
    assert role_of(app, "src/components/Hero.tsx") == "shared"


def test_barrel_exports_that_no_client_uses_stay_shared(app):
    # Card is re-exported by the barrel that a client module imports: still only client importers.
    assert role_of(app, "src/components/Card.tsx") == "client"
    write(app, {"src/app/about/page.tsx": 'import { Card } from "@/components";\nexport default () => <Card/>;\n'})
    project._GRAPHS.clear()
    assert role_of(app, "src/components/Card.tsx") == "shared"


def test_no_importer_or_only_tests_and_stories_is_not_client(app):
    assert role_of(app, "src/components/Orphan.tsx") == "shared"
    assert role_of(app, "src/components/Tested.tsx") == "shared"


def test_import_cycles_terminate(app):
    assert role_of(app, "src/components/LoopA.tsx") == "client"
    assert role_of(app, "src/components/LoopB.tsx") == "client"


def test_non_react_module_is_never_client_by_inference(app):
    write(app, {"src/lib/util.ts": "export const u = 1;\n",
                "src/app/widget.tsx": '"use client";\nimport { u } from "@/lib/util";\nexport const W = () => <i>{u}</i>;\n'})
    project._GRAPHS.clear()
    assert role_of(app, "src/lib/util.ts") == "shared"


def test_without_a_workspace_components_are_shared(app):
    assert role_of(app, "src/components/Modal.tsx", NullWorkspace()) == "shared"


def test_overlay_buffers_are_seen(app):
    ws = FileSystemWorkspace([str(app)])
    page = str(app / "src/app/page.tsx")
    ws.overlay[page] = '"use client";\nimport { Hero } from "@/components/Hero";\nexport default () => <Hero/>;\n'
    assert role_of(app, "src/components/Hero.tsx", ws) == "client"


def test_import_specifiers_skip_type_imports():
    text = (
        'import type { A } from "./types";\nimport { b } from "./b";\nimport "./side";\n'
        'export { c } from "./c";\nconst d = require("./d");\nconst e = await import("./e");\n'
        'import {\n  f,\n  g as h,\n} from "./fg";\n'
    )
    assert import_specifiers(text) == ["./b", "./side", "./c", "./d", "./e", "./fg"]


def _regex_specifiers(text: str) -> list[str]:
    """What import_specifiers stands for: every _SPEC_RE match, `import type` left out."""
    from reviewlens.analyzers.typescript import project

    out = []
    for m in project._SPEC_RE.finditer(text):
        if m.group(1) == "from":
            start = max(text.rfind("import", 0, m.start()), text.rfind("export", 0, m.start()))
            if start != -1 and project._TYPE_ONLY_RE.match(text, start):
                continue
        out.append(m.group(2))
    return out


@pytest.mark.parametrize("text", [
    'import x from "a"; from "b"',
    'xfrom "a"; require("b"); requires("c"); _import("d")',
    'from "a" from "b" import("c")',
    'require("from \'q\'") + import( "r" )',
    'import type { A } from "t"; import b from "c"; export type { D } from "e"',
    'from from "q"; importfrom "z"; import\n"nl"',
    '// import x from "commented"\n/* require("block") */ const s = "from \'in-string\'";',
    'import a from "a";import b from "b";export * from "c";',
    'const m = await import("./lazy");\nconst n = require(\n  "./multi"\n);',
])
def test_import_specifiers_are_the_regex_matches(text):
    assert import_specifiers(text) == _regex_specifiers(text)


def test_resolution_of_relative_alias_and_index(app):
    ws = FileSystemWorkspace([str(app)])
    paths = tsconfig_paths(ws, str(app))
    assert paths is not None
    importer = str(app / "src/app/providers.tsx")
    assert resolve_import(ws, importer, "../components", paths) == str(app / "src/components/index.ts")
    assert resolve_import(ws, importer, "@/components/Modal", paths) == str(app / "src/components/Modal.tsx")
    assert resolve_import(ws, importer, "react", paths) is None
    assert resolve_import(ws, importer, "./missing", paths) is None


class _Recorder:
    """Like the result cache's dependency recorder: wraps a workspace, exposes `inner`."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.reads: list[str] = []

    def read_text(self, path):
        self.reads.append(path)
        return self.inner.read_text(path)

    def exists(self, path):
        return self.inner.exists(path)

    def root_of(self, path):
        return self.inner.root_of(path)

    def list_files(self, folder, suffixes, limit=5000):
        raise AssertionError("the graph is built from the inner workspace, once")


def test_wrapped_workspace_reuses_the_graph_and_records_the_deciding_files(app):
    inner = FileSystemWorkspace([str(app)])
    rec = _Recorder(inner)
    assert role_of(app, "src/components/Modal.tsx", inner) == "client"
    assert role_of(app, "src/components/Modal.tsx", rec) == "client"
    assert str(app / "src/components/index.ts") in rec.reads
    assert str(app / "src/app/providers.tsx") in rec.reads
