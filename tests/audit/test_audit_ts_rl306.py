"""Audit of RL306 token-in-url (TS) against the catalog text."""

from __future__ import annotations

import pytest

from ._ts_audit import cases, check, lines

CODE = "RL306"
HOOK = "hooks/useLive.ts"

TABLE = [
    ("websocket-template-token", HOOK, "export function open(token: string) {\n  return new WebSocket(`wss://x/ws?token=${token}`);\n}\n", [2]),
    ("eventsource-access-token", HOOK, "export function sse(accessToken: string) {\n  return new EventSource(`/api/stream?access_token=${accessToken}`);\n}\n", [2]),
    ("fetch-concat", HOOK, 'export function me(jwt: string) {\n  return fetch("/api/me?jwt=" + jwt);\n}\n', [2]),
    ("fetch-second-param", HOOK, "export function me(id: string, session: string) {\n  return fetch(`/api/me?id=${id}&session=${session}`);\n}\n", [2]),
    ("axios-get", HOOK, 'import axios from "axios";\nexport function me(token: string) {\n  return axios.get(`/api/me?auth=${token}`);\n}\n', [3]),
    ("socket-io", HOOK, 'import { io } from "socket.io-client";\nexport function connect(token: string) {\n  return io(`https://rt.example.com?token=${token}`);\n}\n', [3]),
    ("url-in-local-variable", HOOK, "export function open(token: string) {\n  const url = `wss://x/ws?token=${token}`;\n  return new WebSocket(url);\n}\n", [3]),  # reported at the call
    ("header-auth-not", HOOK, 'export function me(token: string) {\n  return fetch("/api/me", { headers: { Authorization: `Bearer ${token}` } });\n}\n', []),
    ("third-party-api-key-not", HOOK, "export function weather(apiKey: string) {\n  return fetch(`https://api.weather.com/v1?api_key=${apiKey}`);\n}\n", []),
    ("axios-params-not", HOOK, 'import axios from "axios";\nexport function me(token: string) {\n  return axios.get("/api/me", { params: { token } });\n}\n', []),
    ("path-segment-not", HOOK, "export function get(id: string) {\n  return fetch(`/api/items/${id}?page=2`);\n}\n", []),
    ("password-reset-link-not", "server/email.ts",
     'import express from "express";\nexport async function sendReset(token: string) {\n  await fetch(`https://mail.example.com/send?link=${encodeURIComponent(`https://app.example.com/reset-password?token=${token}`)}`);\n}\n', []),
    ("max-tokens-not", HOOK, "export function chat(maxTokens: number) {\n  return fetch(`/api/chat?max_tokens=${maxTokens}`);\n}\n", []),
    ("test-exempt", "hooks/useLive.test.ts", "new WebSocket(`wss://x/ws?token=${'t'}`);\n", []),
]


@pytest.mark.parametrize("path, src, expected, extra", cases(TABLE))
def test_rl306(tmp_path, path, src, expected, extra):
    assert lines(src, check(tmp_path, path, src, CODE, extra)) == expected
