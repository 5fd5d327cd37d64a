"""Audit of RL101 debug-print (TS/JS) against the catalog text."""

from __future__ import annotations

import pytest

from reviewlens.analyzers.model import Applicability

from ._ts_audit import apply_fixes, cases, check, lines

CODE = "RL101"
LIB = "lib/api.ts"

TABLE = [
    ("console-log", LIB, "export function f(x: number) {\n  console.log(x);\n}\n", [2]),
    ("console-debug-info-trace", LIB, "console.debug('a');\nconsole.info('b');\nconsole.trace('c');\n", [1, 2, 3]),
    ("console-dir-table", LIB, "const rows = [1];\nconsole.dir(rows);\nconsole.table(rows);\n", [2, 3]),
    ("then-console-log-reference", LIB, "fetch('/api').then((r) => r.json()).then(console.log);\n", [1]),
    ("reference-as-argument", LIB, "[1, 2].forEach(console.info);\n", [1]),
    ("console-error-not-flagged", LIB, "try { run(); } catch (e) { console.error(e); }\n", []),
    ("console-warn-not-flagged", LIB, "console.warn('deprecated');\nfetch('/x').catch(console.error);\n", []),
    ("route-handler", "app/api/users/route.ts", "export async function GET() {\n  console.log('GET users');\n  return Response.json([]);\n}\n", [2]),
    ("client-component", "components/Button.tsx", '"use client";\nexport function Button() {\n  console.log("render");\n  return <button />;\n}\n', [3]),
    ("express-server-js", "server/index.js", "const express = require('express');\nconst app = express();\napp.listen(3000, () => console.log('listening'));\n", [3]),
    ("test-file-exempt", "components/Button.test.tsx", "console.log('debug');\n", []),
    ("spec-file-exempt", "lib/api.spec.ts", "console.log('debug');\n", []),
    ("tests-dir-exempt", "__tests__/api.ts", "console.log('debug');\n", []),
    ("e2e-exempt", "e2e/login.ts", "console.log('debug');\n", []),
    ("scripts-exempt", "scripts/seed.ts", "console.log('seeded');\n", []),
    ("shadowed-console-not", LIB, "const console = { log: (..._a: unknown[]) => {} };\nconsole.log('x');\n", []),
    ("parameter-console-not", LIB, "export function run(console: Console) {\n  console.log('x');\n}\n", []),
    ("optional-call", LIB, "console.log?.('x');\n", [1]),
    ("other-object-log", LIB, "import { logger } from './logger';\nlogger.log('x');\nMath.log(2);\n", []),
]


@pytest.mark.parametrize("path, src, expected, extra", cases(TABLE))
def test_rl101(tmp_path, path, src, expected, extra):
    assert lines(src, check(tmp_path, path, src, CODE, extra)) == expected


def test_message_names_role(tmp_path):
    (f,) = check(tmp_path, "app/api/users/route.ts", "export function GET() { console.log('x'); }\n", CODE)
    assert "server" in f.message
    (g,) = check(tmp_path, "components/Nav.tsx", '"use client";\nconsole.log("x");\n', CODE)
    assert "client" in g.message


def test_fix_deletes_whole_statement_only(tmp_path):
    src = "export function f(x: number) {\n  console.log(x);\n  return x;\n}\n"
    out = apply_fixes(tmp_path, LIB, src, CODE, Applicability.UNSAFE)
    assert "console" not in out and "return x;" in out
    ref = "fetch('/api').then(console.log);\n"
    (f,) = check(tmp_path, LIB, ref, CODE)
    assert f.fix is None  # a reference is not a whole expression statement


TSCONFIG = '{"compilerOptions": {"baseUrl": ".", "paths": {"@/*": ["./*"]}}}'
CLIENT_IMPORTER = {"app/x/C.tsx": '"use client";\nimport { B } from "../../components/B";\n'}
COMPONENT = "export function B() {\n  console.log(1);\n  return null;\n}\n"

ROLES = [
    ("src-middleware", "src/middleware.ts", "console.log(1);\n", None, "server"),
    ("src-pages-api", "src/pages/api/x.ts", "console.log(1);\n", None, "server"),
    ("route-js", "app/api/x/route.js", "console.log(1);\n", None, "server"),
    ("server-only-import", LIB, 'import "server-only";\nconsole.log(1);\n', None, "server"),
    ("node-fs-import", LIB, 'import fs from "node:fs";\nconsole.log(1);\n', None, "server"),
    ("express-require", LIB, 'const express = require("express");\nconsole.log(1);\n', None, "server"),
    ("next-server-import", LIB, 'import { NextResponse } from "next/server";\nconsole.log(1);\n', None, "server"),
    ("server-folder", "src/server/trpc.ts", "console.log(1);\n", None, "server"),
    ("use-server-module", "app/actions.ts", '"use server";\nconsole.log(1);\n', None, "server"),
    ("plain-lib", LIB, "console.log(1);\n", None, "shared"),
    ("component-imported-by-client-and-server", "components/B.tsx", COMPONENT,
     {**CLIENT_IMPORTER, "app/page.tsx": 'import { B } from "../components/B";\n'}, "shared"),
    ("component-only-client-importer", "components/B.tsx", COMPONENT, CLIENT_IMPORTER, "client"),
    ("component-through-barrel-and-alias", "components/B.tsx", COMPONENT,
     {"components/index.ts": 'export * from "./B";\n', "app/x/C.tsx": '"use client";\nimport { B } from "@/components";\n', "tsconfig.json": TSCONFIG}, "client"),
    ("test-importer-ignored", "components/B.tsx", COMPONENT, {**CLIENT_IMPORTER, "components/B.test.tsx": 'import { B } from "./B";\n'}, "client"),
    ("component-nobody-imports", "components/B.tsx", COMPONENT, None, "shared"),
]


@pytest.mark.parametrize("path, src, extra, role", [pytest.param(*r[1:], id=r[0]) for r in ROLES])
def test_role_in_message(tmp_path, path, src, extra, role):
    (f,) = check(tmp_path, path, src, CODE, extra)
    assert f" in {role} code" in f.message, f.message
