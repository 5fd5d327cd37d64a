"""Credential-name matching shared by RL102, RL301 and RL302 (see the catalog's
"Name matching"): names split into words at `_`, `-`, case changes and digits; a
credential word must be a whole word (plural allowed); counting words make it not one.

API: `words(name)`, `credential_words(name)`, `is_credential_name(name)` (the broad
set used by RL102/RL302) and `is_secret_name(name)` (the narrower set of names that
hold a secret value, used by RL301). Language-neutral: TS rules use it too.
"""

from __future__ import annotations

import functools
import re

_SPLIT = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")

CREDENTIAL_WORDS = frozenset({
    "token", "jwt", "password", "passwd", "pass", "pwd", "secret", "apikey", "auth",
    "authorization", "cookie", "credential", "creds", "passphrase", "sessionid",
})
# Two-word credentials: ("api", "key") also matches "apiKey", "API_KEY", "api-key".
CREDENTIAL_PAIRS = frozenset({("api", "key"), ("private", "key"), ("session", "id"), ("access", "key"), ("secret", "key"), ("client", "secret")})
# Words that turn a credential word into a quantity, a kind or a description of one:
# `max_tokens`, `token_type`, `password_policy`, `auth_provider`. Decided by the last word.
COUNTING_WORDS = frozenset({
    "max", "min", "count", "counts", "num", "number", "limit", "limits", "usage", "used", "type",
    "types", "length", "len", "size", "budget", "total", "remaining", "estimate", "per",
    "policy", "strength", "rules", "regex", "pattern", "expiry", "expires", "expire",
    "expiration", "exp", "ttl", "lifetime", "age", "timeout", "endpoint", "url", "uri", "path",
    "file", "field", "name", "label", "placeholder", "hint", "error", "errors",
    "message", "msg", "valid", "validation", "validator", "visible", "show", "reset", "forgot",
    "changed", "confirm", "input", "form", "id", "provider", "mode", "method", "backend",
    "router", "routes", "route", "service", "enabled", "disabled", "required", "scheme",
    "status", "state", "config", "settings", "algorithm", "alg", "prefix", "format", "kind",
    "location", "handler", "dependency", "middleware", "class", "model", "schema", "version",
    "flow", "strategy", "level", "scope", "scopes", "audience", "issuer", "index", "idx",
    "at", "time", "duration", "seconds", "minutes", "hours", "days", "delta", "window",
    "dir", "directory", "env", "var", "param", "parameter", "flag", "option", "options",
    "template", "title", "text", "description", "desc", "help", "prompt", "button", "link",
    "page", "view", "component", "icon", "color", "style", "test", "tests", "mock", "fixture",
    "hash", "hashed", "masked", "redacted", "fingerprint", "preview", "suffix", "rotation",
    "refresh", "exists", "present", "missing", "needed", "cache", "store", "storage",
    "manager", "client", "factory", "helper", "util", "utils", "mixin", "request", "payload",
    "in", "threshold", "cap", "ratio", "percent", "percentage", "buffer", "overlap", "margin",
    "step", "steps", "rate", "chunk", "chunks", "batch", "multiplier", "factor", "cost", "price",
    "pricing", "weight", "bucket", "quota", "interval", "retries", "attempts", "counter",
    "source", "sources", "origin", "err", "exc", "exception", "ex", "failure", "warning",
    "alias", "aliases", "supported", "spend", "spent", "before", "after", "details",
    "saved", "metadata", "stats", "metrics",
    # cookie attributes and yes/no results: `cookie_domain`, `cookie_secure`, `passwords_match`
    "domain", "secure", "samesite", "httponly", "match", "matches", "arn",
})
# A leading word that makes the name a quantity or a yes/no: `max_tokens`, `has_password`.
LEADING_NON_CREDENTIAL = frozenset({
    "max", "min", "num", "number", "total", "count", "is", "has", "should", "use", "enable",
    "enabled", "disable", "require", "requires", "needs", "allow", "validate", "check",
})
# Words that make `tokens` a list of credentials rather than a count.
TOKEN_KINDS = frozenset({
    "access", "refresh", "auth", "bearer", "api", "id", "session", "jwt", "csrf", "xsrf", "oauth",
    "personal", "github", "slack", "device", "reset", "verification", "invite", "magic", "revoked",
    "valid", "user", "service", "bot", "push", "fcm",
})
# Credential words that name a value worth keeping secret (RL301's list: secret, password,
# passwd, token, api_key, apikey, private_key, client_secret, access_key, jwt_secret).
SECRET_WORDS = frozenset({
    "secret", "secret_key", "password", "passwd", "pass", "pwd", "passphrase", "token", "api_key",
    "apikey", "private_key", "client_secret", "access_key",
})
# Words that say the value was made safe to show: `masked_token`, `token_hash`.
REDACTED_WORDS = frozenset({
    "masked", "mask", "redacted", "redact", "hash", "hashed", "fingerprint", "preview",
    "obfuscated", "sanitized", "truncated", "last4", "suffix",
})

_VOCAB = CREDENTIAL_WORDS | {w for pair in CREDENTIAL_PAIRS for w in pair} | COUNTING_WORDS


@functools.lru_cache(maxsize=8192)
def words(name: str) -> tuple[str, ...]:
    return tuple(w.lower() for w in _SPLIT.findall(name))


def _singular(word: str) -> str:
    """Plural to singular, preferring a known word (`cookies` -> `cookie`, `creds` stays)."""
    if word in _VOCAB or word == "passes":  # `passes` are iterations, not passwords
        return word
    for suffix, add in (("s", ""), ("es", ""), ("ies", "y")):
        if len(word) > len(suffix) + 2 and word.endswith(suffix):
            cand = word[:-len(suffix)] + add
            if cand in _VOCAB:
                return cand
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word


@functools.lru_cache(maxsize=8192)
def credential_words(name: str) -> tuple[str, ...]:
    """The credential words (singular) in `name`; pairs come back joined ("api_key")."""
    ws = [_singular(w) for w in words(name)]
    found: list[str] = []
    for i, w in enumerate(ws):
        if i + 1 < len(ws) and (w, ws[i + 1]) in CREDENTIAL_PAIRS:
            found.append(f"{w}_{ws[i + 1]}")
        if w in CREDENTIAL_WORDS:
            found.append(w)
    return tuple(found)


@functools.lru_cache(maxsize=8192)
def is_credential_name(name: str) -> bool:
    """`access_token`, `apiKey`, `DB_PASSWORD`, `sessionId` yes; `max_tokens`, `token_count`,
    `token_type`, `password_policy`, `tokenizer` no."""
    found = credential_words(name)
    if not found:
        return False
    ws = [_singular(w) for w in words(name)]
    pair_words = {p for f in found if "_" in f for p in f.split("_")}
    # The last word decides what the thing is: `token_count` is a count, `count_token`... a token.
    # Trailing digits (`password2`) do not count as a word here.
    while len(ws) > 1 and ws[-1].isdigit():
        ws.pop()
    last = ws[-1]
    if last in COUNTING_WORDS and last not in pair_words and last not in CREDENTIAL_WORDS:
        return False
    if ws[0] in LEADING_NON_CREDENTIAL:
        return False
    # A trailing plural `tokens` counts model tokens (`prompt_tokens`, `module.tokens`)
    # unless a credential kind qualifies it (`access_tokens`, `refresh_tokens`).
    raw = words(name)
    if found == ("token",) and "tokens" in raw:
        i = raw.index("tokens")
        qualifier = ws[i - 1] if i > 0 else ""
        if qualifier not in TOKEN_KINDS:
            return False  # `tokens_before`, `prompt_tokens_details`
    return True


@functools.lru_cache(maxsize=8192)
def is_secret_name(name: str) -> bool:
    """A name that holds a secret value (RL301): `SECRET_KEY`, `db_password`, `apiKey`,
    `jwt_secret`, `access_token`; not `auth_provider`, `cookie_domain`, `token_url`."""
    if not is_credential_name(name):
        return False
    # The catalog's exclusions for RL301 (`API_KEY_HEADER = "X-API-Key"` names a header).
    ws = words(name)
    if ws and ws[-1] in ("header", "headers"):
        return False
    if ws and _singular(ws[-1]) == "key" and not any(f.endswith("_key") for f in credential_words(name)):
        return False  # `token_key`, `password_key`: a lookup key, not the secret
    return any(w in SECRET_WORDS for w in credential_words(name))


@functools.lru_cache(maxsize=8192)
def is_redacted_name(name: str) -> bool:
    """`masked_token`, `token_hash`, `password_hash`: a derived value safe to show."""
    return any(_singular(w) in REDACTED_WORDS for w in words(name))
