"""Audit of RL201 blocking-call-in-async (TS/JS) against the catalog text."""

from __future__ import annotations

import pytest

from ._ts_audit import apply_fixes, cases, check, lines

CODE = "RL201"
ROUTE = "app/api/report/route.ts"

TABLE = [
    ("readFileSync-in-route", ROUTE,
     'import fs from "fs";\nexport async function GET() {\n  const data = fs.readFileSync("data.json", "utf8");\n  return Response.json(JSON.parse(data));\n}\n', [3]),
    ("named-import-writeFileSync", ROUTE,
     'import { writeFileSync } from "fs";\nexport async function POST(req: Request) {\n  writeFileSync("/tmp/x", await req.text());\n  return new Response(null);\n}\n', [3]),
    ("node-prefix-existsSync", "pages/api/upload.ts",
     'import * as fs from "node:fs";\nexport default async function handler(req, res) {\n  if (fs.existsSync("/tmp/u")) res.status(409).end();\n}\n', [3]),
    ("require-in-express", "server/routes.js",
     'const fs = require("fs");\nconst express = require("express");\nconst router = express.Router();\nrouter.get("/f", async (req, res) => {\n  res.send(fs.readFileSync("f.txt"));\n});\n', [5]),
    ("child-process-execSync", "server/git.ts",
     'import { execSync } from "child_process";\nexport async function sha() {\n  return execSync("git rev-parse HEAD").toString();\n}\n', [3]),
    ("child-process-namespace", "server/git.ts",
     'import child_process from "child_process";\nexport async function run() {\n  child_process.spawnSync("ls");\n  child_process.execFileSync("ls", ["-la"]);\n}\n', [3, 4]),
    ("async-method", "server/store.ts",
     'import fs from "fs";\nexport class Store {\n  async load() {\n    return fs.readFileSync("db.json", "utf8");\n  }\n}\n', [4]),
    ("sync-function-not", "server/store.ts",
     'import fs from "fs";\nexport function load() {\n  return fs.readFileSync("db.json", "utf8");\n}\n', []),
    ("module-scope-not", "server/store.ts",
     'import fs from "fs";\nconst CONFIG = fs.readFileSync("config.json", "utf8");\nexport async function get() { return CONFIG; }\n', []),
    ("promises-not", ROUTE,
     'import fs from "fs/promises";\nexport async function GET() {\n  return new Response(await fs.readFile("x"));\n}\n', []),
    ("getStaticProps-not", "pages/blog/[slug].tsx",
     'import fs from "fs";\nexport async function getStaticProps() {\n  const posts = fs.readdirSync("posts");\n  return { props: { posts } };\n}\nexport default function Page() { return null; }\n', []),
    ("getStaticPaths-not", "pages/blog/[slug].tsx",
     'import fs from "fs";\nexport const getStaticPaths = async () => {\n  return { paths: fs.readdirSync("posts"), fallback: false };\n};\nexport default function Page() { return null; }\n', []),
    ("generateStaticParams-not", "app/blog/[slug]/page.tsx",
     'import fs from "fs";\nexport async function generateStaticParams() {\n  return fs.readdirSync("posts").map((slug) => ({ slug }));\n}\nexport default async function Page() { return null; }\n', []),
    ("config-file-not", "next.config.mjs",
     'import fs from "fs";\nexport default async () => ({ env: { V: fs.readFileSync("VERSION", "utf8") } });\n', []),
    ("scripts-not", "scripts/build.ts",
     'import fs from "fs";\nasync function main() { fs.writeFileSync("out", "x"); }\nmain();\n', []),
    ("test-not", "lib/store.test.ts",
     'import fs from "fs";\nit("x", async () => { fs.readFileSync("f"); });\n', []),
    ("other-object-not", ROUTE,
     'const cache = new Map();\nexport async function GET() {\n  return Response.json(cache.readFileSync?.("x"));\n}\n', []),
]


@pytest.mark.parametrize("path, src, expected, extra", cases(TABLE))
def test_rl201(tmp_path, path, src, expected, extra):
    assert lines(src, check(tmp_path, path, src, CODE, extra)) == expected


def test_fix_read_file_sync_to_promises(tmp_path):
    src = 'import fs from "fs";\nexport async function GET() {\n  const data = fs.readFileSync("data.json", "utf8");\n  return Response.json(JSON.parse(data));\n}\n'
    out = apply_fixes(tmp_path, ROUTE, src, CODE)
    assert "readFileSync" not in out
    assert 'await fs.promises.readFile("data.json", "utf8")' in out or "readFile(" in out and "await" in out
    assert check(tmp_path, ROUTE, out, CODE) == []


def test_exec_sync_has_no_fix(tmp_path):
    src = 'import { execSync } from "child_process";\nexport async function f() { execSync("ls"); }\n'
    (f,) = check(tmp_path, "server/x.ts", src, CODE)
    assert f.fix is None


def test_fix_named_imports_and_member_access(tmp_path):
    src = 'import { readFileSync, writeFileSync } from "fs";\nexport async function POST(req: Request) {\n  const a = readFileSync("a", "utf8");\n  writeFileSync("b", a);\n  return new Response(a);\n}\n'
    out = apply_fixes(tmp_path, ROUTE, src, CODE)
    assert 'await fsPromises.readFile("a", "utf8")' in out and 'await fsPromises.writeFile("b", a)' in out
    src2 = 'import * as fs from "node:fs";\nexport async function GET() {\n  const n = fs.readdirSync(".").length;\n  return new Response(String(n));\n}\n'
    out2 = apply_fixes(tmp_path, ROUTE, src2, CODE)
    assert '(await fs.promises.readdir(".")).length' in out2


def test_no_fix_without_promise_twin_or_in_sync_callback(tmp_path):
    src = 'import fs from "fs";\nexport async function f(xs: string[]) {\n  if (fs.existsSync("a")) return xs.map((x) => fs.readFileSync(x));\n}\n'
    found = check(tmp_path, "server/x.ts", src, CODE)
    assert len(found) == 2 and all(f.fix is None for f in found)
