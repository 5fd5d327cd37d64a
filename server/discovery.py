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
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:  # imported when a .gitignore is read: a warm run of a tree without one never needs it
    import pathspec

# Copies of analyzers.config.ALWAYS_EXCLUDED_DIRS, CONFIG_FILES and analyzers.languages.SUFFIX_GRAMMAR's
# keys (tests/test_cache_warm.py keeps them equal): those modules import pathspec and
# tree-sitter, which a warm run of `reviewlens check` does without.
ALWAYS_EXCLUDED_DIRS = frozenset({
    "node_modules", ".venv", "venv", "dist", "build", ".next", ".git", "__pycache__",
    ".mypy_cache", ".ruff_cache", ".pytest_cache", ".tox", ".reviewlens_cache",
})
SOURCE_SUFFIXES = frozenset({".py", ".pyi", ".ts", ".mts", ".cts", ".tsx", ".js", ".jsx", ".mjs", ".cjs"})
_CONFIG_NAMES = frozenset({"reviewlens.toml", "pyproject.toml"})  # analyzers.config.CONFIG_FILES

ConfigResolver = Any  # analyzers.config.ConfigResolver or cache.CachedResolver


def grammar_for_path(path: str) -> bool:
    """Is this a Python/TypeScript/JavaScript file? (PurePath.suffix, lower-cased)"""
    name = os.path.basename(path)
    i = name.rfind(".")
    return 0 < i < len(name) - 1 and name[i:].lower() in SOURCE_SUFFIXES


def file_size(path: str) -> int:
    """The size of a file; 0 when it cannot be read (the check reports why)."""
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


class Discovery:
    __slots__ = ("files", "missing", "unsupported", "sizes", "known", "record")

    def __init__(self) -> None:  # (no dataclass: the warm path does without importing dataclasses)
        self.files: list[str] = []  # absolute paths, sorted, unique
        self.missing: list[str] = []  # command-line paths that do not exist
        self.unsupported: list[str] = []  # explicit files of no known language
        self.sizes: list[int] | None = None  # of `files`, when the walk had them read (0: unreadable)
        self.known = None  # workspace answers found ahead (workspace.known_ahead), if any
        self.record: WalkRecord | None = None  # what the walk's answer depends on, when recorded


class WalkRecord:
    """What a walk's answer depends on, for the result cache to reuse it while none of it
    changed (server/cache.py): every folder it listed, with the mtime stat'ed before the
    listing (an entry added, removed or renamed changes it); every config or ignore file
    it looked for, here and above its roots, with its stat signature or None (absent);
    and whether `.git` is there above the roots. `usable` is False when the answer can
    change otherwise: the walk took paths that are not folders (explicit files, missing
    paths), met a symlinked file (its target may come and go) or an unreadable folder."""

    __slots__ = ("folders", "files", "present", "started", "usable")

    def __init__(self) -> None:
        import time

        self.folders: dict[str, int | None] = {}
        self.files: dict[str, tuple[int, int] | None] = {}
        self.present: dict[str, bool] = {}  # paths only whose existence counts (`.git`)
        self.started = time.time_ns()
        self.usable = True

    def folder(self, path: str) -> None:
        if path not in self.folders:
            self.folders[path] = _mtime(path)

    def file(self, path: str) -> None:
        if path not in self.files:
            self.files[path] = _signature(path)

    def above(self, root: str) -> None:
        """What the walk looks for above a root: config files, `.git` (the repository's root)
        and ignore files, each by itself (a folder's mtime up there also changes with
        whatever else comes and goes next to the root, such as the cache folder itself)."""
        cur = os.path.dirname(root)
        while True:
            for name in (*_CONFIG_NAMES, ".gitignore", os.path.join(".git", "info", "exclude")):
                self.file(os.path.join(cur, name))
            git = os.path.join(cur, ".git")
            if git not in self.present:
                self.present[git] = os.path.exists(git)
            parent = os.path.dirname(cur)
            if parent == cur:
                return
            cur = parent


def _mtime(path: str) -> int | None:
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return None


def _signature(path: str) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size


class _Ignores:
    """The .gitignore specs that govern a folder, shallowest first."""

    def __init__(self, record: WalkRecord | None = None) -> None:
        self._cache: dict[str, pathspec.PathSpec | None] = {}
        self._record = record

    def spec_of(self, folder: str, names: set[str] | None = None) -> pathspec.PathSpec | None:
        """`names`: the folder's entries when already listed (no open() when neither a
        .gitignore nor a .git is among them)."""
        if folder in self._cache:
            return self._cache[folder]
        if names is not None and ".gitignore" not in names and ".git" not in names:
            self._cache[folder] = None
            return None
        lines: list[str] = []
        for name in (".gitignore", os.path.join(".git", "info", "exclude")):
            candidate = os.path.join(folder, name)
            if self._record is not None:
                self._record.file(candidate)
            try:
                with open(candidate, "rb") as fh:
                    lines += fh.read().decode("utf-8", "replace").splitlines()
            except OSError:
                continue
        spec = None
        if lines:
            import pathspec

            spec = pathspec.GitIgnoreSpec.from_lines(lines)
        self._cache[folder] = spec
        return spec

    @staticmethod
    def ignored(chain: list[tuple[str, pathspec.PathSpec]], path: str, is_dir: bool) -> bool:
        verdict = None
        for base, spec in chain:
            if path.startswith(base + os.sep):  # the usual case, without os.path.relpath
                rel = path[len(base) + 1:]
            else:
                rel = os.path.relpath(path, base)
            if os.sep != "/":
                rel = rel.replace(os.sep, "/")
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


def _settings_of_folder(resolver: ConfigResolver, folder: str, entries: list | None = None):
    """The settings governing `folder`; `entries`: its listing, when just made (the config
    files it holds are read from it instead of a stat each)."""
    for_folder = getattr(resolver, "for_folder", None)
    if for_folder is None:
        return resolver.for_path(folder)
    if entries is None:
        return for_folder(folder)
    return for_folder(folder, [e.name for e in entries if e.name in _CONFIG_NAMES and _is_file(e)])


def _is_file(entry: os.DirEntry) -> bool:
    try:
        return entry.is_file()  # a symlink to a file counts, as os.path.isfile says
    except OSError:
        return False


def _excluded_by_config(resolver: ConfigResolver, path: str, settings: Any = None) -> bool:
    settings = settings if settings is not None else resolver.for_path(path)
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


def discover(paths: list[str], resolver: ConfigResolver, *, force_exclude: bool = False,
             on_file: Callable[[str], None] | None = None, record: WalkRecord | None = None) -> Discovery:
    """`on_file`: called with each file a folder walk finds, as it finds it (before the
    list is complete; server/background_discovery.py). `record`: filled with what the
    answer depends on (WalkRecord), and kept as the answer's."""
    out = Discovery()
    out.record = record
    seen: set[str] = set()
    ignores = _Ignores(record)

    def add(p: str) -> None:
        if p not in seen:
            seen.add(p)
            out.files.append(p)

    for raw in paths:
        p = os.path.abspath(raw)
        if record is not None and not os.path.isdir(p):
            record.usable = False
        if os.path.isfile(p):
            if not grammar_for_path(p):
                out.unsupported.append(raw)
                continue
            if force_exclude and is_excluded_path(p, resolver, ignores):
                continue
            add(p)
        elif os.path.isdir(p):
            if force_exclude and is_excluded_path(p, resolver, ignores):
                continue
            if record is not None:
                record.above(p)
            walked = _walk(p, resolver, ignores, on_file, record)
            if len(paths) == 1:
                out.files = walked  # one folder: its walk has no path twice
                continue
            for f in walked:
                add(f)
        else:
            out.missing.append(raw)
    out.files.sort()
    return out


def _walk(top: str, resolver: ConfigResolver, ignores: _Ignores,
          on_file: Callable[[str], None] | None = None, record: WalkRecord | None = None) -> list[str]:
    found: list[str] = []
    base_chain = _parent_chain(top, ignores) if _respects_gitignore(resolver, top) else []
    # Stack of (folder, chain of specs governing the folder's entries, whether the folder
    # was already judged by its own config).
    stack: list[tuple[str, list[tuple[str, pathspec.PathSpec]], bool]] = [(top, base_chain, True)]
    while stack:
        folder, chain, judged = stack.pop()
        if record is not None:
            record.folder(folder)  # before the listing: a change after it shows next time
        try:
            with os.scandir(folder) as it:
                entries = list(it)
        except OSError:
            entries = None
        if record is not None:
            if entries is None:
                record.usable = False  # readable again later without a change of mtime
            else:
                for entry in entries:
                    if entry.name in _CONFIG_NAMES:
                        record.file(entry.path)
        here = _settings_of_folder(resolver, folder, entries)
        if not judged and here.exclude and _excluded_by_config(resolver, folder, here):
            continue  # excluded by its own config, read from its listing
        if here.respect_gitignore:
            spec = ignores.spec_of(folder, None if entries is None else {e.name for e in entries})
            if spec is not None:
                chain = chain + [(folder, spec)]
        else:
            chain = []
        if entries is None:
            continue
        subdirs = []
        suffixes = SOURCE_SUFFIXES
        for entry in entries:
            name = entry.name
            try:
                # The suffix first (no system call), as grammar_for_path does; a source
                # name that is a file needs no is_dir (d_type answers both, no stat).
                dot = name.rfind(".")
                is_file = 0 < dot < len(name) - 1 and name[dot:].lower() in suffixes and entry.is_file()
                is_dir = not is_file and entry.is_dir(follow_symlinks=False)
            except OSError:
                continue
            if is_dir:
                if name in ALWAYS_EXCLUDED_DIRS:
                    continue
                if chain and _Ignores.ignored(chain, entry.path, True):
                    continue
                if here.exclude:
                    # Judged now, before it is listed (an excluded folder may be huge), by
                    # its own config: found with a stat per config name.
                    if record is not None:  # a config of its own, added later, may let it in
                        record.folder(entry.path)
                        for name in _CONFIG_NAMES:
                            record.file(os.path.join(entry.path, name))
                    own = _settings_of_folder(resolver, entry.path)
                    if own.exclude and _excluded_by_config(resolver, entry.path, own):
                        continue
                    subdirs.append((entry.path, True))
                else:
                    # Only a config of its own can exclude it: judged once listed, its
                    # config files read from the listing (no stats).
                    subdirs.append((entry.path, False))
            elif is_file:
                if record is not None and entry.is_symlink():
                    record.usable = False  # its target may come and go with no folder changing
                if chain and _Ignores.ignored(chain, entry.path, False):
                    continue
                if here.exclude and _excluded_by_config(resolver, entry.path, here):
                    continue
                found.append(entry.path)
                if on_file is not None:
                    on_file(entry.path)
        for d, judged_here in sorted(subdirs, reverse=True):
            stack.append((d, chain, judged_here))
    return found
