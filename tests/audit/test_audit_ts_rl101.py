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
