"""Audit of RL303 jwt-unverified (TS) against the catalog text."""

from __future__ import annotations

import pytest

from ._ts_audit import cases, check, lines

CODE = "RL303"
MW = "middleware.ts"

TABLE = [
    ("jsonwebtoken-decode-in-middleware", MW,
     'import jwt from "jsonwebtoken";\nimport { NextResponse } from "next/server";\nexport function middleware(req) {\n  const claims = jwt.decode(req.cookies.get("t")?.value);\n  return NextResponse.next();\n}\n', [4]),
    ("jsonwebtoken-namespace-in-api-route", "pages/api/me.ts",
     'import * as jwt from "jsonwebtoken";\nexport default function handler(req, res) {\n  const user = jwt.decode(req.headers.authorization.slice(7));\n  res.json(user);\n}\n', [3]),
    ("jsonwebtoken-require-express", "server/auth.js",
     'const jwt = require("jsonwebtoken");\nconst express = require("express");\nfunction auth(req, res, next) {\n  req.user = jwt.decode(req.headers.token);\n  next();\n}\n', [4]),
    ("jose-decodeJwt-in-route", "app/api/me/route.ts",
     'import { decodeJwt } from "jose";\nexport async function GET(req: Request) {\n  const claims = decodeJwt(req.headers.get("authorization")!.slice(7));\n  return Response.json(claims);\n}\n', [3]),
    ("jwt-decode-in-route", "app/api/me/route.ts",
     'import { jwtDecode } from "jwt-decode";\nexport async function GET(req: Request) {\n  return Response.json(jwtDecode(req.headers.get("x-token")!));\n}\n', [3]),
    ("verify-in-module-not", MW,
     'import jwt from "jsonwebtoken";\nexport function middleware(req) {\n  const t = req.cookies.get("t")?.value;\n  const header = jwt.decode(t, { complete: true });\n  return jwt.verify(t, process.env.JWT_SECRET!);\n}\n', []),
    ("jose-jwtVerify-not", "app/api/me/route.ts",
     'import { decodeJwt, jwtVerify } from "jose";\nexport async function GET(req: Request) {\n  const t = req.headers.get("x-token")!;\n  await jwtVerify(t, new TextEncoder().encode(process.env.SECRET));\n  return Response.json(decodeJwt(t));\n}\n', []),
    ("client-component-not", "components/UserMenu.tsx",
     '"use client";\nimport { jwtDecode } from "jwt-decode";\nexport function UserMenu({ token }: { token: string }) {\n  const { name } = jwtDecode<{ name: string }>(token);\n  return <span>{name}</span>;\n}\n', []),
    ("shared-lib-not", "lib/session.ts",
     'import { jwtDecode } from "jwt-decode";\nexport function expiresAt(token: string) {\n  return jwtDecode(token).exp;\n}\n', []),
    ("unrelated-decode-not", "app/api/x/route.ts",
     'export async function GET() {\n  const s = decodeURIComponent("a%20b");\n  const b = Buffer.from("x", "base64");\n  return new Response(s + b);\n}\n', []),
    ("decode-of-other-object-not", "server/codec.ts",
     'import { TextDecoder } from "util";\nconst decoder = new TextDecoder();\nexport function f(b: Uint8Array) { return decoder.decode(b); }\n', []),
]


@pytest.mark.parametrize("path, src, expected, extra", cases(TABLE))
def test_rl303(tmp_path, path, src, expected, extra):
    assert lines(src, check(tmp_path, path, src, CODE, extra)) == expected


def test_no_fix(tmp_path):
    src = 'import jwt from "jsonwebtoken";\nexport function middleware(req) { return jwt.decode(req.t); }\n'
    (f,) = check(tmp_path, MW, src, CODE)
    assert f.fix is None


def test_component_imported_only_from_client_not_flagged(tmp_path):
    src = 'import { jwtDecode } from "jwt-decode";\nexport function Avatar({ t }: { t: string }) {\n  return <img alt={jwtDecode<{ sub: string }>(t).sub} />;\n}\n'
    extra = {"app/Shell.tsx": '"use client";\nimport { Avatar } from "../components/Avatar";\nexport function Shell() { return <Avatar t="x" />; }\n'}
    assert check(tmp_path, "components/Avatar.tsx", src, CODE, extra) == []


def test_server_action_flagged(tmp_path):
    src = '"use server";\nimport jwt from "jsonwebtoken";\nexport async function whoami(t: string) {\n  return jwt.decode(t);\n}\n'
    assert lines(src, check(tmp_path, "app/actions.ts", src, CODE)) == [4]
