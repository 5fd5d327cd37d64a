"""Secret-value recognition shared by the hardcoded-secret rules (RL301, Python and TS).

Language-neutral: every function takes the *decoded value* of a string literal (not its
source text). Three questions:

* `key_format(value)`: is it a well-known credential format (AWS access key id, OpenAI/
  Stripe-style `sk-`, GitHub `ghp_`, Slack `xoxb-`/`xoxp-`, a PEM private key)?
* `url_password(value)`: is it a connection URL with an inline password
  (`postgresql://user:pass@host/db`, `redis://:p@host`), the password not being a
  `{...}` / `${...}` placeholder?
* `not_a_secret_value(value)`: a reason the value bound to a secret-named target is not a
  secret (empty, prose, SQL, an endpoint path or URL, a token-scheme word, a key/label
  name such as `"access_token"`), or None when it should be reported. Placeholders such as
  `changeme`, `<your-key>` and `***` are secrets by this test: they get deployed.
"""

from __future__ import annotations

import re

from .naming import credential_words, words

KEY_FORMATS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("AWS access key id", re.compile(r"(?<![A-Z0-9])(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA)[0-9A-Z]{16}(?![A-Z0-9])")),
    ("GitHub token", re.compile(r"(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{40,})")),
    ("Slack token", re.compile(r"(?<![A-Za-z0-9])xox[bpoars]-[0-9A-Za-z]{6,}-[0-9A-Za-z-]{6,}")),
    ("Stripe secret key", re.compile(r"(?<![A-Za-z0-9])(?:sk|rk)_(?:live|test)_[0-9A-Za-z]{16,}")),
    ("API secret key (sk-...)", re.compile(r"(?<![A-Za-z0-9_-])sk-(?:proj-|ant-|or-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}")),
    ("PEM private key", re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----")),
)

_URL = re.compile(
    r"^\s*(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]*)://(?P<user>[^:/@\s?#]*):(?P<password>[^@/\s?#]+)@(?P<host>[^\s/?#]*)"
)
_PLACEHOLDER_PART = re.compile(r"^(?:\$?\{[^{}]*\}|\{\{[^{}]*\}\}|%\([^)]*\)s|%s|\$[A-Z_][A-Z0-9_]*)$")

_SQL = re.compile(r"^\s*(?:select|insert|update|delete|create|alter|drop|with|grant|revoke)\b", re.I)
TOKEN_SCHEME_WORDS = frozenset({
    "bearer", "basic", "digest", "jwt", "jws", "jwe", "oauth", "oauth2", "access", "refresh",
    "id", "api-key", "apikey", "hs256", "hs384", "hs512", "rs256", "rs384", "rs512", "es256",
    "es384", "es512", "eddsa", "none", "cookie", "header", "query", "session", "token",
    "client_credentials", "authorization_code", "implicit", "true", "false",
})
# A lower-case identifier or header-like name: `access_token`, `x-api-key`, `refresh-token`.
_LABEL_WORDS = frozenset({
    "x", "access", "refresh", "id", "api", "apikey", "key", "token", "tokens", "auth",
    "authorization", "session", "sessionid", "csrf", "xsrf", "cookie", "bearer", "header",
    "jwt", "password", "passwd", "client", "secret", "name", "user", "type", "grant", "new",
    "old", "current", "confirm", "confirmation", "hashed", "private", "public", "field",
    "reset", "verify", "verification", "oauth", "oauth2",
})
_KEYLIKE = re.compile(r"^[a-z][a-z0-9]*(?:[_\-.:][a-z0-9]+)+$|^[A-Z][A-Za-z0-9]*(?:-[A-Z][A-Za-z0-9]*)+$")


def key_format(value: str) -> str | None:
    for kind, rx in KEY_FORMATS:
        if rx.search(value):
            return kind
    return None


def url_password(value: str) -> str | None:
    """The inline password of a connection URL, or None (also None for placeholders)."""
    if len(value) > 2048 or "://" not in value:
        return None
    m = _URL.match(value)
    if m is None:
        return None
    if any(c.isspace() for c in value.strip()):
        return None  # prose mentioning a URL
    password = m.group("password")
    if _PLACEHOLDER_PART.match(password) or "{" in password or "${" in password:
        return None
    return password


def not_a_secret_value(value: str) -> str | None:
    """Why `value`, bound to a secret-named target, is not a hardcoded secret (or None)."""
    stripped = value.strip()
    if not stripped:
        return "empty"
    if any(c.isspace() for c in stripped):
        return "prose"
    if _SQL.match(value):
        return "SQL"
    if stripped.startswith(("/", "./", "../", "~/")) or re.match(r"^[a-z][a-z0-9+.\-]*://", stripped, re.I):
        if url_password(stripped) is None:
            return "a path or URL"
    if stripped.lower() in TOKEN_SCHEME_WORDS:
        return "a token-scheme word"
    if _KEYLIKE.match(stripped) and credential_words(stripped) and set(words(stripped)) <= _LABEL_WORDS:
        return "a key or field name"
    if _PLACEHOLDER_PART.match(stripped):
        return "an interpolation placeholder"
    return None


def env_name(name: str) -> str:
    """`apiKey` -> `API_KEY`, `self.db_password` -> `DB_PASSWORD`."""
    return "_".join(w.upper() for w in words(name.rsplit(".", 1)[-1])) or "SECRET"
