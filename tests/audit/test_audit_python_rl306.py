"""Audit of RL306 token-in-url (Python) against the catalog text."""

from __future__ import annotations

import pytest

from ._py_audit import assert_exempt_paths, assert_fixes_sound, cases, check, lines

CODE = "RL306"
APP = "app/client.py"

TABLE = [
    ("requests-fstring", APP, 'import requests\ndef f(token):\n    return requests.get(f"https://api.example.com/me?token={token}")\n', [3]),
    ("requests-alias", APP, 'import requests as rq\ndef f(token):\n    return rq.get(f"https://api.example.com/me?access_token={token}")\n', [3]),
    ("httpx-post-concat", APP, 'import httpx\ndef f(jwt):\n    return httpx.post("https://svc.example.com/x?jwt=" + jwt)\n', [3]),
    ("websockets-connect", APP, 'import websockets\nasync def f(token):\n    async with websockets.connect(f"wss://rt.example.com/ws?token={token}") as ws:\n        pass\n', [3]),
    ("url-variable", APP, 'import requests\ndef f(session_id):\n    url = f"https://api.example.com/data?session={session_id}"\n    return requests.get(url)\n', [4]),
    ("second-param", APP, 'import httpx\ndef f(uid, tok):\n    return httpx.get(f"https://api.example.com/u?id={uid}&auth={tok}")\n', [3]),
    ("format-method", APP, 'import requests\ndef f(t):\n    return requests.get("https://api.example.com/me?access_token={}".format(t))\n', [3]),
    ("client-method", APP, 'import httpx\nasync def f(client: httpx.AsyncClient, token):\n    return await client.get(f"https://api.example.com/me?token={token}")\n', [3]),
    # must not flag
    ("params-dict", APP, 'import requests\ndef f(token):\n    return requests.get("https://api.example.com/me", params={"token": token})\n', []),
    ("header", APP, 'import requests\ndef f(token):\n    return requests.get("https://api.example.com/me", headers={"Authorization": f"Bearer {token}"})\n', []),
    ("third-party-api-key", APP, 'import requests\ndef f(key):\n    return requests.get(f"https://maps.example.com/geocode?api_key={key}")\n', []),
    ("password-reset-link", APP, 'import requests\ndef f(token):\n    return requests.post(f"https://app.example.com/reset-password?token={token}")\n', []),
    ("verification-link", APP, 'import httpx\ndef f(token):\n    return httpx.get(f"https://app.example.com/verify-email?token={token}")\n', []),
    ("token-type-param", APP, 'import requests\ndef f():\n    return requests.get("https://api.example.com/x?token_type=bearer")\n', []),
    ("not-sent", APP, 'def f(token):\n    link = f"https://app.example.com/x?token={token}"\n    return link\n', []),
    ("tests-exempt", "tests/test_client.py", 'import requests\ndef f(token):\n    return requests.get(f"https://api.example.com/me?token={token}")\n', []),
]


@pytest.mark.parametrize("path, src, expected", cases(TABLE))
def test_rl306(path, src, expected):
    assert lines(src, check(src, CODE, path)) == expected


def test_message_names_parameter_and_no_fix():
    (f,) = check(TABLE[0][2], CODE, APP)
    assert "token" in f.message and f.fix is None


def test_default_exempt_paths():
    assert_exempt_paths('import requests\ndef f(token):\n    requests.get(f"https://x.example.com/a?token={token}")\n', CODE)


def test_fixes_of_flagged_rows_parse_and_converge():
    assert_fixes_sound(TABLE, CODE)
