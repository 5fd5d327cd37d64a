"""File roles for TS/JS (catalog: "File roles"): client, server, shared or script."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..context import FileContext

CLIENT, SERVER, SHARED, SCRIPT = "client", "server", "shared", "script"

_SERVER_MODULES = {
    "fs", "fs/promises", "child_process", "next/server", "server-only", "express", "fastify",
    "koa", "@hapi/hapi", "hapi", "http", "https", "net", "@nestjs/core", "@nestjs/common",
}
_SCRIPT_PATH = re.compile(r"(^|/)(scripts|tests?|__tests__|e2e|cypress|playwright)/|(^|/)[^/]*\.(test|spec|config)\.[^/]+$|(^|/)setupTests\.")
_SERVER_PATH = re.compile(
    r"(^|/)app/(.*/)?route\.(ts|js|mjs|tsx|jsx)$|(^|/)pages/api/|(^|/)middleware\.(ts|js)$|(^|/)server/"
)
_USE_CLIENT = re.compile(rb"""^(?:\s|//[^\n]*\n|/\*.*?\*/)*['"]use client['"]""", re.S)
_USE_SERVER = re.compile(rb"""^(?:\s|//[^\n]*\n|/\*.*?\*/)*['"]use server['"]""", re.S)


def file_role(ctx: "FileContext") -> str:
    rel = ctx.rel_path
    if _SCRIPT_PATH.search(rel):
        return SCRIPT
    if _USE_CLIENT.match(ctx.source):
        return CLIENT
    if _USE_SERVER.match(ctx.source) or _SERVER_PATH.search(rel):
        return SERVER
    modules = ctx.ts.module_sources()
    if modules & _SERVER_MODULES:
        return SERVER
    return SHARED
