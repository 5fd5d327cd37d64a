"""Audit of RL301 hardcoded-secret (TS/JS) against the catalog text."""

from __future__ import annotations

import pytest

from reviewlens.analyzers.model import Applicability

from ._ts_audit import apply_fixes, cases, check, lines

CODE = "RL301"
LIB = "lib/config.ts"

TABLE = [
    ("const-jwt-secret", LIB, 'export const JWT_SECRET = "s3cr3t-value-123";\n', [1]),
    ("camel-api-key", LIB, 'const apiKey = "a1b2c3d4e5";\n', [1]),
    ("object-key", LIB, 'export const config = {\n  clientSecret: "abcdef123456",\n  password: "hunter2",\n};\n', [2, 3]),
    ("quoted-object-key", LIB, 'export const creds = { "api_key": "abc123xyz" };\n', [1]),
    ("member-assignment", LIB, 'const opts: any = {};\nopts.accessKey = "AKXYZ123456";\n', [2]),
    ("env-nullish-fallback", LIB, 'export const secret = process.env.JWT_SECRET ?? "dev-secret";\n', [1]),
    ("env-or-fallback", LIB, 'export const token = process.env.API_TOKEN || "changeme";\n', [1]),
    ("placeholder-flagged", LIB, 'export const SECRET_KEY = "<your-key>";\n', [1]),
    ("default-parameter", LIB, 'export function connect(password = "admin123") { return password; }\n', [1]),
    ("class-field", LIB, 'export class Client {\n  private apiKey = "k-123456";\n}\n', [2]),
    ("connection-url", LIB, 'export const DB = "postgresql://app:pa55word@db:5432/app";\n', [1]),
    ("mongodb-srv-url", "server/db.js", 'mongoose.connect("mongodb+srv://u:p4ss@cluster0.mongodb.net/app");\n', [1]),
    ("url-template-placeholder-not", LIB, 'export const DB = `postgresql://app:${process.env.DB_PASSWORD}@db/app`;\n', []),
    ("openai-key-anywhere", LIB, 'const client = new OpenAI({ key: "sk-proj-abcdefghijklmnopqrstuvwxyz123456" });\n', [1]),
    ("github-token-anywhere", LIB, 'const x = "ghp_abcdefghijklmnopqrstuvwxyz0123456789";\n', [1]),
    ("object-placeholder-changeme", LIB, 'export const smtp = { host: "mail", password: "changeme" };\n', [1]),
    ("call-argument-default-creds", LIB, 'login({ username: "admin", password: "admin" });\n', [1]),
    ("capitalized-label-not", LIB, 'export const labels2 = { password: "Password", token: "Token" };\n', []),
    ("empty-string-not", LIB, 'export let token = "";\n', []),
    ("token-url-not", LIB, 'export const TOKEN_URL = "https://auth.example.com/oauth/token";\nconst tokenEndpoint = "/api/auth/token";\n', []),
    ("name-suffixes-not", LIB, 'const PASSWORD_FIELD = "password";\nconst tokenHeader = "X-Auth-Token";\nconst secretName = "prod/db";\nconst tokenType = "bearer";\n', []),
    ("storage-key-name-not", LIB, 'const TOKEN_KEY_NAME = "auth_token";\n', []),
    ("prose-not", LIB, 'const passwordHint = "Password must be at least 8 characters";\nconst password = "Enter your password";\n', []),
    ("max-tokens-not", LIB, 'const maxTokens = "4096";\n', []),
    ("env-only-not", LIB, 'export const secret = process.env.JWT_SECRET!;\n', []),
    ("test-file-exempt", "lib/auth.test.ts", 'const password = "hunter2";\n', []),
]


@pytest.mark.parametrize("path, src, expected, extra", cases(TABLE))
def test_rl301(tmp_path, path, src, expected, extra):
    assert lines(src, check(tmp_path, path, src, CODE, extra)) == expected


def test_fix_uses_process_env(tmp_path):
    src = 'export const JWT_SECRET = "s3cr3t-value-123";\n'
    out = apply_fixes(tmp_path, LIB, src, CODE, Applicability.UNSAFE)
    assert "process.env.JWT_SECRET" in out and "s3cr3t" not in out
    assert check(tmp_path, LIB, out, CODE) == []


def test_fix_is_unsafe_only(tmp_path):
    (f,) = check(tmp_path, LIB, 'export const JWT_SECRET = "s3cr3t-value-123";\n', CODE)
    assert f.fix is not None and f.fix.applicability == Applicability.UNSAFE


@pytest.mark.parametrize("src, expected", [
    ('export const secret = process.env.JWT_SECRET ?? "dev-secret";\n', "export const secret = process.env.JWT_SECRET;\n"),
    ('export const db = { password: "admin" };\n', "export const db = { password: process.env.PASSWORD };\n"),
    ('export class C { private apiKey = "k-123456"; }\n', "export class C { private apiKey = process.env.API_KEY; }\n"),
    ('const { JWT_SECRET = "dev" } = process.env;\n', "const { JWT_SECRET } = process.env;\n"),
])
def test_fix_variants(tmp_path, src, expected):
    assert apply_fixes(tmp_path, LIB, src, CODE, Applicability.UNSAFE) == expected
