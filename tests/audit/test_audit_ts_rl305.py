"""Audit of RL305 error-detail-leak (TS) against the catalog text."""

from __future__ import annotations

import pytest

from ._ts_audit import cases, check, lines

CODE = "RL305"
ROUTE = "app/api/orders/route.ts"
EXP = "server/routes/orders.ts"
EHEAD = 'import express from "express";\nconst router = express.Router();\n'

TABLE = [
    ("next-response-message", ROUTE,
     'import { NextResponse } from "next/server";\nexport async function POST(req: Request) {\n  try {\n    return NextResponse.json(await save(await req.json()));\n  } catch (e) {\n    return NextResponse.json({ error: (e as Error).message }, { status: 500 });\n  }\n}\n', [6]),
    ("response-json-stack", ROUTE,
     'export async function GET() {\n  try {\n    return Response.json(await load());\n  } catch (err: any) {\n    return Response.json({ stack: err.stack }, { status: 500 });\n  }\n}\n', [5]),
    ("new-response-template", ROUTE,
     'export async function GET() {\n  try {\n    return new Response(await load());\n  } catch (e) {\n    return new Response(`failed: ${e}`, { status: 500 });\n  }\n}\n', [5]),
    ("express-status-json", EXP,
     EHEAD + 'router.get("/", async (req, res) => {\n  try {\n    res.json(await db.all());\n  } catch (error) {\n    res.status(500).json({ message: error.message });\n  }\n});\n', [7]),
    ("express-send-string", EXP,
     EHEAD + 'router.get("/", async (req, res) => {\n  try {\n    res.json(await db.all());\n  } catch (e) {\n    res.status(500).send(String(e));\n  }\n});\n', [7]),
    ("via-local-variable", EXP,
     EHEAD + 'router.post("/", async (req, res) => {\n  try {\n    await db.insert(req.body);\n  } catch (e: any) {\n    const detail = e.message;\n    res.status(500).json({ detail });\n  }\n});\n', [8]),
    ("scripts-not-exempt", "scripts/dev-server.ts",
     EHEAD + 'router.get("/", async (req, res) => {\n  try {\n    res.json(await db.all());\n  } catch (e) {\n    res.status(500).json({ error: e.message });\n  }\n});\n', [7]),
    ("promise-catch-callback", EXP,
     EHEAD + 'router.get("/", (req, res) => {\n  db.all().then((r) => res.json(r)).catch((err) => res.status(500).json({ error: err.message }));\n});\n', [4]),
    ("instanceof-fallback-via-local", ROUTE,
     'import { NextResponse } from "next/server";\nexport async function GET() {\n  try {\n    return NextResponse.json(await load());\n  } catch (e) {\n    const message = e instanceof Error ? e.message : "Unknown error";\n    return NextResponse.json({ error: message }, { status: 500 });\n  }\n}\n', [7]),
    ("log-only-not", EXP,
     EHEAD + 'router.get("/", async (req, res) => {\n  try {\n    res.json(await db.all());\n  } catch (e) {\n    console.error(e.message, e.stack);\n    res.status(500).json({ error: "Internal server error" });\n  }\n});\n', []),
    ("generic-next-not", ROUTE,
     'import { NextResponse } from "next/server";\nexport async function GET() {\n  try {\n    return NextResponse.json(await load());\n  } catch (e) {\n    return NextResponse.json({ error: "Something went wrong" }, { status: 500 });\n  }\n}\n', []),
    ("outside-catch-not", EXP,
     EHEAD + 'router.get("/", (req, res) => {\n  const e = new Error("x");\n  res.json({ message: e.message });\n});\n', []),
    ("other-error-message-not", EXP,
     EHEAD + 'router.get("/", async (req, res) => {\n  try {\n    res.json(await db.all());\n  } catch (e) {\n    const msg = { message: "Not found" };\n    res.status(404).json(msg);\n  }\n});\n', []),
]


@pytest.mark.parametrize("path, src, expected, extra", cases(TABLE))
def test_rl305(tmp_path, path, src, expected, extra):
    assert lines(src, check(tmp_path, path, src, CODE, extra)) == expected
