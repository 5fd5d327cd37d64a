"""Which files `reviewlens check PATHS` looks at.

* Folders are walked; only Python/TypeScript/JavaScript files (analyzers.languages) count.
* Never entered: analyzers.config.ALWAYS_EXCLUDED_DIRS (node_modules, .venv, dist, build,
  .next, .git, caches ...), whatever any config says.
* `.gitignore` files are honoured like git does: the ones in the walked folders and
  their subfolders (nested files apply below their own folder, later/deeper patterns win,
  `!negation` included), the ones in the parent folders up to the repository root (the
  nearest folder holding `.git`), and `.git/info/exclude`. A config's
  `respect-gitignore = false` turns this off for the files it governs.
* A config's `exclude` / `extend-exclude` patterns (gitignore-style, relative to that
  config's folder) drop files and whole folders.
* A file named explicitly on the command line is always checked, unless `--force-exclude`
  is given: then the same exclusions apply to it too (for pre-commit hooks and editors
  that pass every changed file).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import pathspec

from reviewlens.analyzers.config import ALWAYS_EXCLUDED_DIRS, ConfigResolver
from reviewlens.analyzers.languages import grammar_for_path


@dataclass
class Discovery:
    files: list[str] = field(default_factory=list)  # absolute paths, sorted, unique
    missing: list[str] = field(default_factory=list)  # command-line paths that do not exist
    unsupported: list[str] = field(default_factory=list)  # explicit files of no known language


class _Ignores:
    """The .gitignore specs that govern a folder, shallowest first."""

    def __init__(self) -> None:
        self._cache: dict[str, pathspec.PathSpec | None] = {}

    def spec_of(self, folder: str) -> pathspec.PathSpec | None:
        if folder in self._cache:
            return self._cache[folder]
        lines: list[str] = []
        for name in (".gitignore", os.path.join(".git", "info", "exclude")):
            candidate = os.path.join(folder, name)
            try:
                with open(candidate, "rb") as fh:
                    lines += fh.read().decode("utf-8", "replace").splitlines()
            except OSError:
                continue
        spec = pathspec.GitIgnoreSpec.from_lines(lines) if lines else None
        self._cache[folder] = spec
        return spec

    @staticmethod
    def ignored(chain: list[tuple[str, pathspec.PathSpec]], path: str, is_dir: bool) -> bool:
        verdict = None
        for base, spec in chain:
            rel = os.path.relpath(path, base).replace(os.sep, "/")
            if is_dir:
                rel += "/"
            res = spec.check_file(rel)
            if res.include is not None:
                verdict = res.include
        return bool(verdict)


def _repo_root(folder: str) -> str | None:
    cur = folder
    while True:
        if os.path.exists(os.path.join(cur, ".git")):
            return cur
        parent = os.path.dirname(cur)
        if parent == cur:
            return None
        cur = parent


def _parent_chain(folder: str, ignores: _Ignores) -> list[tuple[str, pathspec.PathSpec]]:
    """Specs of the folders above `folder`, up to the repository root (shallowest first)."""
    root = _repo_root(folder)
    if root is None or root == folder:
        return []
    chain = []
    cur = os.path.dirname(folder)
    while True:
        spec = ignores.spec_of(cur)
        if spec is not None:
            chain.append((cur, spec))
        if cur == root:
            break
        parent = os.path.dirname(cur)
        if parent == cur:
            break
        cur = parent
    chain.reverse()
    return chain


def _excluded_by_config(resolver: ConfigResolver, path: str) -> bool:
    settings = resolver.for_path(path)
    if not settings.exclude:
        return False
    rel = settings.relative(path)
    if os.path.isdir(path):
        return settings.is_excluded(rel) or settings.is_excluded(rel + "/")
    return settings.is_excluded(rel)


def _respects_gitignore(resolver: ConfigResolver, path: str) -> bool:
    return resolver.for_path(path).respect_gitignore


def is_excluded_path(path: str, resolver: ConfigResolver, ignores: _Ignores | None = None) -> bool:
    """Would a folder walk skip this file or folder? (--force-exclude for explicit paths)"""
    ignores = ignores or _Ignores()
    p = os.path.abspath(path)
    is_dir = os.path.isdir(p)
    if any(part in ALWAYS_EXCLUDED_DIRS for part in Path(p).parts[:-1]):
        return True
    if is_dir and Path(p).name in ALWAYS_EXCLUDED_DIRS:
        return True
    settings = resolver.for_path(p)
    if settings.exclude and settings.root is not None:
        root = str(settings.root.absolute())
        cur = p
        while cur.startswith(root + os.sep):
            if _excluded_by_config(resolver, cur):
                return True
            cur = os.path.dirname(cur)
    if settings.respect_gitignore:
        start = os.path.dirname(p)
        root = _repo_root(start) or start
        try:
            parts = os.path.relpath(p, root).split(os.sep)
        except ValueError:
            return False
        chain: list[tuple[str, pathspec.PathSpec]] = []
        cur = root
        for i, part in enumerate(parts):
            spec = ignores.spec_of(cur)
            if spec is not None:
                chain.append((cur, spec))
            cur = os.path.join(cur, part)
            if _Ignores.ignored(chain, cur, is_dir or i < len(parts) - 1):
                return True
    return False


def discover(paths: list[str], resolver: ConfigResolver, *, force_exclude: bool = False) -> Discovery:
    out = Discovery()
    seen: set[str] = set()
    ignores = _Ignores()

    def add(p: str) -> None:
        if p not in seen:
            seen.add(p)
            out.files.append(p)

    for raw in paths:
        p = os.path.abspath(raw)
        if os.path.isfile(p):
            if grammar_for_path(p) is None:
                out.unsupported.append(raw)
                continue
            if force_exclude and is_excluded_path(p, resolver, ignores):
                continue
            add(p)
        elif os.path.isdir(p):
            if force_exclude and is_excluded_path(p, resolver, ignores):
                continue
            for f in _walk(p, resolver, ignores):
                add(f)
        else:
            out.missing.append(raw)
    out.files.sort()
    return out


def _walk(top: str, resolver: ConfigResolver, ignores: _Ignores) -> list[str]:
    found: list[str] = []
    base_chain = _parent_chain(top, ignores) if _respects_gitignore(resolver, top) else []
    # Stack of (folder, chain of specs governing the folder's entries).
    stack: list[tuple[str, list[tuple[str, pathspec.PathSpec]]]] = [(top, base_chain)]
    while stack:
        folder, chain = stack.pop()
        respect = _respects_gitignore(resolver, folder)
        if respect:
            spec = ignores.spec_of(folder)
            if spec is not None:
                chain = chain + [(folder, spec)]
        else:
            chain = []
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        subdirs = []
        for entry in entries:
            name = entry.name
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
                is_file = entry.is_file()
            except OSError:
                continue
            if is_dir:
                if name in ALWAYS_EXCLUDED_DIRS:
                    continue
                if chain and _Ignores.ignored(chain, entry.path, True):
                    continue
                if _excluded_by_config(resolver, entry.path):
                    continue
                subdirs.append(entry.path)
            elif is_file:
                if grammar_for_path(name) is None:
                    continue
                if chain and _Ignores.ignored(chain, entry.path, False):
                    continue
                if _excluded_by_config(resolver, entry.path):
                    continue
                found.append(entry.path)
        for d in sorted(subdirs, reverse=True):
            stack.append((d, chain))
    return found
