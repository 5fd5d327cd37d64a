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
    ("API secret key (sk-...)", re.compile(r"(?<![A-Za-z0-9_-])sk-(?:proj-|ant-|or-|svcacct-|admin-)?(?=[A-Za-z_-]*[0-9])[A-Za-z0-9_-]{20,}")),
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

# Words that mark a value as a stand-in to be replaced: still a secret (it gets deployed).
PLACEHOLDER_WORDS = frozenset({
    "change", "changeme", "me", "your", "yours", "replace", "insecure", "dev", "development",
    "default", "example", "sample", "test", "testing", "placeholder", "todo", "fixme", "xxx",
    "super", "my", "local", "demo", "temp", "tmp", "prod", "production", "staging", "admin",
    "root", "letmein", "qwerty", "hunter", "top", "very", "secure", "strong", "random",
})
# Words that mark a value as deliberately meaningless (`"dummy"`, `"unused"`).
DELIBERATE_WORDS = frozenset({"dummy", "fake", "unused", "notused", "ignored", "na", "nil", "null", "none", "noop", "unset"})
LABEL_VALUES = DELIBERATE_WORDS | frozenset({
    "key", "value", "name", "id", "asc", "desc", "body", "string", "str", "required",
    "optional", "unknown", "hidden", "redacted", "masked", "undefined", "n/a", "auto", "env",
    # the conventional keys of local OpenAI-compatible servers that need none
    "ollama", "lm-studio", "lmstudio", "empty", "not-needed", "no-key", "nokey", "not-used",
    "sk-no-key-required", "no-key-required",
})
# Payment providers' documented public test tokens (`tok_visa`, `pm_card_mastercard`).
_TEST_TOKEN = re.compile(r"^(?:tok|pm|src|pm_card)_[a-z][A-Za-z]*$")
# A regular expression describing what a token looks like: `[A-Za-z0-9._-]{8,512}`.
_REGEX_LIKE = re.compile(r"\[[^\]]+\](?:[{*+?]|$)|^\^.*\$$|\\[dws]")
_DUNDER = re.compile(r"^_+[A-Za-z0-9]+(?:_[A-Za-z0-9]+)*_+$")
# snake_case, kebab-case, dotted, camelCase, UPPER_SNAKE: something named, or a placeholder.
_IDENTIFIER_LIKE = re.compile(r"^[A-Za-z][A-Za-z0-9]*(?:[_\-.:][A-Za-z0-9]+)*$")
_UPPER_OR_DOTTED = re.compile(r"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$|^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+$")
_PASSWORD_WORDS = frozenset({"password", "passwd", "pwd", "pass", "passphrase", "secret", "secret_key"})
_NUMBER = re.compile(r"^[+-]?[0-9]+(?:\.[0-9]+)?[smhdkKMG]?$")


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
    if password.startswith("<") and password.endswith(">"):
        return None  # a documentation template: `postgresql://<user>:<password>@host/db`
    return password


def not_a_secret_value(value: str, name: str | None = None) -> str | None:
    """Why `value`, bound to a secret-named target, is not a hardcoded secret (or None).

    `name`, when given, is the target's name: a number is a secret only for a password
    (`PASSWORD = "123456"`), not for `CONTEXT_TOKENS = "8192"`."""
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
    lower = stripped.lower()
    if lower in TOKEN_SCHEME_WORDS:
        return "a token-scheme word"
    if lower in LABEL_VALUES:
        return "a label or sentinel"
    if _PLACEHOLDER_PART.match(stripped):
        return "an interpolation placeholder"
    if lower.startswith("urn:") or _DUNDER.match(stripped):
        return "a label or sentinel"
    if _TEST_TOKEN.match(stripped):
        return "a payment provider's public test token"
    if _REGEX_LIKE.search(stripped):
        return "a pattern"
    if _NUMBER.match(stripped) and not (name is not None and set(credential_words(name)) & _PASSWORD_WORDS):
        return "a number"
    if _IDENTIFIER_LIKE.match(stripped):
        ws = words(stripped)
        if len(ws) >= 2 and set(ws) <= DELIBERATE_WORDS | {"value", "secret", "key", "token", "password", "api"}:
            if set(ws) & DELIBERATE_WORDS:
                return "a deliberate dummy"
        if len(ws) >= 2 and not any(w.isdigit() for w in ws) and not set(ws) & PLACEHOLDER_WORDS:
            if _UPPER_OR_DOTTED.match(stripped) or credential_words(stripped) or len(ws) >= 3:
                return "a key, field or label name"
    return None


def env_name(name: str) -> str:
    """`apiKey` -> `API_KEY`, `self.db_password` -> `DB_PASSWORD`."""
    return "_".join(w.upper() for w in words(name.rsplit(".", 1)[-1])) or "SECRET"
