"""Credential-name matching shared by RL102, RL301 and RL302 (see the catalog's
"Name matching"): names split into words at `_`, `-`, case changes and digits; a
credential word must be a whole word (plural allowed); counting words make it not one."""

from __future__ import annotations

import functools
import re

_SPLIT = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")

CREDENTIAL_WORDS = frozenset({
    "token", "jwt", "password", "passwd", "pass", "pwd", "secret", "apikey", "auth",
    "authorization", "cookie", "credential", "creds", "passphrase",
})
# Two-word credentials: ("api", "key") also matches "apiKey", "API_KEY", "api-key".
CREDENTIAL_PAIRS = frozenset({("api", "key"), ("private", "key"), ("session", "id"), ("access", "key"), ("secret", "key"), ("client", "secret")})
# Words that turn a credential word into a quantity or a kind: `max_tokens`, `token_type`.
COUNTING_WORDS = frozenset({
    "max", "min", "count", "counts", "num", "number", "limit", "limits", "usage", "used", "type",
    "types", "length", "len", "size", "budget", "total", "remaining", "estimate", "per",
    "policy", "strength", "rules", "regex", "pattern", "min", "expiry", "expires", "ttl",
    "lifetime", "endpoint", "url", "uri", "path", "file", "field", "name", "header", "label",
    "placeholder", "hint", "error", "errors", "message", "valid", "validation", "visible",
    "show", "reset", "forgot", "changed", "confirm", "input", "form", "key", "id",
})


@functools.lru_cache(maxsize=8192)
def words(name: str) -> tuple[str, ...]:
    return tuple(w.lower() for w in _SPLIT.findall(name))


def _singular(word: str) -> str:
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
    last = ws[-1]
    if last in COUNTING_WORDS and last not in pair_words and last not in CREDENTIAL_WORDS:
        return False
    if ws[0] in {"max", "min", "num", "number", "total", "count"}:
        return False
    return True
