"""Audit of RL302 token-in-localstorage against the catalog text."""

from __future__ import annotations

import pytest

from ._ts_audit import cases, check, lines

CODE = "RL302"
AUTH = "lib/auth.ts"

TABLE = [
    ("setItem-literal-key", AUTH, 'export function save(t: string) {\n  localStorage.setItem("token", t);\n}\n', [2]),
    ("window-localStorage", AUTH, 'export function save(t: string) {\n  window.localStorage.setItem("accessToken", t);\n}\n', [2]),
    ("index-assignment", AUTH, 'export function save(k: string, jwt: string) {\n  localStorage[k] = jwt;\n}\n', [2]),
    ("property-assignment", AUTH, 'export function save(v: string) {\n  localStorage.token = v;\n}\n', [2]),
    ("destructured-response-field", AUTH,
     'const KEY = "k";\nexport async function login(api: any, body: unknown) {\n  const res = await api.post("/login", body);\n  const { access_token } = res.data;\n  localStorage.setItem(KEY, access_token);\n}\n', [5]),
    ("value-from-response-field", AUTH,
     'export async function login(api: any) {\n  const res = await api.post("/login");\n  const t = res.data.access_token;\n  localStorage.setItem("k", t);\n}\n', [4]),
    ("key-in-constant", AUTH, 'const TOKEN_KEY = "app";\nexport function save(v: string) {\n  localStorage.setItem(TOKEN_KEY, v);\n}\n', [3]),
    ("constant-value-credential", AUTH, 'const STORAGE_KEY = "auth_token";\nexport function save(v: string) {\n  localStorage.setItem(STORAGE_KEY, v);\n}\n', [3]),
    ("refresh-token", AUTH, 'export function save(refreshToken: string) {\n  localStorage.setItem("rt", refreshToken);\n}\n', [2]),
    ("user-json", AUTH, 'export function save(user: object) {\n  localStorage.setItem("user", JSON.stringify(user));\n}\n', [2]),
    ("profile-email-role-permissions", AUTH,
     'export function save(p: any) {\n  localStorage.setItem("profile", JSON.stringify(p));\n  localStorage.setItem("email", p.email);\n  localStorage.setItem("role", p.role);\n  localStorage.setItem("permissions", JSON.stringify(p.permissions));\n}\n', [2, 3, 4, 5]),
    ("session-id", AUTH, 'export function save(sessionId: string) {\n  localStorage.setItem("sid", sessionId);\n}\n', [2]),
    ("object-shorthand-json", AUTH, 'export function save(accessToken: string) {\n  localStorage.setItem("app", JSON.stringify({ accessToken }));\n}\n', [2]),
    ("object-pair-json", AUTH, 'export function save(t: string) {\n  localStorage.setItem("state", JSON.stringify({ token: t, theme: "dark" }));\n}\n', [2]),
    ("object-prefs-not", AUTH, 'export function save(theme: string) {\n  localStorage.setItem("prefs", JSON.stringify({ theme, lang: "en", token: null }));\n}\n', []),
    ("theme-not", AUTH, 'export function save(theme: string) {\n  localStorage.setItem("theme", theme);\n}\n', []),
    ("getItem-not", AUTH, 'export function load() {\n  return localStorage.getItem("token");\n}\n', []),
    ("removeItem-not", AUTH, 'export function logout() {\n  localStorage.removeItem("token");\n}\n', []),
    ("sidebar-state-not", "components/Sidebar.tsx",
     '"use client";\nexport function save(collapsed: boolean) {\n  localStorage.setItem("sidebar-collapsed", String(collapsed));\n}\n', []),
    ("max-tokens-not", AUTH, 'export function save(maxTokens: number) {\n  localStorage.setItem("maxTokens", String(maxTokens));\n}\n', []),
    ("other-storage-object-not", AUTH, 'export function save(cache: Map<string, string>, t: string) {\n  cache.set("token", t);\n}\n', []),
]


@pytest.mark.parametrize("path, src, expected, extra", cases(TABLE))
def test_rl302(tmp_path, path, src, expected, extra):
    assert lines(src, check(tmp_path, path, src, CODE, extra)) == expected


def test_no_fix_and_message_mentions_cookies(tmp_path):
    (f,) = check(tmp_path, AUTH, 'export function save(t: string) { localStorage.setItem("token", t); }\n', CODE)
    assert f.fix is None


def test_literal_value_not_flagged(tmp_path):
    # Documented precision tightening: a literal is not a credential (`setItem("token", "")` resets it).
    assert check(tmp_path, AUTH, 'localStorage.setItem("token", "");\n', CODE) == []


@pytest.mark.parametrize("name", ["promptTokens", "numTokens", "total_tokens", "hasSession"])
def test_counting_names_not_flagged(tmp_path, name):
    src = f'export function save({name}: number) {{\n  localStorage.setItem("{name}", String({name}));\n}}\n'
    assert check(tmp_path, AUTH, src, CODE) == []
