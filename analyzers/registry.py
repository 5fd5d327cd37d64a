"""The explicit registry: every rule implementation, by code. Codes are never reused.

A code may have one implementation per language family (RL101 has a Python and a
TypeScript file); implementations of one code share name and default severity.
Add a rule by writing its file and adding one line below.
"""

from __future__ import annotations

import functools
import importlib
from collections import defaultdict

from .rule import Rule, docs_url

# (code, name, language family, module under rules/, class): one line per rule file.
# A run imports only the families it checks: a Python-only run never pays the ~20-30 ms
# of importing the TypeScript rules, nor the reverse. Codes and names are read from here
# without importing anything; tests/test_registry.py checks every line against its class.
INDEX: tuple[tuple[str, str, str, str, str], ...] = (
    ("RL101", "debug-print", "python", "python.debug_print", "DebugPrint"),
    ("RL102", "secret-in-log", "python", "python.secret_in_log", "SecretInLog"),
    ("RL301", "hardcoded-secret", "python", "python.hardcoded_secret", "HardcodedSecret"),
    ("RL303", "jwt-unverified", "python", "python.jwt_unverified", "JwtUnverified"),
    ("RL304", "cors-wildcard-credentials", "python", "python.cors_wildcard_credentials", "CorsWildcardCredentials"),
    ("RL305", "error-detail-leak", "python", "python.error_detail_leak", "ErrorDetailLeak"),
    ("RL201", "blocking-call-in-async", "python", "python.blocking_call_in_async", "BlockingCallInAsync"),
    ("RL401", "fastapi-on-event", "python", "python.fastapi_on_event", "FastapiOnEvent"),
    ("RL501", "bare-except", "python", "python.bare_except", "BareExcept"),
    ("RL502", "raise-without-from", "python", "python.raise_without_from", "RaiseWithoutFrom"),
    ("RL307", "shell-injection", "python", "python.shell_injection", "ShellInjection"),
    ("RL306", "token-in-url", "python", "python.token_in_url", "TokenInUrl"),
    ("RL308", "unauthenticated-user-param", "python", "python.unauthenticated_user_param", "UnauthenticatedUserParam"),
    ("RL101", "debug-print", "typescript", "typescript.debug_print", "DebugPrint"),
    ("RL201", "blocking-call-in-async", "typescript", "typescript.blocking_call_in_async", "BlockingCallInAsync"),
    ("RL501", "bare-except", "typescript", "typescript.empty_catch", "EmptyCatch"),
    ("RL404", "mutable-module-singleton", "typescript", "typescript.mutable_module_singleton", "MutableModuleSingleton"),
    ("RL102", "secret-in-log", "typescript", "typescript.secret_in_log", "SecretInLog"),
    ("RL402", "ssr-unsafe-browser-global", "typescript", "typescript.ssr_unsafe_browser_global", "SsrUnsafeBrowserGlobal"),
    ("RL302", "token-in-localstorage", "typescript", "typescript.token_in_localstorage", "TokenInLocalStorage"),
    ("RL403", "use-client-root", "typescript", "typescript.use_client_root", "UseClientRoot"),
    ("RL301", "hardcoded-secret", "typescript", "typescript.hardcoded_secret", "HardcodedSecret"),
    ("RL303", "jwt-unverified", "typescript", "typescript.jwt_unverified", "JwtUnverified"),
    ("RL304", "cors-wildcard-credentials", "typescript", "typescript.cors_wildcard_credentials", "CorsWildcardCredentials"),
    ("RL305", "error-detail-leak", "typescript", "typescript.error_detail_leak", "ErrorDetailLeak"),
    ("RL306", "token-in-url", "typescript", "typescript.token_in_url", "TokenInUrl"),
    ("RL307", "shell-injection", "typescript", "typescript.shell_injection", "ShellInjection"),
)


def _load(entry: tuple[str, str, str, str, str]) -> type[Rule]:
    module = importlib.import_module(f"{__package__}.rules.{entry[3]}")
    return getattr(module, entry[4])


@functools.cache
def for_language(family: str) -> tuple[type[Rule], ...]:
    """The rules of one language family, in index order (imported on first use)."""
    return tuple(_load(e) for e in INDEX if e[2] == family)


@functools.cache
def _all_rules() -> tuple[type[Rule], ...]:
    loaded = {family: iter(for_language(family)) for family in dict.fromkeys(e[2] for e in INDEX)}
    return tuple(next(loaded[e[2]]) for e in INDEX)


def __getattr__(name: str):
    # `RULES`, every implementation in index order, imports every family: only the
    # catalogue views (docs, `reviewlens rule`, the tests) ask for all of them.
    if name == "RULES":
        return _all_rules()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@functools.cache
def by_code() -> dict[str, tuple[type[Rule], ...]]:
    grouped: dict[str, list[type[Rule]]] = defaultdict(list)
    for rule in _all_rules():
        grouped[rule.code].append(rule)
    return {code: tuple(impls) for code, impls in sorted(grouped.items())}


@functools.cache
def all_codes() -> list[str]:
    """Every code, sorted (no rule is imported)."""
    return sorted({e[0] for e in INDEX})


@functools.cache
def code_names() -> dict[str, str]:
    """Rule name -> code (no rule is imported)."""
    return {e[1]: e[0] for e in sorted(INDEX)}


def get(code_or_name: str) -> tuple[type[Rule], ...]:
    code = code_names().get(code_or_name, code_or_name.upper())
    return by_code().get(code, ())


@functools.cache
def docs_urls() -> dict[str, str]:
    """Code -> documentation URL (no rule is imported)."""
    return {code: docs_url(code, name) for name, code in code_names().items()}


@functools.cache
def options_of(code: str) -> dict[str, object]:
    """The options (name -> default) of one code's implementations, importing only them: a
    config's `[options.CODE]` tables are checked without importing every rule (~20 ms)."""
    out: dict[str, object] = {}
    for entry in INDEX:
        if entry[0] == code:
            out.update(_load(entry).options)
    return out
