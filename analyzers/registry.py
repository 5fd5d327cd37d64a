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
from .rules.typescript.debug_print import DebugPrint as TsDebugPrint

RULES: tuple[type[Rule], ...] = (
    PyDebugPrint,
    TsDebugPrint,
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
