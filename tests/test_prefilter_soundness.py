"""Adversarial soundness cases for the rule prefilters (`Rule.requires`).

tests/test_prefilter.py checks that the fixtures and audit snippets give the same
findings with and without prefilters. This module adds sources written to slip past a
prefilter that reads the file's text too literally: aliases, implicit string
concatenation, whitespace and comments between tokens, optional chaining, bracket
access, template literals, TSX, names the shared name matcher (analyzers/naming.py)
derives from spellings that do not contain the credential word, and so on.

Each case is (rule code, path the source is checked as, source, flagged). The findings
must be identical with prefilters on and off (all rules on); `flagged` says whether
the case's rule reports in it (True: the rule must report with the prefilter on, and
its prefilter must accept the source). Cases that are not flagged document a variant
the rule itself does not recognise; they still have to agree both ways.
"""

from __future__ import annotations

import json
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

from reviewlens.analyzers import engine, registry
from reviewlens.analyzers.config import Settings
from reviewlens.analyzers.languages import FAMILY_OF, grammar_for_path
from reviewlens.analyzers.workspace import FileSystemWorkspace

NEXT_PACKAGE = {"name": "web", "private": True, "dependencies": {"next": "14.2.3", "react": "18.3.1"}}


@dataclass(frozen=True)
class Case:
    code: str
    path: str
    source: str
    flagged: bool = True
    # Write a package.json depending on `next` at the workspace root (RL402).
    next_project: bool = False

    @property
    def family(self) -> str:
        return FAMILY_OF[grammar_for_path(self.path)]

    def __str__(self) -> str:
        first = next((line.strip() for line in self.source.splitlines() if line.strip()), "")
        return f"{self.code}-{self.family}-{self.path}-{first[:40]}"


def py(code: str, source: str, flagged: bool = True, path: str = "app/main.py") -> Case:
    return Case(code, path, textwrap.dedent(source).lstrip("\n"), flagged)


def ts(code: str, source: str, flagged: bool = True, path: str = "src/lib/api.ts", next_project: bool = False) -> Case:
    return Case(code, path, textwrap.dedent(source).lstrip("\n"), flagged, next_project)


ROUTE = "app/api/items/route.ts"

CASES: list[Case] = [
    # --- RL101 debug-print (Python) ---------------------------------------------------
    py("RL101", """
        def f(x):
            print (x)
        """),
    py("RL101", """
        from pprint import pp as show

        def f(x):
            show(x)
        """),
    py("RL101", """
        from builtins import print as echo

        def f(x):
            echo(x)
        """),
    py("RL101", """
        import pprint as pr

        def f(x):
            pr.pp(
                # dump it
                x
            )
        """),
    py("RL101", """
        import builtins

        def f(x):
            builtins.print(x)
        """, flagged=False),
    # --- RL102 secret-in-log (Python) -------------------------------------------------
    py("RL102", """
        import logging

        log = logging.getLogger(__name__)

        def f(token):
            log . info("issued " f"token={token}")
        """),
    py("RL102", """
        import logging

        def f(request):
            logging.getLogger(__name__).warning("auth: %s", request.headers.get("Authorization"))
        """),
    py("RL102", """
        def f(API_KEY):
            print("key", API_KEY)
        """),
    # naming.py reads `...ies` as `...y`: `keies` is a `key`, with no `key` spelled.
    py("RL102", """
        def f(api_keies):
            print(api_keies)
        """),
    # ... but `apikeabs` is no `apikeys` (three letters are cut only from `...ies`).
    py("RL102", """
        def f(apikeabs):
            print(apikeabs)
        """, flagged=False),
    py("RL102", """
        def f(api_keys):
            print(api_keys)
        """),
    # --- RL301 hardcoded-secret (Python) ----------------------------------------------
    py("RL301", """
        SECRET_KEY = "change" 'me' "-now"
        """),
    py("RL301", """
        import os

        DB_PASSWORD = os.getenv("DB_PASSWORD") or "hunter2x"
        """),
    py("RL301", """
        from pydantic import SecretStr as S, SecretStr

        ADMIN = SecretStr("s3cr3t-value")
        """),
    py("RL301", """
        from pydantic import BaseModel, Field

        class Settings(BaseModel):
            api_keys: str = Field(default="hunter22x")
        """),
    py("RL301", """
        import os

        value = os.getenv("API_KEIES", "hunter22x")
        """),
    py("RL301", """
        DSN = "postgresql://app:hunter2@db:5432/app"
        """),
    # --- RL303 jwt-unverified (Python) ------------------------------------------------
    py("RL303", """
        import jwt as pyjwt

        def claims(t):
            return pyjwt.decode(t, options={"verify_signature": False})
        """),
    py("RL303", """
        from jose import jwt as j

        def claims(t):
            return j.get_unverified_claims(t)
        """),
    py("RL303", """
        from jwt import decode

        OPTIONS = dict(verify_signature=False)

        def claims(t):
            return decode(t, options=OPTIONS)
        """),
    # --- RL304 cors-wildcard-credentials (Python) ---------------------------------------
    py("RL304", """
        from fastapi import FastAPI
        from fastapi.middleware.cors import CORSMiddleware as Cors

        origins = ["*"]
        app = FastAPI()
        app.add_middleware(Cors, allow_origins=origins, allow_credentials = True)
        """),
    py("RL304", """
        from fastapi import FastAPI
        from starlette.middleware.cors import CORSMiddleware

        app = FastAPI()
        app.add_middleware(
            CORSMiddleware,
            allow_origin_regex="https://.*",
            # cookies too
            allow_credentials=True,
        )
        """),
    # --- RL305 error-detail-leak (Python) ---------------------------------------------
    py("RL305", """
        from fastapi import HTTPException as HE

        def f():
            try:
                g()
            except (OSError) as err:
                raise HE(500, detail=f"failed: {err}")
        """),
    py("RL305", """
        import traceback
        from fastapi.responses import JSONResponse

        def f():
            try:
                g()
            except Exception:
                return JSONResponse({"trace": traceback.format_exc()}, status_code=500)
        """),
    # --- RL201 blocking-call-in-async (Python) ------------------------------------------
    py("RL201", """
        from time import sleep as nap

        async  def handler():
            nap(1)
        """),
    py("RL201", """
        import subprocess as sp

        async def handler():
            sp.run(["ls"])
        """),
    py("RL201", """
        async def handler():
            with open("data.json") as fh:
                return fh.read()
        """),
    # The second term: the module of the blocking API is named somewhere in the file.
    py("RL201", """
        import json, time

        async def handler():
            time.sleep(1)
        """),
    py("RL201", """
        from sqlmodel import Session as S
        from fastapi import Depends

        async def handler(db: S = Depends(get_db)):
            return db.exec(select(User)).all()
        """),
    py("RL201", """
        import redis.asyncio
        import redis as r

        cache = r.Redis()

        async def handler():
            return cache.hgetall("k")
        """),
    py("RL201", """
        async def handler():
            return input ("name? ")
        """),
    py("RL201", """
        from app.db import Session

        async def handler(db: Session):
            return db.query(User).all()
        """, flagged=False),
    # --- RL401 fastapi-on-event (Python) ----------------------------------------------
    py("RL401", """
        from fastapi import FastAPI as F

        app = F()

        @app.on_event ( "startup" )
        async def start():
            pass
        """),
    py("RL401", """
        from fastapi import FastAPI

        app = FastAPI()

        async def close():
            pass

        app.add_event_handler(
            "shutdown", close)
        """),
    py("RL401", """
        from fastapi import FastAPI

        app = FastAPI()

        async def init():
            pass

        app.on_event("startup")(init)
        """),
    # --- RL501 bare-except (Python) ---------------------------------------------------
    py("RL501", """
        try:
            f()
        except :
            g()
        """),
    py("RL501", """
        import builtins

        try:
            f()
        except(builtins.Exception):
            ...
        """),
    # --- RL502 raise-without-from (Python) --------------------------------------------
    py("RL502", """
        try:
            f()
        except KeyError:
            raise errors.NotFound("x")
        """),
    py("RL502", """
        def f():
            try:
                g()
            except(ValueError)as e:
                raise RuntimeError("bad")
        """),
    # A line continuation right after `raise` is a named child before the exception.
    py("RL502", """
        def f():
            try:
                g()
            except ValueError as e:
                raise \\
                    RuntimeError("bad")
        """),
    py("RL502", """
        try:
            g()
        except \\
                ValueError:
            raise \\
                \\
                errors.BadRequest
        """),
    py("RL502", """
        def f():
            try:
                g()
            except ValueError:
                raise (  # not the ValueError
                    # a domain error
                    RuntimeError("bad")
                )
        """),
    py("RL502", """
        def f():
            try:
                g()
            except ValueError:
                raise ((RuntimeError))
        """),
    # --- RL307 shell-injection (Python) -----------------------------------------------
    py("RL307", """
        import subprocess as sp

        def f(name):
            sp.run("ls " + name, shell=True)
        """),
    py("RL307", """
        from os import system as run_it

        def f(name):
            run_it(f"ls {name}")
        """),
    py("RL307", """
        import asyncio

        async def f(name):
            await asyncio.create_subprocess_shell("ls %s" % name)
        """),
    # --- RL306 token-in-url (Python) --------------------------------------------------
    py("RL306", """
        import requests

        def f(t):
            return requests.get("https://api.example.com/v1/items?to" "ken=" + t)
        """),
    py("RL306", """
        import httpx

        def f(t):
            return httpx.get(f"https://api.example.com/v1/items?" f"access_token={t}")
        """),
    py("RL306", """
        import requests

        def f(t):
            url = "https://api.example.com/v1/items?session_id=%s" % t
            return requests.get(url)
        """),
    py("RL306", """
        import websockets

        async def f(t):
            return await websockets.connect(uri="wss://events.example.com/ws?jwt={}".format(t))
        """),
    # A `?` written as an escape is not read as one by the rule.
    py("RL306", """
        import requests

        def f(t):
            return requests.get("https://api.example.com/v1/items\\x3ftoken=" + t)
        """, flagged=False),
    # --- RL308 unauthenticated-user-param (Python) --------------------------------------
    py("RL308", """
        from fastapi import APIRouter as R

        router = R()

        @router.get("/users/{user_id}/orders")
        async def orders(user_id: int):
            return []
        """),
    py("RL308", """
        from fastapi import FastAPI, Query

        app = FastAPI()

        @app.delete("/accounts")
        def remove(
            account_id: str = Query(...),  # from the query string
        ):
            return None
        """),
    # --- RL101 debug-print (TS) -------------------------------------------------------
    ts("RL101", """
        export function f(x: number) {
          console
            .log(x);
        }
        """),
    ts("RL101", """
        export function f(x: number) {
          console?.debug(x);
        }
        """),
    ts("RL101", """
        export function View({ p }: { p: Promise<string> }) {
          p.then(console.table);
          return <div />;
        }
        """, path="app/components/view.tsx"),
    ts("RL101", """
        export function f(x: number) {
          console["log"](x);
        }
        """, flagged=False),
    # --- RL102 secret-in-log (TS) -----------------------------------------------------
    ts("RL102", """
        export function f(token: string) {
          console.info(`issued token=${token}`);
        }
        """),
    ts("RL102", """
        export function f(logger: any, accessToken: string) {
          logger
            .info({ accessToken });
        }
        """),
    ts("RL102", """
        export class S {
          logger: any;
          f(password: string) {
            this.logger.warn(JSON.stringify(password));
          }
        }
        """),
    # --- RL201 blocking-call-in-async (TS) --------------------------------------------
    ts("RL201", """
        import { readFileSync as read } from "node:fs";

        export async function GET() {
          return new Response(read("data.json", "utf8"));
        }
        """, path=ROUTE),
    ts("RL201", """
        import fs from "fs";

        export async function GET() {
          const all = ["a", "b"].map((f) => fs . readFileSync(f, "utf8"));
          return Response.json(all);
        }
        """, path=ROUTE),
    ts("RL201", """
        const { execSync: run } = require("child_process");

        export async function POST() {
          run("ls");
          return new Response("ok");
        }
        """, path=ROUTE),
    # --- RL501 bare-except (TS) -------------------------------------------------------
    ts("RL501", """
        export function f() {
          try { g(); } catch {}
        }
        """),
    ts("RL501", """
        export function f() {
          try {
            g();
          } catch (e) { ; }
        }
        """),
    ts("RL501", """
        export function f() {
          try { g(); } catch (e) { /* best effort */ }
        }
        """, flagged=False),
    # The empty block after a destructured parameter, a comment, odd spacing, NBSP.
    ts("RL501", """
        export function f() {
          try { g(); } catch ({ message = (String)(1) }) {}
        }
        """),
    ts("RL501", """
        export function f() {
          try { g(); } catch (e) /* ignored */ {
          }
        }
        """),
    ts("RL501", """
        export function f() {
          try { g(); } catch (e) // ignored
          {}
        }
        """),
    ts("RL501", """
        export function f() {
          try { g(); } catch\t(e)\u00a0{\u00a0;\u2028}
        }
        """),
    ts("RL501", """
        export function f() {
          try { g(); } catch
          {
          }
        }
        """),
    # An unterminated block at the end of a half-typed file: nothing to report.
    ts("RL501", """
        export function f() {
          try { g(); } catch (e) {
        """, flagged=False),
    # --- RL404 mutable-module-singleton (TS) ------------------------------------------
    ts("RL404", """
        let db: Db | undefined;
        export function setDb(x: Db) { db = x; }
        """),
    ts("RL404", """
        export let client = null, other = 1;
        export const init = (c: any) => {
          client = c;
        };
        """),
    # --- RL402 ssr-unsafe-browser-global (TS) -----------------------------------------
    ts("RL402", """
        export const width = window?.innerWidth ?? 0;
        """, next_project=True),
    ts("RL402", """
        const store = globalThis.document ? null : navigator
          .userAgent;
        export default store;
        """, next_project=True),
    ts("RL402", """
        export const theme = localStorage["theme"];
        """, path="src/lib/theme.tsx", next_project=True),
    # --- RL302 token-in-localstorage (TS) ---------------------------------------------
    ts("RL302", """
        export function save(t: string) {
          localStorage
            .setItem("token", t);
        }
        """),
    ts("RL302", """
        const KEY = "auth_token";
        export function save(t: string) {
          window.localStorage.setItem(KEY, t);
        }
        """),
    ts("RL302", """
        export function save(user: { id: string }) {
          localStorage["profile"] = JSON.stringify(user);
          globalThis.localStorage.accessToken = user.id;
        }
        """),
    ts("RL302", """
        export function save(t: string) {
          window?.localStorage?.setItem(`jwt`, t);
        }
        """),
    ts("RL302", """
        export function save(t: string) {
          window["localStorage"].setItem("token", t);
        }
        """, flagged=False),
    # --- RL403 use-client-root (TSX) --------------------------------------------------
    ts("RL403", """
        // The root page.
        'use client';
        export default function Page() { return <main />; }
        """, path="app/page.tsx"),
    ts("RL403", """
        "use strict";
        "use client"
        export default function Layout({ children }: any) { return <html>{children}</html>; }
        """, path="src/app/(marketing)/layout.tsx"),
    ts("RL403", """
        "use\\x20client";
        export default function Page() { return <main />; }
        """, path="app/page.tsx", flagged=False),
    # --- RL301 hardcoded-secret (TS) --------------------------------------------------
    # Secret names without `secret`, `pass`, `pwd`, `token` or `key` in them.
    ts("RL301", """
        export const jwt = "eyJhbGciOiJIUzI1NiJ9x";
        """),
    ts("RL301", """
        export const adminCredentials = "hunter22x";
        """),
    ts("RL301", """
        export const credential = "hunter22x";
        """),
    ts("RL301", """
        const JWT = process.env.JWT ?? "dev-only-value";
        export default JWT;
        """),
    ts("RL301", """
        export const api_keys = "hunter22x";
        """),
    ts("RL301", """
        export const config = { "apiKey": "live-value-123" };
        """),
    ts("RL301", """
        export function connect(user: string, passwd = "hunter22x") {}
        """),
    # The anchors are literals bound to a secret-looking name (typescript/bound_literals.py):
    # type annotations, comments, string keys, destructuring and declarator lists between.
    ts("RL301", """
        export const apiToken: Record<string, string> | string = "live-value-123";
        """),
    ts("RL301", """
        export const apiToken: {
          a: string;
          b: (x: number) => void;
        } | string = /* default */ "live-value-123";
        """),
    ts("RL301", """
        export const headers = { "X-Api-Key" /* header */ :
          // from the vault, someday
          "live-value-123" };
        """),
    ts("RL301", """
        export const headers = { 'it\\'s a secret': "live-value-123" };
        """),
    ts("RL301", """
        let a = 1, b = f(a, 2), password = `hunter2-value-123`;
        export { a, b, password };
        """),
    ts("RL301", """
        export function open({ token = "live-value-123" }: { token?: string } = {}) { return token; }
        """),
    ts("RL301", """
        class Client { private readonly apiSecret?: string = "live-value-123"; }
        export default Client;
        """),
    ts("RL301", """
        export const config = { url: "https://example.com//x", apiKey: "live-value-123" };
        """),
    ts("RL301", """
        export function setup(opts: { token?: string }) {
          opts.token = "live-value-123";
          if (opts.token === "x" || opts.token != "y") return;
        }
        """),
    # --- RL303 jwt-unverified (TS) ----------------------------------------------------
    ts("RL303", """
        import { decode as peek } from "jsonwebtoken";

        export async function GET(req: Request) {
          return Response.json(peek(req.headers.get("x") ?? ""));
        }
        """, path=ROUTE),
    ts("RL303", """
        import * as jose from "jose";

        export async function GET(req: Request) {
          return Response.json(jose.decodeJwt(req.headers.get("x") ?? ""));
        }
        """, path=ROUTE),
    ts("RL303", """
        const jwt = require("jsonwebtoken");

        export async function GET(req: Request) {
          return Response.json(jwt.decode(req.headers.get("x")));
        }
        """, path=ROUTE),
    # --- RL304 cors-wildcard-credentials (TS) -----------------------------------------
    ts("RL304", """
        import express from "express";
        import cors from "cors";

        const app = express();
        app.use(cors({ origin: true, "credentials": true }));
        """),
    ts("RL304", """
        import express from "express";
        import cors from "cors";

        const options = { origin: "*", credentials: true } as const;
        express().use(cors(options));
        """),
    ts("RL304", """
        export async function GET() {
          return new Response("ok", {
            headers: {
              "access-control-allow-origin": "*",
              'Access-Control-Allow-Credentials': "true",
            },
          });
        }
        """, path=ROUTE),
    # --- RL305 error-detail-leak (TS) -------------------------------------------------
    ts("RL305", """
        export function handler(req: any, res: any) {
          work().catch((e) => res.status(500).json({ error: e.message }));
        }
        """, path="src/server/handler.ts"),
    ts("RL305", """
        import { NextResponse } from "next/server";

        export async function GET() {
          try {
            await work();
          } catch (err) {
            return NextResponse.json({ error: String(err) }, { status: 500 });
          }
        }
        """, path=ROUTE),
    # Each kind of response the leak can go out through, however it is spaced.
    ts("RL305", """
        export function handler(req: any, reply: any) {
          try { work(); } catch (e) { reply
            .code(500)
            . send(e.message); }
        }
        """, path="src/server/handler.ts"),
    ts("RL305", """
        export async function mw(ctx: any) {
          try { await work(); } catch (e) { ctx?.throw(500, e.message); }
        }
        """, path="src/server/koa.ts"),
    ts("RL305", """
        export async function mw(ctx: any) {
          try { await work(); } catch (e) { ctx.body = { error: e.stack }; }
        }
        """, path="src/server/koa.ts"),
    ts("RL305", """
        import { TRPCError } from "@trpc/server";

        export function run() {
          try { work(); } catch (e) { throw new TRPCError({ code: "INTERNAL_SERVER_ERROR", message: (e as Error).message }); }
        }
        """, path="src/server/trpc.ts"),
    ts("RL305", """
        "use server";

        export async function save() {
          try { await work(); } catch (e) { return { error: `${e}` }; }
        }
        """, path="app/actions.ts"),
    ts("RL305", """
        import { json } from "@remix-run/node";

        export async function action() {
          try { await work(); } catch (e) { return json({ error: String(e) }, { status: 500 }); }
        }
        """, path="app/routes/save.ts"),
    ts("RL305", """
        export function handler(req: any, res: any) {
          try { work(); } catch (e) { res.status(500)./* answer */end(String(e)); }
        }
        """, path="src/server/handler.ts"),
    # Caught, and nowhere to leak it to: logged only.
    ts("RL305", """
        export function run() {
          try { work(); } catch (e) { console.error(e.message); }
        }
        """, flagged=False),
    # --- RL306 token-in-url (TS) ------------------------------------------------------
    ts("RL306", """
        export function open(t: string) {
          return new WebSocket(`wss://events.example.com/live?token=${t}`);
        }
        """),
    ts("RL306", """
        export function load(t: string) {
          return fetch("/api/items?access_token" + "=" + t);
        }
        """),
    ts("RL306", """
        export function load(t: string) {
          const url = "/api/items?session" + '=' + t;
          return fetch(url);
        }
        """),
    # The parameter name split across the pieces of a concatenation: the prefilter (and
    # the rule's own gate in finish) allow a piece boundary between any two characters.
    ts("RL306", """
        export function load(t: string) {
          return fetch("/api/items?to" + "ken=" + t);
        }
        """),
    ts("RL306", """
        export function load(t: string) {
          return fetch("/api/items?token" /* the name */ + "=" + t);
        }
        """),
    ts("RL306", """
        export function load(t: string) {
          return fetch(`https://api.example.com/v1/items?to` + "ken=" + t);
        }
        """),
    ts("RL306", """
        export function load(t: string) {
          return fetch(("/api/items?") + ("se" + 'ss') + (`ion` + "=") + t);
        }
        """),
    ts("RL306", """
        export function open(t: string) {
          return new WebSocket("wss://rt.example.com/live?J" + // it's "quoted"
            /* a 'block' */ 'W' +
            "" + `T=${t}`);
        }
        """),
    ts("RL306", """
        export function load(t: string) {
          const url = "/api/items?a=1&au" as string + ("th_t" + "oken")! + "=" + t;
          return fetch(url);
        }
        """),
    ts("RL306", """
        export function Feed({ t }: { t: string }) {
          const es = new EventSource("/api/events?S" + "ID" + "=" + t);
          return <div>{String(es)}</div>;
        }
        """, path="src/components/Feed.tsx"),
    # A cast to a type spelling a string splits the text for the rule too (not joined).
    ts("RL306", """
        export function load(t: string) {
          return fetch(("/api/items?to" as "/api/items?to") + "ken=" + t);
        }
        """, flagged=False),
    # --- anchors (analyzers/anchors.py): matches whose evidence lies outside them ------
    # The secret word is in the name the fallback is bound to, far from the `or`.
    py("RL301", """
        import os

        DB_PASSWORD = os.getenv(
            "PRIMARY_DATABASE_CONNECTION_SETTING",
            # a comment longer than the anchors' merge gap (analyzers/anchors.py, MERGE_GAP), so that the two ends of this case are matched as separate ranges ........
        ) or "hunter2-production-value"
        """),
    ts("RL301", """
        export const apiToken =
          // a comment longer than the anchors' merge gap (analyzers/anchors.py, MERGE_GAP), so that the two ends of this case are matched as separate ranges .......
          process.env.PRIMARY_UPSTREAM_CONNECTION_SETTING ??
          "s3cr3t-production-value-123";
        """),
    # An import far below the only `catch`: the semantic model must still see it.
    ts("RL303", """
        export function safe(run: () => void) {
          try { run(); } catch (e) {}
        }
        // a comment longer than the anchors' merge gap (analyzers/anchors.py, MERGE_GAP), so that the two ends of this case are matched as separate ranges .......
        import { jwtDecode } from "jwt-decode";

        export function user(header: string) {
          return jwtDecode<{ sub: string }>(header.slice(7)).sub;
        }
        """, path="server/auth.ts"),
    # A module-level `let` reassigned far from its declaration.
    ts("RL404", """
        import { connect, Client } from "./db";

        export let client: Client | undefined;
        // a comment longer than the anchors' merge gap (analyzers/anchors.py, MERGE_GAP), so that the two ends of this case are matched as separate ranges .......
        export async function init(url: string) {
          client = await connect(url);
        }
        """),
    # --- RL307 shell-injection (TS) ---------------------------------------------------
    ts("RL307", """
        import { exec as run } from "node:child_process";

        export function f(dir: string) {
          run(`ls ${dir}`);
        }
        """),
    ts("RL307", """
        export function f(dir: string) {
          require("child_process").exec("ls " + dir);
        }
        """),
    ts("RL307", """
        import { promisify } from "util";
        import { exec } from "child_process";

        const sh = promisify(exec);
        export async function f(dir: string) {
          await sh(`ls ${dir}`);
        }
        """),
]


def _findings(result) -> list[tuple]:
    return [
        (f.code, f.start, f.end, f.message, f.severity, repr(f.fix), tuple(repr(a) for a in f.alternatives))
        for f in result.findings
    ]


def _check(monkeypatch, tmp_path: Path, case: Case) -> tuple[list, list]:
    """Findings (all rules) with prefilters and anchors on and off, for `case` checked in
    a fresh workspace rooted at tmp_path."""
    if case.next_project:
        (tmp_path / "package.json").write_text(json.dumps(NEXT_PACKAGE))
    file = tmp_path / case.path
    file.parent.mkdir(parents=True, exist_ok=True)
    source = case.source.encode()
    file.write_bytes(source)
    out = []
    # (prefilters, anchors): all on, anchors alone, all off.
    for prefilter, anchors in ((True, True), (False, True), (False, False)):
        monkeypatch.setattr(engine, "PREFILTER", prefilter)
        monkeypatch.setattr(engine, "ANCHORS", anchors)
        result = engine.check_source(
            source, str(file), Settings(root=tmp_path), rel_path=case.path,
            workspace=FileSystemWorkspace([str(tmp_path)]),
        )
        assert not result.errors, result.errors
        out.append(_findings(result))
    assert out[1] == out[2], "anchors change the findings"
    return out[0], out[2]


def test_every_rule_has_cases():
    covered = {(c.code, c.family) for c in CASES if c.flagged}
    every = {(r.code, r.language) for r in registry.RULES}
    assert every - covered == set()
    for code, family in every:
        assert sum(1 for c in CASES if c.flagged and (c.code, c.family) == (code, family)) >= 2, (code, family)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_same_findings_with_and_without_prefilters(monkeypatch, tmp_path, case):
    with_pf, without = _check(monkeypatch, tmp_path, case)
    assert with_pf == without
    codes = [f[0] for f in with_pf]
    if case.flagged:
        assert case.code in codes, f"{case.code} does not report in:\n{case.source}"
    else:
        assert case.code not in codes


@pytest.mark.parametrize("case", [c for c in CASES if c.flagged], ids=str)
def test_flagged_cases_pass_their_rules_prefilter(case):
    rules = [r for r in registry.get(case.code) if r.language == case.family]
    assert rules
    for rule in rules:
        prefilter = rule.prefilter()
        assert prefilter is None or prefilter.matches(case.source.encode()), prefilter


def _name_forms(word: str) -> set[str]:
    """`word` and plural-looking spellings of it: `+s`, `+es`, `+` two letters `+s`, and
    for a word ending in `y`, `...ies` and `...` two letters `s` (the last ones are not
    read as `word` by naming.py, which is checked too: the prefilters need not spell them)."""
    out = {word, word + "s", word + "es", word + "xs"}
    if word.endswith("y"):
        out |= {word[:-1] + "ies", word[:-1] + "abs"}
    return out


def test_names_the_shared_matcher_accepts_pass_the_prefilters():
    """Rules that report a credential- or secret-named binding without a query predicate
    on the name (RL102, the `Field`/env-var/fallback paths of RL301, the TS RL301 matcher)
    rely on their prefilter spelling every word naming.py accepts: one and two-word names,
    snake, camel and upper case, including the plural forms it strips."""
    from reviewlens.analyzers import naming
    from reviewlens.analyzers.rules.typescript import hardcoded_secret as ts_secret

    by_key = {(r.code, r.language): r for r in registry.RULES}
    checks = [
        ("RL102 python", naming.is_credential_name, by_key["RL102", "python"].requires[0]),
        ("RL301 python", naming.is_secret_name, by_key["RL301", "python"].requires),
        ("RL301 typescript", ts_secret.is_secret_name, by_key["RL301", "typescript"].requires),
    ]
    words = (
        set(naming.CREDENTIAL_WORDS)
        | {w for pair in naming.CREDENTIAL_PAIRS for w in pair}
        | {part for w in naming.SECRET_WORDS | ts_secret.SECRET_WORDS for part in w.split("_")}
        | {"access", "refresh", "public", "max", "header", "my", "db"}
    )
    forms = sorted({f for w in words for f in _name_forms(w)})
    names = set(forms)
    for a in forms:
        for b in forms:
            names |= {f"{a}_{b}", a + b[:1].upper() + b[1:], f"{a}_{b}".upper()}
    missed: dict[str, list[str]] = {}
    for name in sorted(names):
        for label, accepts, pattern in checks:
            if accepts(name) and not re.search(pattern, name):
                missed.setdefault(label, []).append(name)
    assert not missed, {k: v[:10] for k, v in missed.items()}


def test_only_true_plurals_are_singularised():
    """naming.py strips `s`, `es` and `ies` -> `y` as suffixes, never three letters off
    any word ending in `s` (which made `apikeabs` an `apikey`)."""
    from reviewlens.analyzers import naming

    assert naming.is_secret_name("api_keys") and naming.is_credential_name("API_KEYS")
    assert naming.is_credential_name("cookies") and naming.is_credential_name("session_cookies")
    assert naming.is_secret_name("api_keies")  # `...ies` -> `...y`, like `entries`
    for name in ("apikeabs", "APIKEABS", "apikexys"):
        assert not naming.is_secret_name(name) and not naming.is_credential_name(name), name
