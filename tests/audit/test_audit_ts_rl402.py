"""Audit of RL402 ssr-unsafe-browser-global against the catalog text."""

from __future__ import annotations

import json

import pytest

from ._ts_audit import NEXT_PKG, cases, check, lines

CODE = "RL402"
LIB = "lib/api.ts"
NEXT = {"package.json": NEXT_PKG}

TABLE = [
    ("localStorage-module-scope", LIB, 'const token = localStorage.getItem("token");\nexport const headers = { Authorization: `Bearer ${token}` };\n', [1], NEXT),
    ("window-location", LIB, "export const BASE = window.location.origin;\n", [1], NEXT),
    ("document-cookie", LIB, "const cookies = document.cookie.split(';');\nexport default cookies;\n", [1], NEXT),
    ("navigator-language", LIB, "export const LANG = navigator.language;\n", [1], NEXT),
    ("sessionStorage-call-statement", LIB, 'sessionStorage.setItem("boot", "1");\n', [1], NEXT),
    ("pages-router-page", "pages/index.tsx",
     'const width = window.innerWidth;\nexport default function Home() {\n  return <div>{width}</div>;\n}\n', [1], NEXT),
    ("route-handler-server", "app/api/x/route.ts", "const ua = navigator.userAgent;\nexport async function GET() { return new Response(ua); }\n", [1], NEXT),
    ("typeof-guard-ternary", LIB, 'export const token = typeof window !== "undefined" ? localStorage.getItem("token") : null;\n', [], NEXT),
    ("typeof-guard-if", LIB, 'let t: string | null = null;\nif (typeof window !== "undefined") {\n  t = window.localStorage.getItem("t");\n}\nexport { t };\n', [], NEXT),
    ("typeof-guard-and", LIB, 'export const dark = typeof window !== "undefined" && window.matchMedia("(prefers-color-scheme: dark)").matches;\n', [], NEXT),
    ("guard-constant", LIB, 'const isBrowser = typeof window !== "undefined";\nexport const w = isBrowser ? window.innerWidth : 0;\n', [], NEXT),
    ("guard-reversed-loose", LIB, 'export const w = "undefined" != typeof window ? window.innerWidth : 0;\n', [], NEXT),
    ("guard-else-branch", LIB, 'if (typeof window === "undefined") {\n  // server\n} else {\n  document.title = "x";\n}\n', [], NEXT),
    ("guard-function-helper", LIB, 'const isBrowser = () => typeof window !== "undefined";\nexport const t = isBrowser() ? localStorage.getItem("t") : null;\n', [], NEXT),
    ("typeof-and-types-not", LIB, 'type W = typeof window;\nlet d: Document | null = null;\nexport { d };\n', [], NEXT),
    ("listener-at-module-scope", LIB, "window.addEventListener('resize', () => {});\n", [1], NEXT),
    ("config-file-script-role", "next.config.js", "const w = window;\nmodule.exports = {};\n", [], NEXT),
    ("inside-useEffect", "components/Theme.tsx",
     'import { useEffect } from "react";\nexport function Theme() {\n  useEffect(() => {\n    document.body.dataset.theme = localStorage.getItem("theme") ?? "light";\n  }, []);\n  return null;\n}\n', [], NEXT),
    ("inside-function", LIB, 'export function getToken() {\n  return localStorage.getItem("token");\n}\n', [], NEXT),
    ("inside-event-handler-arrow", LIB, 'export const onClick = () => window.scrollTo(0, 0);\n', [], NEXT),
    ("use-client-module", "components/Widget.tsx", '"use client";\nconst w = window.innerWidth;\nexport function Widget() { return <p>{w}</p>; }\n', [], NEXT),
    ("no-ssr-framework", LIB, 'const token = localStorage.getItem("token");\nexport default token;\n', [],
     {"package.json": json.dumps({"dependencies": {"react": "18.2.0", "vite": "5.0.0"}})}),
    ("no-package-json", LIB, 'const token = localStorage.getItem("token");\nexport default token;\n', []),
    ("remix-project", "app/utils.ts", "export const BASE = window.location.origin;\n", [1],
     {"package.json": json.dumps({"dependencies": {"@remix-run/react": "2.0.0"}})}),
    ("local-variable-named-window", LIB, "const window = { x: 1 };\nexport const x = window.x;\n", [], NEXT),
]


@pytest.mark.parametrize("path, src, expected, extra", cases(TABLE))
def test_rl402(tmp_path, path, src, expected, extra):
    assert lines(src, check(tmp_path, path, src, CODE, extra)) == expected


def test_nearest_package_json_decides(tmp_path):
    # A monorepo: the Next.js app in web/, a plain Node package in tools/.
    extra = {"web/package.json": NEXT_PKG, "tools/package.json": json.dumps({"dependencies": {"commander": "1"}})}
    src = "export const BASE = window.location.origin;\n"
    assert lines(src, check(tmp_path, "web/lib/base.ts", src, CODE, extra)) == [1]
    assert check(tmp_path, "tools/lib/base.ts", src, CODE, extra) == []


WIDGET = 'const width = window.innerWidth;\nexport function Widget() {\n  return <p>{width}</p>;\n}\n'


def test_component_imported_only_from_client_is_client(tmp_path):
    extra = {
        "package.json": NEXT_PKG,
        "app/dashboard/Panel.tsx": '"use client";\nimport { Widget } from "../../components/Widget";\nexport function Panel() { return <Widget />; }\n',
    }
    assert check(tmp_path, "components/Widget.tsx", WIDGET, CODE, extra) == []


def test_component_imported_from_server_component_is_flagged(tmp_path):
    extra = {
        "package.json": NEXT_PKG,
        "app/page.tsx": 'import { Widget } from "../components/Widget";\nexport default function Page() { return <Widget />; }\n',
    }
    assert lines(WIDGET, check(tmp_path, "components/Widget.tsx", WIDGET, CODE, extra)) == [1]
