"""The explicit registry: every rule implementation, by code. Codes are never reused.

A code may have one implementation per language family (RL101 has a Python and a
TypeScript file); implementations of one code share name and default severity.
Add a rule by writing its file and adding one line below.
"""

from __future__ import annotations

import functools
from collections import defaultdict

from .rule import Rule
from .rules.python.debug_print import DebugPrint as PyDebugPrint
from .rules.python.secret_in_log import SecretInLog as PySecretInLog
from .rules.python.hardcoded_secret import HardcodedSecret as PyHardcodedSecret
from .rules.python.jwt_unverified import JwtUnverified as PyJwtUnverified
from .rules.python.cors_wildcard_credentials import CorsWildcardCredentials as PyCorsWildcardCredentials
from .rules.python.error_detail_leak import ErrorDetailLeak as PyErrorDetailLeak
from .rules.python.blocking_call_in_async import BlockingCallInAsync as PyBlockingCallInAsync
from .rules.python.fastapi_on_event import FastapiOnEvent as PyFastapiOnEvent
from .rules.python.bare_except import BareExcept as PyBareExcept
from .rules.python.raise_without_from import RaiseWithoutFrom as PyRaiseWithoutFrom
from .rules.python.shell_injection import ShellInjection as PyShellInjection
from .rules.python.token_in_url import TokenInUrl as PyTokenInUrl
from .rules.python.unauthenticated_user_param import UnauthenticatedUserParam as PyUnauthenticatedUserParam
from .rules.typescript.debug_print import DebugPrint as TsDebugPrint
from .rules.typescript.blocking_call_in_async import BlockingCallInAsync as TsBlockingCallInAsync
from .rules.typescript.empty_catch import EmptyCatch as TsEmptyCatch
from .rules.typescript.mutable_module_singleton import MutableModuleSingleton as TsMutableModuleSingleton
from .rules.typescript.secret_in_log import SecretInLog as TsSecretInLog
from .rules.typescript.ssr_unsafe_browser_global import SsrUnsafeBrowserGlobal as TsSsrUnsafeBrowserGlobal
from .rules.typescript.token_in_localstorage import TokenInLocalStorage as TsTokenInLocalStorage
from .rules.typescript.use_client_root import UseClientRoot as TsUseClientRoot
from .rules.typescript.hardcoded_secret import HardcodedSecret as TsHardcodedSecret
from .rules.typescript.jwt_unverified import JwtUnverified as TsJwtUnverified
from .rules.typescript.cors_wildcard_credentials import CorsWildcardCredentials as TsCorsWildcardCredentials
from .rules.typescript.error_detail_leak import ErrorDetailLeak as TsErrorDetailLeak
from .rules.typescript.token_in_url import TokenInUrl as TsTokenInUrl
from .rules.typescript.shell_injection import ShellInjection as TsShellInjection

RULES: tuple[type[Rule], ...] = (
    PyDebugPrint,
    PySecretInLog,
    PyHardcodedSecret,
    PyJwtUnverified,
    PyCorsWildcardCredentials,
    PyErrorDetailLeak,
    PyBlockingCallInAsync,
    PyFastapiOnEvent,
    PyBareExcept,
    PyRaiseWithoutFrom,
    PyShellInjection,
    PyTokenInUrl,
    PyUnauthenticatedUserParam,
    TsDebugPrint,
    TsBlockingCallInAsync,
    TsEmptyCatch,
    TsMutableModuleSingleton,
    TsSecretInLog,
    TsSsrUnsafeBrowserGlobal,
    TsTokenInLocalStorage,
    TsUseClientRoot,
    TsHardcodedSecret,
    TsJwtUnverified,
    TsCorsWildcardCredentials,
    TsErrorDetailLeak,
    TsTokenInUrl,
    TsShellInjection,
)


@functools.cache
def by_code() -> dict[str, tuple[type[Rule], ...]]:
    grouped: dict[str, list[type[Rule]]] = defaultdict(list)
    for rule in RULES:
        grouped[rule.code].append(rule)
    return {code: tuple(impls) for code, impls in sorted(grouped.items())}


@functools.cache
def all_codes() -> list[str]:
    return list(by_code())


@functools.cache
def code_names() -> dict[str, str]:
    """Rule name -> code."""
    return {impls[0].name: code for code, impls in by_code().items()}


def for_language(family: str) -> tuple[type[Rule], ...]:
    return tuple(r for r in RULES if r.language == family)


def get(code_or_name: str) -> tuple[type[Rule], ...]:
    code = code_names().get(code_or_name, code_or_name.upper())
    return by_code().get(code, ())


@functools.cache
def rule_options_schema() -> dict[str, dict[str, object]]:
    schema: dict[str, dict[str, object]] = defaultdict(dict)
    for rule in RULES:
        schema[rule.code].update(rule.options)
    return dict(schema)
