"""File suffix -> grammar, and cached tree-sitter Language/Parser objects."""

from __future__ import annotations

import functools
import os
from pathlib import PurePath

import tree_sitter
import tree_sitter_python
import tree_sitter_typescript

# A rule targets a language family; a family may have several grammars.
PYTHON = "python"
TYPESCRIPT = "typescript"  # TypeScript, TSX and JavaScript files

GRAMMARS_OF = {PYTHON: ("python",), TYPESCRIPT: ("typescript", "tsx")}
FAMILY_OF = {"python": PYTHON, "typescript": TYPESCRIPT, "tsx": TYPESCRIPT}

SUFFIX_GRAMMAR = {
    ".py": "python",
    ".pyi": "python",
    ".ts": "typescript",
    ".mts": "typescript",
    ".cts": "typescript",
    ".tsx": "tsx",
    ".js": "tsx",
    ".jsx": "tsx",
    ".mjs": "tsx",
    ".cjs": "tsx",
}

# LSP languageId -> grammar, for documents without a telling suffix (untitled buffers).
LANGUAGE_ID_GRAMMAR = {
    "python": "python",
    "typescript": "typescript",
    "typescriptreact": "tsx",
    "javascript": "tsx",
    "javascriptreact": "tsx",
}


def grammar_for_path(path: str | PurePath, language_id: str | None = None) -> str | None:
    # os.path.splitext on the string: a PurePath per call costs more than the lookup.
    grammar = SUFFIX_GRAMMAR.get(os.path.splitext(os.fspath(path))[1].lower())
    if grammar is None and language_id:
        grammar = LANGUAGE_ID_GRAMMAR.get(language_id)
    return grammar


@functools.cache
def language(grammar: str) -> tree_sitter.Language:
    if grammar == "python":
        return tree_sitter.Language(tree_sitter_python.language())
    if grammar == "typescript":
        return tree_sitter.Language(tree_sitter_typescript.language_typescript())
    if grammar == "tsx":
        return tree_sitter.Language(tree_sitter_typescript.language_tsx())
    raise KeyError(grammar)


@functools.cache
def parser(grammar: str) -> tree_sitter.Parser:
    # One parser per grammar per process; parsing is not re-entrant but each process/thread
    # that uses this runs one parse at a time.
    return tree_sitter.Parser(language(grammar))


def parse(source: bytes, grammar: str, old_tree: tree_sitter.Tree | None = None) -> tree_sitter.Tree:
    if old_tree is not None:
        return parser(grammar).parse(source, old_tree)
    return parser(grammar).parse(source)
