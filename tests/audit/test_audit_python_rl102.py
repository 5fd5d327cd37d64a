"""Audit of RL102 secret-in-log (Python) against the catalog text."""

from __future__ import annotations

import pytest

from ._py_audit import assert_exempt_paths, assert_fixes_sound, cases, check, lines

CODE = "RL102"
APP = "app/auth.py"
LOG = "import logging\nlogger = logging.getLogger(__name__)\n"

TABLE = [
    ("fstring-token", APP, LOG + "def f(token):\n    logger.info(f'token={token}')\n", [4]),
    ("plain-arg-password", APP, LOG + "def f(password):\n    logger.debug('pw %s', password)\n", [4]),
    ("print-jwt", APP, "def f(jwt):\n    print(jwt)\n", [2]),
    ("logging-module-authorization", APP, "import logging\ndef f(authorization):\n    logging.info('auth: ' + authorization)\n", [3]),
    ("format-secret", APP, LOG + "def f(client_secret):\n    logger.warning('secret {}'.format(client_secret))\n", [4]),
    ("percent-api-key", APP, LOG + "def f(api_key):\n    logger.error('key %s' % api_key)\n", [4]),
    ("apikey-camel", APP, LOG + "def f(apiKey):\n    logger.info(apiKey)\n", [4]),
    ("auth-header", APP, LOG + "def f(request):\n    auth_header = request.headers.get('Authorization')\n    logger.info(f'{auth_header}')\n", [5]),
    ("headers-get-authorization", APP, LOG + "def f(request):\n    logger.info(request.headers.get('Authorization'))\n", [4]),
    ("cookie", APP, LOG + "def f(cookie):\n    logger.info(f'cookie {cookie}')\n", [4]),
    ("private-key-attr", APP, LOG + "def f(settings):\n    logger.info(f'{settings.private_key}')\n", [4]),
    ("credentials-plural", APP, LOG + "def f(credentials):\n    logger.info('creds %s', credentials)\n", [4]),
    ("self-logger-passwd", APP, "class A:\n    def f(self, passwd):\n        self.logger.info(passwd)\n", [3]),
    ("keyword-arg-structlog", APP, "import structlog\nlog = structlog.get_logger()\ndef f(token):\n    log.info('login', token=token)\n", [4]),
    ("access-token-attr", APP, LOG + "def f(resp):\n    logger.info(f'got {resp.access_token}')\n", [4]),
    ("refresh-and-csrf-token", APP, LOG + "def f(refresh_token, csrf_token):\n    logger.info('%s', refresh_token)\n    logger.info('%s', csrf_token)\n", [4, 5]),
    ("session-cookie-id", APP, LOG + "from fastapi import Cookie\ndef f(session_id: str = Cookie(None)):\n    logger.info('sid %s', session_id)\n", [5]),
    ("headers-subscript", APP, LOG + "def f(request):\n    logger.info(f\"auth {request.headers['Authorization']}\")\n", [4]),
    ("form-password", APP, LOG + "def f(form):\n    logger.info(f'login {form.username} {form.password}')\n", [4]),
    # must not flag
    # documented judgment: a session_id not read from a cookie/header is a chat/db/socket id
    ("session-id-is-a-credential", APP, LOG + "def f(data):\n    session_id = data['session_id']\n    logger.info(f'session {session_id} closed')\n", [5]),
    ("chat-session-id", APP, LOG + "def close_chat(chat_id, session_id):\n    logger.info(f'session {session_id} closed')\n", []),
    ("max-tokens", APP, LOG + "def f(max_tokens):\n    logger.info(f'max {max_tokens}')\n", []),
    ("token-count", APP, LOG + "def f(token_count, num_tokens, tokens_used, token_limit, token_usage):\n    logger.info(f'{token_count} {num_tokens} {tokens_used} {token_limit} {token_usage}')\n", []),
    ("token-type", APP, LOG + "def f(token_type):\n    logger.info(f'type {token_type}')\n", []),
    ("password-policy", APP, LOG + "def f(password_policy):\n    logger.info(f'policy {password_policy}')\n", []),
    ("cookie-attributes", APP, LOG + "def f(settings, passwords_match):\n    logger.info('%s %s %s', settings.cookie_domain, settings.cookie_secure, passwords_match)\n", []),
    ("auth-config-words", APP, LOG + "def f(auth_provider, token_expiry, jwt_algorithm, password_reset_url, is_authenticated):\n    logger.info(f'{auth_provider} {token_expiry} {jwt_algorithm} {password_reset_url} {is_authenticated}')\n", []),
    ("only-length", APP, LOG + "def f(token):\n    logger.info('len %d', len(token))\n", []),
    ("word-inside-other-word", APP, LOG + "def f(tokenizer, passage, authority):\n    logger.info(f'{tokenizer} {passage} {authority}')\n", []),
    ("literal-text-only", APP, LOG + "def f():\n    logger.info('token refreshed')\n", []),
    ("tests-exempt", "tests/test_auth.py", LOG + "def f(token):\n    logger.info(f'token={token}')\n", []),
    ("scripts-exempt", "scripts/debug.py", "def f(token):\n    print(token)\n", []),
]


@pytest.mark.parametrize("path, src, expected", cases(TABLE))
def test_rl102(path, src, expected):
    assert lines(src, check(src, CODE, path)) == expected


def test_message_names_the_value_and_no_fix():
    (f,) = check(LOG + "def f(token):\n    logger.info(f'token={token}')\n", CODE, APP)
    assert "token" in f.message
    assert f.fix is None


def test_default_exempt_paths():
    assert_exempt_paths('def f(token):\n    print(token)\n', CODE)


def test_fixes_of_flagged_rows_parse_and_converge():
    assert_fixes_sound(TABLE, CODE)
