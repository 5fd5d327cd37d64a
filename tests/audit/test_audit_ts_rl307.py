"""Audit of RL307 shell-injection (TS/JS) against the catalog text."""

from __future__ import annotations

import pytest

from ._ts_audit import cases, check, lines

CODE = "RL307"
SRV = "server/git.ts"

TABLE = [
    ("exec-template", SRV, 'import { exec } from "child_process";\nexport function clone(url: string) {\n  exec(`git clone ${url}`);\n}\n', [3]),
    ("execSync-concat", SRV, 'import { execSync } from "child_process";\nexport function log(branch: string) {\n  return execSync("git log " + branch).toString();\n}\n', [3]),
    ("namespace-exec", SRV, 'import * as cp from "child_process";\nexport function run(file: string) {\n  cp.exec(`convert ${file} out.png`, () => {});\n}\n', [3]),
    ("child_process-execSync", SRV, 'import child_process from "child_process";\nexport function run(f: string) {\n  child_process.execSync(`cat ${f}`);\n}\n', [3]),
    ("require-js", "server/tools.js", 'const { exec } = require("child_process");\nfunction ping(host) {\n  exec("ping -c 1 " + host);\n}\n', [3]),
    ("node-prefix", SRV, 'import { execSync } from "node:child_process";\nexport function f(req: any) {\n  execSync(`ls ${req.query.dir}`);\n}\n', [3]),
    ("route-handler", "app/api/convert/route.ts",
     'import { exec } from "child_process";\nexport async function POST(req: Request) {\n  const { name } = await req.json();\n  exec(`ffmpeg -i ${name} out.mp4`);\n  return new Response("ok");\n}\n', [4]),
    ("scripts-not-exempt", "scripts/deploy.ts", 'import { execSync } from "child_process";\nexport function push(tag: string) {\n  execSync(`docker push app:${tag}`);\n}\n', [3]),
    ("literal-not", SRV, 'import { exec, execSync } from "child_process";\nexec("git status");\nexecSync(`git rev-parse HEAD`);\n', []),
    ("execFile-args-not", SRV, 'import { execFile } from "child_process";\nexport function clone(url: string) {\n  execFile("git", ["clone", url]);\n}\n', []),
    ("spawn-args-not", SRV, 'import { spawn } from "child_process";\nexport function clone(url: string) {\n  spawn("git", ["clone", url]);\n}\n', []),
    ("regex-exec-not", "lib/parse.ts", 'export function f(s: string) {\n  return /a(\\d+)/.exec(`x${s}`);\n}\n', []),
    ("db-exec-not", "lib/db.ts", 'export function f(db: any, t: string) {\n  return db.exec(`SELECT * FROM ${t}`);\n}\n', []),
]


@pytest.mark.parametrize("path, src, expected, extra", cases(TABLE))
def test_rl307(tmp_path, path, src, expected, extra):
    assert lines(src, check(tmp_path, path, src, CODE, extra)) == expected


def test_no_fix(tmp_path):
    src = 'import { exec } from "child_process";\nexport function f(u: string) { exec(`git clone ${u}`); }\n'
    (f,) = check(tmp_path, SRV, src, CODE)
    assert f.fix is None
