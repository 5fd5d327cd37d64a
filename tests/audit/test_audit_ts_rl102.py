"""Audit of RL102 secret-in-log (TS) against the catalog text."""

from __future__ import annotations

import pytest

from ._ts_audit import cases, check, lines

CODE = "RL102"
LIB = "lib/auth.ts"

TABLE = [
    ("log-token-name", LIB, "export function f(token: string) {\n  console.log(token);\n}\n", [2]),
    ("error-with-password", LIB, "export function f(password: string) {\n  console.error('login failed', password);\n}\n", [2]),
    ("template-interpolation", LIB, "export function f(accessToken: string) {\n  console.info(`token=${accessToken}`);\n}\n", [2]),
    ("member-access-token", LIB, "export function f(res: any) {\n  console.log('got', res.data.access_token);\n}\n", [2]),
    ("authorization-header", LIB, "export function f(req: any) {\n  const authorization = req.headers.authorization;\n  console.debug(authorization);\n}\n", [3]),
    ("api-key-camel", LIB, "export function f(apiKey: string) {\n  console.warn(`using ${apiKey}`);\n}\n", [2]),
    ("cookie", LIB, "export function f(cookie: string) {\n  console.log('cookie', cookie);\n}\n", [2]),
    ("session-id", LIB, "export function f(sessionId: string) {\n  console.log(sessionId);\n}\n", [2]),
    ("jwt-secret", "server/auth.ts", "const JWT_SECRET = process.env.JWT_SECRET;\nconsole.log('secret is', JWT_SECRET);\n", [2]),
    ("pino-logger-object", "server/auth.ts", 'import pino from "pino";\nconst logger = pino();\nexport function f(password: string) {\n  logger.info({ password }, "login");\n}\n', [4]),
    ("nest-this-logger", "server/auth.service.ts", 'export class AuthService {\n  private logger = new Logger();\n  issue(token: string) {\n    this.logger.debug(`issued ${token}`);\n  }\n}\n', [4]),
    ("fastify-req-log", "server/routes.ts", 'export async function h(req: any) {\n  req.log.info({ authorization: req.headers.authorization });\n}\n', [2]),
    ("logger-without-secret-not", "server/auth.ts", 'export function f(userId: string, logger: any) {\n  logger.info({ userId }, "login ok");\n}\n', []),
    ("max-tokens-not", LIB, "export function f(maxTokens: number, tokenCount: number) {\n  console.log(maxTokens, tokenCount);\n}\n", []),
    ("token-usage-not", LIB, "export function f(usage: any) {\n  console.log(usage.tokens_used, usage.token_limit);\n}\n", []),
    ("password-policy-not", LIB, "export function f(passwordPolicy: string) {\n  console.log(passwordPolicy);\n}\n", []),
    ("shorthand-object", LIB, "export function f(token: string) {\n  console.log({ token });\n}\n", [2]),
    ("predicate-not", LIB, "export function f(hasToken: boolean, isAuthenticated: boolean) {\n  console.log(hasToken, isAuthenticated);\n}\n", []),
    ("token-length-not", LIB, "export function f(token: string) {\n  console.log('len', token.length);\n}\n", []),
    ("string-mentioning-token-not", LIB, "console.log('token refreshed');\n", []),
    ("authorized-not", LIB, "export function f(isAuthorized: boolean, author: string) {\n  console.log(author);\n}\n", []),
    ("test-exempt", "lib/auth.test.ts", "const token = 'x';\nconsole.log(token);\n", []),
]


@pytest.mark.parametrize("path, src, expected, extra", cases(TABLE))
def test_rl102(tmp_path, path, src, expected, extra):
    assert lines(src, check(tmp_path, path, src, CODE, extra)) == expected


def test_no_fix(tmp_path):
    (f,) = check(tmp_path, LIB, "export function f(token: string) { console.log(token); }\n", CODE)
    assert f.fix is None
