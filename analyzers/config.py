"""Project configuration: `[tool.reviewlens]` in pyproject.toml or a reviewlens.toml.

The nearest config file upward from each checked file wins (a pyproject.toml without a
`[tool.reviewlens]` table is passed over, like ruff does). Path patterns in a config are
gitignore-style and relative to the config file's folder. Every problem is reported as a
ConfigError naming the file and the key; nothing here raises anything else on bad input.
"""

from __future__ import annotations

import functools
import os
import re
from pathlib import Path, PurePosixPath
from typing import Any, Collection, Iterable

from .model import Severity
from .records import FrozenRecord

CONFIG_FILES = ("reviewlens.toml", "pyproject.toml")

DEFAULT_EXEMPT_PATHS = (
    "tests/", "test/", "__tests__/", "e2e/", "cypress/", "playwright/",
    "test_*.py", "*_test.py", "conftest.py", "*.test.*", "*.spec.*", "setupTests.*",
    "scripts/",
)
# Never checked, whatever the config says (on top of .gitignore and `exclude`).
ALWAYS_EXCLUDED_DIRS = frozenset({
    "node_modules", ".venv", "venv", "dist", "build", ".next", ".git", "__pycache__",
    ".mypy_cache", ".ruff_cache", ".pytest_cache", ".tox", ".reviewlens_cache",
})


class ConfigError(Exception):
    def __init__(self, path: str | os.PathLike | None, problem: str) -> None:
        self.path = str(path) if path is not None else None
        self.problem = problem
        super().__init__(f"{self.path}: {problem}" if self.path else problem)


@functools.lru_cache(maxsize=4096)
def _real_dir(folder: str) -> Path:
    """`Path(folder).resolve()`. Built from the parent folder's answer when `folder` is
    not itself a symlink: one lstat per folder instead of one per path component (a
    batch run asks for every folder of the tree, ~40 us each the long way)."""
    parent, name = os.path.split(folder)
    if name and name not in (".", "..") and parent and parent != folder and os.path.isabs(parent) \
            and "/./" not in folder and "/../" not in folder and not os.path.islink(folder):
        return _real_dir(parent) / name
    return Path(folder).resolve()


def _real(p: Path) -> Path:
    """`p.resolve()`, with the folder part resolved once per folder (the CLI and the server
    ask for every file of a folder in turn); a file that is itself a symlink is resolved whole."""
    if p.is_absolute() and not p.is_symlink():
        return _real_dir(str(p.parent)) / p.name
    return p.resolve()


@functools.lru_cache(maxsize=4096)
def _relative_dir(root: str, folder: str) -> str | None:
    """Posix path of the real `folder` below `root` ("" for root itself); None outside it."""
    try:
        real = str(_real_dir(folder))
    except OSError:
        return None
    if real == root:
        return ""
    prefix = root if root.endswith(os.sep) else root + os.sep
    if not real.startswith(prefix):
        return None
    return real[len(prefix):].replace(os.sep, "/")


# What pathspec compiles each default exempt path to (tests/test_config_globs.py checks it
# against pathspec): with the default settings no pathspec import is needed, and that
# import costs ~10-20 ms (pathspec 0.12; dataclasses and its modules), a tenth of a
# small warm run.
_DEFAULT_REGEXES = {
    'tests/': '^(?:.+/)?tests/',
    'test/': '^(?:.+/)?test/',
    '__tests__/': '^(?:.+/)?__tests__/',
    'e2e/': '^(?:.+/)?e2e/',
    'cypress/': '^(?:.+/)?cypress/',
    'playwright/': '^(?:.+/)?playwright/',
    'test_*.py': '^(?:.+/)?test_[^/]*\\.py(?:/|$)',
    '*_test.py': '^(?:.+/)?[^/]*_test\\.py(?:/|$)',
    'conftest.py': '^(?:.+/)?conftest\\.py(?:/|$)',
    '*.test.*': '^(?:.+/)?[^/]*\\.test\\.[^/]*(?:/|$)',
    '*.spec.*': '^(?:.+/)?[^/]*\\.spec\\.[^/]*(?:/|$)',
    'setupTests.*': '^(?:.+/)?setupTests\\.[^/]*(?:/|$)',
    'scripts/': '^(?:.+/)?scripts/',
}


class Globs:
    """A list of gitignore-style path patterns (pathspec). Without negated patterns, a
    posix relative path is matched by one regex joining the patterns' own (pathspec tries
    them one by one, ~5 us a file for the default exempt paths); anything else goes
    through pathspec itself, imported on first use."""

    __slots__ = ("patterns", "_spec", "regex", "empty")

    def __init__(self, patterns: Iterable[str]) -> None:
        self.patterns = list(patterns)
        self._spec = None
        self.regex: re.Pattern[str] | None = None
        known = [_DEFAULT_REGEXES.get(p) for p in self.patterns]
        if all(known):
            self.empty = not known
            if known:
                self.regex = re.compile("|".join(f"(?:{r})" for r in known))
            return
        active = [p for p in self.spec.patterns if p.include is not None]
        self.empty = not active
        regexes = [getattr(p, "regex", None) for p in active]
        if active and all(p.include for p in active) and all(
            isinstance(r, re.Pattern) and isinstance(r.pattern, str) and r.flags == re.UNICODE for r in regexes
        ):
            try:
                self.regex = re.compile("|".join(f"(?:{r.pattern})" for r in regexes))
            except re.error:  # e.g. a group name two patterns share: pathspec decides
                self.regex = None

    @property
    def spec(self):
        """The patterns as git reads a .gitignore (GitIgnoreSpec: the same name in pathspec 0.12 and 1.x)."""
        if self._spec is None:
            import pathspec

            self._spec = pathspec.GitIgnoreSpec.from_lines(self.patterns)
        return self._spec

    def match_file(self, rel: str) -> bool:
        if self.empty:
            return False
        if self.regex is not None and not rel.startswith(("./", "/")) and "\\" not in rel:
            return self.regex.match(rel) is not None
        return self.spec.match_file(rel)


def _spec(patterns: Iterable[str]) -> Globs:
    return Globs(patterns)


class Settings(FrozenRecord):
    """Resolved settings for the files governed by one config file (or the defaults).
    (Not slotted: the derived values below are cached on the instance.)"""

    FIELDS = ("root", "source", "select", "extend_select", "ignore", "per_file_ignores", "exclude", "exempt_paths",
              "severity", "rule_options", "banned_modules", "respect_gitignore", "extra")
    root: Path | None  # folder of the config file; patterns are relative to it
    source: Path | None  # the config file
    select: tuple[str, ...]
    extend_select: tuple[str, ...]
    ignore: tuple[str, ...]
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...]
    exclude: tuple[str, ...]
    exempt_paths: tuple[str, ...]
    severity: tuple[tuple[str, Severity], ...]
    rule_options: tuple[tuple[str, tuple[tuple[str, Any], ...]], ...]
    banned_modules: tuple[tuple[str, str], ...]
    respect_gitignore: bool
    extra: tuple[tuple[str, Any], ...]

    def __init__(
        self,
        root: Path | None = None,
        source: Path | None = None,
        select: tuple[str, ...] = ("ALL",),
        extend_select: tuple[str, ...] = (),
        ignore: tuple[str, ...] = (),
        per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = (),
        exclude: tuple[str, ...] = (),
        exempt_paths: tuple[str, ...] = DEFAULT_EXEMPT_PATHS,
        severity: tuple[tuple[str, Severity], ...] = (),
        rule_options: tuple[tuple[str, tuple[tuple[str, Any], ...]], ...] = (),
        banned_modules: tuple[tuple[str, str], ...] = (),
        respect_gitignore: bool = True,
        extra: tuple[tuple[str, Any], ...] = (),
    ) -> None:
        self._init(root=root, source=source, select=select, extend_select=extend_select, ignore=ignore,
                   per_file_ignores=per_file_ignores, exclude=exclude, exempt_paths=exempt_paths, severity=severity,
                   rule_options=rule_options, banned_modules=banned_modules, respect_gitignore=respect_gitignore,
                   extra=extra)

    # -- derived, cached --------------------------------------------------------------
    @functools.cached_property
    def _exempt_spec(self) -> Globs:
        return _spec(self.exempt_paths)

    @functools.cached_property
    def _exclude_spec(self) -> Globs:
        return _spec(self.exclude)

    @functools.cached_property
    def _per_file(self) -> list[tuple[Globs, tuple[str, ...]]]:
        return [(_spec([glob]), codes) for glob, codes in self.per_file_ignores]

    @functools.cached_property
    def severity_map(self) -> dict[str, Severity]:
        return dict(self.severity)

    @functools.cached_property
    def options_map(self) -> dict[str, dict[str, Any]]:
        return {code: dict(opts) for code, opts in self.rule_options}

    @functools.cached_property
    def _resolved_root(self) -> Path | None:
        # Resolved once per Settings, not once per checked file (a realpath walk each time).
        return self.root.resolve() if self.root is not None else None

    def relative(self, path: str | os.PathLike) -> str:
        """Posix path of `path` relative to the config root (or as given when outside it)."""
        if self.root is not None and isinstance(path, str) and os.path.isabs(path) and not os.path.islink(path):
            # The common case (an absolute path of a file that is not a symlink, as the CLI
            # and the server give): resolve its folder once per folder, not once per file.
            folder, name = os.path.split(path)
            if name:
                rel_dir = _relative_dir(str(self._resolved_root), folder)
                if rel_dir is not None:
                    return f"{rel_dir}/{name}" if rel_dir else name
        p = Path(path)
        if self.root is not None:
            try:
                return _real(p).relative_to(self._resolved_root).as_posix()
            except (ValueError, OSError):
                pass
        if p.is_absolute():
            try:
                return p.resolve().relative_to(Path.cwd().resolve()).as_posix()
            except (ValueError, OSError):
                return p.name
        return PurePosixPath(p.as_posix()).as_posix().lstrip("./") if p.as_posix().startswith("./") else p.as_posix()

    def is_exempt(self, rel: str) -> bool:
        return self._exempt_spec.match_file(rel)

    def is_excluded(self, rel: str) -> bool:
        return bool(self.exclude) and self._exclude_spec.match_file(rel)

    def enabled_codes(self, rel: str, all_codes: Iterable[str], names: dict[str, str]) -> frozenset[str]:
        # select / extend-select / ignore are the same for every file: expanded once per
        # (codes, names) pair given (the engine passes the registry's cached ones).
        known = self.__dict__.get("_enabled_base")
        if known is not None and known[0] is all_codes and known[1] is names:
            base = known[2]
        else:
            codes = list(all_codes)
            chosen = set(expand_selectors(self.select, codes, names)) | set(expand_selectors(self.extend_select, codes, names))
            chosen -= set(expand_selectors(self.ignore, codes, names))
            base = frozenset(chosen)
            self.__dict__["_enabled_base"] = (all_codes, names, base)
        per_file = self._per_file
        if not per_file:
            return base
        codes = list(all_codes)
        chosen = set(base)
        for spec, ignored in per_file:
            if spec.match_file(rel):
                chosen -= set(expand_selectors(ignored, codes, names))
        return frozenset(chosen)

    def with_overrides(self, **changes: Any) -> "Settings":
        return self.replace(**changes)


def expand_selectors(selectors: Iterable[str], codes: list[str], names: dict[str, str]) -> list[str]:
    """"ALL", a code ("RL201"), a prefix ("RL2") or a rule name ("debug-print") -> codes."""
    out: list[str] = []
    for sel in selectors:
        s = sel.strip()
        if s.upper() == "ALL":
            out.extend(codes)
        elif s in names:
            out.append(names[s])
        else:
            out.extend(c for c in codes if c.startswith(s.upper()))
    return out


def validate_selectors(selectors: Iterable[str], codes: list[str], names: dict[str, str], where: str, path) -> None:
    for sel in selectors:
        if not isinstance(sel, str):
            raise ConfigError(path, f"{where}: expected rule codes as strings, got {sel!r}")
        if not expand_selectors([sel], codes, names):
            raise ConfigError(path, f"{where}: unknown rule selector {sel!r} (see `reviewlens rules`)")


# --- loading ---------------------------------------------------------------------------

_KNOWN_KEYS = {
    "select", "extend-select", "ignore", "per-file-ignores", "exclude", "extend-exclude",
    "exempt-paths", "extend-exempt-paths", "severity", "options", "banned-modules",
    "respect-gitignore", "api-prefix",
}


def _expect_str_list(value: Any, key: str, path) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(path, f"`{key}` must be a list of strings, got {value!r}")
    return tuple(value)


def settings_from_table(table: dict[str, Any], path: Path | None, root: Path | None) -> Settings:
    from .registry import all_codes, code_names, options_of

    codes = all_codes()
    names = code_names()
    if not isinstance(table, dict):
        raise ConfigError(path, "the reviewlens configuration must be a table")
    unknown = sorted(set(table) - _KNOWN_KEYS)
    if unknown:
        raise ConfigError(path, f"unknown key `{unknown[0]}` (known keys: {', '.join(sorted(_KNOWN_KEYS))})")

    kw: dict[str, Any] = {"root": root, "source": path}
    for key, attr in (("select", "select"), ("extend-select", "extend_select"), ("ignore", "ignore")):
        if key in table:
            kw[attr] = _expect_str_list(table[key], key, path)
            validate_selectors(kw[attr], codes, names, f"`{key}`", path)

    if "per-file-ignores" in table:
        pfi = table["per-file-ignores"]
        if not isinstance(pfi, dict):
            raise ConfigError(path, "`per-file-ignores` must be a table of glob = [codes]")
        entries = []
        for glob, value in pfi.items():
            sels = _expect_str_list(value, f"per-file-ignores.{glob}", path)
            validate_selectors(sels, codes, names, f"`per-file-ignores` for {glob!r}", path)
            entries.append((glob, sels))
        kw["per_file_ignores"] = tuple(entries)

    exclude = _expect_str_list(table.get("exclude", []), "exclude", path)
    exclude += _expect_str_list(table.get("extend-exclude", []), "extend-exclude", path)
    kw["exclude"] = exclude

    exempt = DEFAULT_EXEMPT_PATHS
    if "exempt-paths" in table:
        exempt = _expect_str_list(table["exempt-paths"], "exempt-paths", path)
    exempt += _expect_str_list(table.get("extend-exempt-paths", []), "extend-exempt-paths", path)
    kw["exempt_paths"] = exempt

    if "severity" in table:
        sev = table["severity"]
        if not isinstance(sev, dict):
            raise ConfigError(path, "`severity` must be a table of CODE = \"error\" | \"warning\" | \"info\"")
        pairs = []
        for sel, level in sev.items():
            validate_selectors([sel], codes, names, "`severity`", path)
            if not isinstance(level, str):
                raise ConfigError(path, f"`severity.{sel}` must be a string")
            try:
                parsed = Severity.parse(level)
            except ValueError as exc:
                raise ConfigError(path, f"`severity.{sel}`: {exc}") from None
            pairs.extend((code, parsed) for code in expand_selectors([sel], codes, names))
        kw["severity"] = tuple(pairs)

    if "options" in table:
        opts = table["options"]
        if not isinstance(opts, dict):
            raise ConfigError(path, "`options` must be a table of [options.CODE] tables")
        resolved = []
        for sel, values in opts.items():
            code = names.get(sel, sel.upper())
            if code not in codes:
                raise ConfigError(path, f"`options.{sel}`: unknown rule")
            if not isinstance(values, dict):
                raise ConfigError(path, f"`options.{sel}` must be a table")
            known = options_of(code)
            for name, value in values.items():
                if name not in known:
                    hint = ", ".join(sorted(known)) or "none"
                    raise ConfigError(path, f"`options.{sel}.{name}`: unknown option (this rule's options: {hint})")
                default = known[name]
                if default is not None and not _same_shape(default, value):
                    raise ConfigError(path, f"`options.{sel}.{name}` must be {type(default).__name__}, got {value!r}")
            resolved.append((code, tuple(values.items())))
        kw["rule_options"] = tuple(resolved)

    if "banned-modules" in table:
        banned = table["banned-modules"]
        if not isinstance(banned, dict) or not all(isinstance(v, str) for v in banned.values()):
            raise ConfigError(path, "`banned-modules` must be a table of module = \"message\"")
        kw["banned_modules"] = tuple(banned.items())

    if "respect-gitignore" in table:
        if not isinstance(table["respect-gitignore"], bool):
            raise ConfigError(path, "`respect-gitignore` must be true or false")
        kw["respect_gitignore"] = table["respect-gitignore"]

    extra = {k: table[k] for k in ("api-prefix",) if k in table}
    kw["extra"] = tuple(extra.items())
    return Settings(**kw)


def _same_shape(default: Any, value: Any) -> bool:
    if isinstance(default, bool):
        return isinstance(value, bool)
    if isinstance(default, (int, float)):
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if isinstance(default, (list, tuple)):
        return isinstance(value, list)
    return isinstance(value, type(default))


def load_config_file(path: Path) -> Settings | None:
    """Settings from one file; None for a pyproject.toml without [tool.reviewlens]."""
    # Imported here (~3 ms): a cold parallel run reads its configs in the background
    # discovery's child, and the parent never needs the parser.
    import tomllib

    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(path, f"cannot read: {exc.strerror or exc}") from None
    if path.name == "pyproject.toml" and b"reviewlens" not in raw:
        # No [tool.reviewlens] can be spelled without the word (short of unicode escapes
        # in a quoted key): another tool's file, never parsed (~1 ms each, and a walk of a
        # monorepo meets dozens), nor are its own TOML errors ours to report.
        return None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(path, "not valid UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(path, f"invalid TOML: {exc}") from None
    if path.name == "pyproject.toml":
        table = data.get("tool", {}).get("reviewlens") if isinstance(data.get("tool"), dict) else None
        if table is None:
            return None
    else:
        table = data.get("tool", {}).get("reviewlens", data) if "tool" in data else data
    return settings_from_table(table, path, path.parent)


class ConfigResolver:
    """Finds and caches the settings that govern each folder."""

    def __init__(self, override: Path | None = None, defaults: Settings | None = None) -> None:
        self._override = load_config_file(override) if override else None
        if override and self._override is None:
            raise ConfigError(override, "no [tool.reviewlens] table in this file")
        self._defaults = defaults or Settings()
        self._by_dir: dict[str, Settings] = {}
        self._by_file: dict[str, Settings] = {}
        self._by_folder: dict[str, Settings] = {}

    def for_path(self, path: str | os.PathLike) -> Settings:
        if self._override is not None:
            return self._override
        # Discovery, the checker and the result cache all ask for every file: remember
        # the answer per absolute path string (like _by_dir, for the resolver's lifetime).
        key = path if isinstance(path, str) and os.path.isabs(path) and not path.endswith("/") else None
        if key is not None:
            hit = self._by_file.get(key)
            if hit is not None:
                return hit
            if not os.path.isdir(key):
                # A file: its settings are its folder's (one Path and a walk per folder).
                folder_key = os.path.dirname(key)
                settings = self._by_folder.get(folder_key)
                if settings is None:
                    settings = self._by_folder[folder_key] = self._for_dir(folder_key)
                self._by_file[key] = settings
                return settings
        p = Path(path).absolute()
        folder = p if p.is_dir() else p.parent
        settings = self._for_dir(str(folder))
        if key is not None:
            self._by_file[key] = settings
            if folder is p:  # a folder governs its files as it is governed
                self._by_folder.setdefault(key, settings)
        return settings

    def for_folder(self, folder: str, present: "Collection[str] | None" = None) -> Settings:
        """`for_path` of an absolute folder path the caller knows to be a folder (a walk's,
        without a trailing slash): no stat, no Path. `present`: which of CONFIG_FILES the
        folder holds as files, when the caller has just listed it (no stat for those)."""
        if self._override is not None:
            return self._override
        settings = self._by_folder.get(folder)
        if settings is None:
            settings = self._by_folder[folder] = self._for_dir(folder, present)
            self._by_file.setdefault(folder, settings)
        return settings

    def snapshot(self) -> tuple[dict[str, Settings], dict[str, Settings]]:
        """The answers found so far by path string, picklable: the background discovery's
        child hands them to the parent, which `absorb`s them (its forked workers then
        inherit them, as they would an in-process discovery's)."""
        return self._by_file, self._by_folder

    def absorb(self, snapshot: tuple[dict[str, Settings], dict[str, Settings]]) -> None:
        """Take another resolver's answers (`snapshot()` of one with the same override and
        defaults) for the paths this one has not resolved itself."""
        by_file, by_folder = snapshot
        for key, settings in by_file.items():
            self._by_file.setdefault(key, settings)
        for key, settings in by_folder.items():
            self._by_folder.setdefault(key, settings)

    def _for_dir(self, folder: str, present: "Collection[str] | None" = None) -> Settings:
        """The settings of an absolute folder: its own config file's, else its parent's.
        Plain strings and stats: a walk asks for every folder of the tree."""
        cached = self._by_dir.get(folder)
        if cached is not None:
            return cached
        settings = None
        for name in CONFIG_FILES:
            candidate = os.path.join(folder, name)
            if name in present if present is not None else os.path.isfile(candidate):
                settings = load_config_file(Path(candidate))
                if settings is not None:
                    break
        if settings is None:
            parent = os.path.dirname(folder)
            settings = self._defaults if parent == folder else self._for_dir(parent)
        self._by_dir[folder] = settings
        return settings
