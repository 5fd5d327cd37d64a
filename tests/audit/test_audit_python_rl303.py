"""Audit of RL303 jwt-unverified (Python) against the catalog text."""

from __future__ import annotations

import pytest

from ._py_audit import assert_fixes_sound, assert_runs_everywhere, cases, check, lines

CODE = "RL303"
APP = "app/auth.py"

TABLE = [
    ("verify-signature-false", APP, 'import jwt\ndef user(token):\n    payload = jwt.decode(token, options={"verify_signature": False})\n    return payload["sub"]\n', [3]),
    ("alias-pyjwt", APP, 'import jwt as pyjwt\ndef user(token):\n    return pyjwt.decode(token, options={"verify_signature": False})["sub"]\n', [3]),
    ("from-import-decode", APP, 'from jwt import decode\ndef user(token):\n    return decode(token, options={"verify_signature": False})["sub"]\n', [3]),
    ("options-variable", APP, 'import jwt\nOPTS = {"verify_signature": False}\ndef user(token):\n    return jwt.decode(token, "k", algorithms=["HS256"], options=OPTS)["sub"]\n', [4]),
    ("verify-false-pyjwt1", APP, 'import jwt\ndef user(token, key):\n    return jwt.decode(token, key, verify=False)["sub"]\n', [3]),
    ("algorithms-none", APP, 'import jwt\ndef user(token, key):\n    return jwt.decode(token, key, algorithms=["HS256", "none"])["sub"]\n', [3]),
    ("jose-verify-false", APP, 'from jose import jwt\ndef user(token):\n    return jwt.decode(token, "", options={"verify_signature": False})["sub"]\n', [3]),
    ("jose-unverified-claims", APP, 'from jose import jwt\nfrom fastapi import Depends\nasync def get_current_user(token: str = Depends(oauth2_scheme)):\n    claims = jwt.get_unverified_claims(token)\n    return await load_user(claims["sub"])\n', [4]),
    ("jose-unverified-header-for-auth", APP, 'from jose import jwt\ndef user(token):\n    header = jwt.get_unverified_header(token)\n    return header["user"]\n', [3]),
    # must not flag
    ("verified-decode", APP, 'import jwt\ndef user(token, key):\n    return jwt.decode(token, key, algorithms=["HS256"])["sub"]\n', []),
    ("verify-signature-true", APP, 'import jwt\ndef user(token, key):\n    return jwt.decode(token, key, algorithms=["HS256"], options={"verify_signature": True, "verify_aud": False})\n', []),
    ("kid-then-verify", APP, 'from jose import jwt\ndef user(token, jwks):\n    kid = jwt.get_unverified_header(token)["kid"]\n    key = jwks[kid]\n    return jwt.decode(token, key, algorithms=["RS256"])\n', []),
    ("jose-claims-expiry-only", APP, 'from jose import jwt\ndef seconds_left(token):\n    return jwt.get_unverified_claims(token).get("exp")\n', []),
    ("algorithms-none-capitalised", APP, 'import jwt\ndef f(token, key):\n    return jwt.decode(token, key, algorithms=["None"])\n', [3]),
    ("local-variable-named-jwt", APP, 'def f(jwt):\n    return jwt.decode(token, options={"verify_signature": False})\n', []),
    ("other-decode", APP, 'import base64\ndef f(s):\n    return base64.b64decode(s).decode("utf-8", errors="ignore")\n', []),
]


@pytest.mark.parametrize("path, src, expected", cases(TABLE))
def test_rl303(path, src, expected):
    assert lines(src, check(src, CODE, path)) == expected


def test_runs_in_test_paths_too():
    # RL303 is not in the catalog's default-exempt list.
    src = 'import jwt\ndef user(token):\n    return jwt.decode(token, options={"verify_signature": False})["sub"]\n'
    assert len(check(src, CODE, "tests/test_auth.py")) == 1
    assert len(check(src, CODE, "scripts/x.py")) == 1


def test_message_and_no_fix():
    (f,) = check(TABLE[0][2], CODE, APP)
    assert f.fix is None and "signature" in f.message.lower()


def test_not_exempt_in_test_or_script_paths():
    # Not in the catalog's list of rules with default exempt paths: runs everywhere.
    assert_runs_everywhere('import jwt\ndef f(t):\n    return jwt.decode(t, options={"verify_signature": False})\n', CODE)


def test_fixes_of_flagged_rows_parse_and_converge():
    assert_fixes_sound(TABLE, CODE)
