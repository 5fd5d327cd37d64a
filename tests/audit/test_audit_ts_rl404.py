"""Audit of RL404 mutable-module-singleton against the catalog text."""

from __future__ import annotations

import pytest

from ._ts_audit import cases, check, lines

CODE = "RL404"
LIB = "lib/db.ts"

TABLE = [
    ("injected-client", LIB, "let client: DbClient;\nexport function setClient(c: DbClient) {\n  client = c;\n}\nexport const q = (s: string) => client.query(s);\n", [1]),
    ("lazy-init-in-arrow", LIB, "let redis = null;\nexport const init = (url) => {\n  redis = connect(url);\n};\n", [1]),
    ("reassigned-in-method", "server/app.js", "let app;\nclass Server {\n  start() {\n    app = createApp();\n  }\n}\n", [1]),
    # Documented precision tightenings (not service injection): counters and write-once lazy init.
    ("compound-assignment-counter-not", LIB, "let requests = 0;\nexport function hit() {\n  requests += 1;\n}\n", []),
    ("increment-counter-not", LIB, "let counter = 0;\nexport function next() {\n  return counter++;\n}\n", []),
    ("lazy-init-guarded-not", LIB, "let prisma;\nexport function db() {\n  if (!prisma) prisma = new PrismaClient();\n  return prisma;\n}\n", []),
    ("lazy-init-nullish-not", LIB, "let pool;\nexport const getPool = () => (pool ??= createPool());\n", []),
    ("setter-and-reset", "server/mailer.ts", "let mailer: Mailer | null = null;\nexport function configureMailer(m: Mailer) {\n  mailer = m;\n}\nexport function reset() {\n  mailer = null;\n}\n", [1]),
    ("scripts-not-exempt", "scripts/migrate.ts", "let db;\nasync function connect() {\n  db = await open();\n}\n", [1]),
    ("test-body-not", "lib/db.test.ts", "let id;\nit('creates', () => {\n  id = create();\n});\n", []),
    ("test-hook-not", "lib/db.test.ts", "let db;\nbeforeEach(() => {\n  db = makeDb();\n});\n", []),
    ("multiple-declarators", LIB, "let a = 1, b = 2;\nexport function f() { b = 3; }\n", [1]),
    ("const-not", LIB, "const cache = new Map();\nexport function put(k, v) { cache.set(k, v); }\n", []),
    ("let-never-reassigned-not", LIB, "let base = '/api';\nexport function url(p: string) { return base + p; }\n", []),
    ("reassigned-at-module-scope-not", LIB, "let env = 'dev';\nif (process.env.PROD) env = 'prod';\nexport { env };\n", []),
    ("local-let-not", LIB, "export function f() {\n  let x = 1;\n  x = 2;\n  return x;\n}\n", []),
    ("shadowed-in-function-not", LIB, "let client = null;\nexport function f() {\n  let client = make();\n  client = wrap(client);\n  return client;\n}\n", []),
    ("parameter-shadow-not", LIB, "let token = '';\nexport function f(token: string) {\n  token = token.trim();\n  return token;\n}\n", []),
]


@pytest.mark.parametrize("path, src, expected, extra", cases(TABLE))
def test_rl404(tmp_path, path, src, expected, extra):
    assert lines(src, check(tmp_path, path, src, CODE, extra)) == expected
