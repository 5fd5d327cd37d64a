"""The TypeScript security rules (issue 7: RL301, RL303-RL307) through `reviewlens serve`.

One session opens a realistic document per rule (the path gives the file role: an App
Router route handler is server code), waits for the pushed diagnostics, and checks each
rule's finding, its quick fixes and suppression actions as an editor would apply them.
"""

from __future__ import annotations

from .conftest import open_session

ROUTE = """import { NextRequest, NextResponse } from "next/server";
import jwt from "jsonwebtoken";
import { exec } from "node:child_process";

const JWT_SECRET = process.env.JWT_SECRET ?? "dev-secret";

export async function GET(req: NextRequest) {
  const claims = jwt.decode(req.headers.get("authorization") ?? "");
  try {
    exec(`convert ${req.nextUrl.searchParams.get("file")} out.png`);
    return NextResponse.json({ claims, signed: jwt.sign({}, JWT_SECRET) });
  } catch (e) {
    return NextResponse.json({ error: (e as Error).message }, { status: 500 });
  }
}
"""

SERVER = """import express from "express";
import cors from "cors";

const app = express();
app.use(cors({ origin: true, credentials: true }));
export default app;
"""

CLIENT = """"use client";
export function connect(token: string) {
  return new WebSocket(`wss://rt.example.com/feed?token=${token}`);
}
"""


def _line(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines()) if needle in line)


async def test_security_rules_publish_fix_and_suppress(tmp_path):
    async with open_session(tmp_path) as s:
        route = s.open("app/api/files/route.ts", ROUTE, "typescript")
        server = s.open("server/app.ts", SERVER, "typescript")
        client = s.open("components/feed.tsx", CLIENT, "typescriptreact")

        diags = await s.diagnostics(route, 1)
        by_code = {d.code: d for d in diags}
        assert {"RL301", "RL303", "RL305", "RL307"} <= set(by_code), [d.code for d in diags]
        assert by_code["RL301"].range.start.line == _line(ROUTE, "dev-secret")
        assert by_code["RL303"].range.start.line == _line(ROUTE, "jwt.decode")
        assert by_code["RL305"].range.start.line == _line(ROUTE, "(e as Error).message")
        assert by_code["RL307"].range.start.line == _line(ROUTE, "exec(`convert")
        assert all(d.source == "reviewlens" for d in diags)

        # RL301's unsafe quick fix drops the hardcoded fallback; the server then no longer reports it.
        actions = {a.title: a for a in await s.code_actions(route, [by_code["RL301"]])}
        fix = next(a for t, a in actions.items() if "fallback" in t)
        assert not fix.is_preferred  # unsafe fixes are never preferred
        assert s.buffers.apply(fix.edit)
        assert "const JWT_SECRET = process.env.JWT_SECRET;\n" in s.buffers.text[route]
        v = s.sync_buffer(route)
        assert "RL301" not in {d.code for d in await s.diagnostics(route, v)}

        # A rule without a fix still offers suppression: disable RL307 for the line.
        diags = await s.diagnostics(route, v)
        rl307 = next(d for d in diags if d.code == "RL307")
        actions = {a.title: a for a in await s.code_actions(route, [rl307])}
        assert not any("RL307" in t and "(unsafe)" in t for t in actions)  # no fix, only suppression
        assert s.buffers.apply(actions["Disable RL307 for this line"].edit)
        v = s.sync_buffer(route)
        assert {d.code for d in await s.diagnostics(route, v)} >= {"RL303", "RL305"}
        assert "RL307" not in {d.code for d in await s.diagnostics(route, v)}

        (cors,) = [d for d in await s.diagnostics(server, 1) if d.code == "RL304"]
        assert cors.range.start.line == _line(SERVER, "origin: true")
        (ws,) = [d for d in await s.diagnostics(client, 1) if d.code == "RL306"]
        assert ws.range.start.line == _line(CLIENT, "new WebSocket")
