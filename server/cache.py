"""Result cache for `reviewlens check` (ruff's model): each file's output, keyed by its
content, the settings that govern it, the rule set and the tool version, plus every other
file the analysis looked at (a package.json, an importer, the workspace roots): an entry
is reused only while all of those are unchanged.

A warm run must cost a stat per file, not an analysis: this module imports neither the
engine, the rules nor tree-sitter. It stores what the output needs (diagnostics already in
line/column form, notices), finds each file's settings through `CachedResolver` (config
files parsed and validated once, remembered by stat), and reads the rule catalogue (codes,
names, URLs, SARIF rule descriptions) from a stored copy. The engine is imported only when
some file has to be checked.

Layout: <cache dir>/<tool version>/<fingerprint>.marshal, one dict per settings
fingerprint (path -> entry), and meta-<code stamp>.marshal (catalogue, config files);
loaded once, written atomically at the end of a run, and only when something changed.

A stat signature (mtime_ns, size) is trusted only when it was taken well after the file's
last modification (`_racy`): a file rewritten within the same timestamp tick as the read
would otherwise keep its signature (git's "racy clean" problem); such files are read and
their digest compared instead.
"""

from __future__ import annotations

import marshal
import os
import sys
import time
from pathlib import Path
from typing import Any, Callable

from reviewlens.analyzers import __version__
from reviewlens.analyzers.workspace import FileSystemWorkspace

from .results import (
    APPLICABILITY_RANK,
    MAX_FILE_BYTES,
    Diagnostic,
    EditOut,
    FileResult,
    FixOut,
    Loc,
    Notice,
    Options,
    display_path,
    too_large_notice,
)

CACHE_DIR_NAME = ".reviewlens_cache"
_FORMAT = 2
# analyzers.config.CONFIG_FILES (tests/test_cache_warm.py keeps them equal): the config
# module imports pathspec and, to validate, the rule registry.
CONFIG_FILES = ("reviewlens.toml", "pyproject.toml")


try:  # hashlib's blake2b itself, without hashlib loading OpenSSL (a few ms per run)
    from _blake2 import blake2b as _blake2b
except ImportError:  # pragma: no cover - a Python built without it
    from hashlib import blake2b as _blake2b


def digest(data: bytes) -> str:
    return _blake2b(data, digest_size=16).hexdigest()


def _racy(mtime_ns: int, seen_ns: int) -> bool:
    """Could the file change again without its mtime changing? Yes when the last write is
    within one timestamp tick of when we looked (2 s on coarse file systems)."""
    margin = 2_000_000_000 if mtime_ns % 1_000_000_000 == 0 else 100_000_000
    return mtime_ns >= seen_ns - margin


# --- the rule set's stamp -------------------------------------------------------------

_STAMP: list[str] = []


def code_stamp() -> str:
    """Size and mtime of every module of reviewlens (analyzers and server): an edited rule
    or output format (a development checkout, an upgrade without a version bump) never
    reuses old results. Cheap: a stat per module, no import."""
    if not _STAMP:
        import reviewlens.analyzers as pkg

        parts = [__version__, sys.implementation.cache_tag or "", str(_FORMAT)]
        folders = list(pkg.__path__) + [os.path.dirname(os.path.abspath(__file__))]
        while folders:
            folder = folders.pop()
            try:
                entries = sorted(os.scandir(folder), key=lambda e: e.name)
            except OSError:
                continue
            for entry in entries:
                if entry.name.endswith(".py"):
                    st = entry.stat()
                    parts.append(f"{entry.path}:{st.st_size}:{st.st_mtime_ns}")
                elif entry.is_dir() and not entry.name.startswith((".", "__")):
                    folders.append(entry.path)
        _STAMP.append(digest("\n".join(sorted(parts)).encode()))
    return _STAMP[0]


# --- what an analysis depends on ------------------------------------------------------

class SignedWorkspace(FileSystemWorkspace):
    """A FileSystemWorkspace that remembers, for each file it read from disk, the stat
    signature taken just before the read (mtime_ns, size, when)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.signatures: dict[str, tuple[int, int, int]] = {}
        self.listings: dict[str, tuple[tuple[tuple[str, int], ...], int]] = {}

    def _sign(self, key: str) -> None:
        """The stat signature of a file about to be read from disk (and when it was taken)."""
        if key not in self._cache and key not in self.overlay:
            try:
                st = os.stat(key)
                self.signatures[key] = (st.st_mtime_ns, st.st_size, time.time_ns())
            except OSError:
                pass

    def read_text(self, path: str) -> str | None:
        key = os.path.abspath(path)
        self._sign(key)
        return super().read_text(key)

    def contains_all(self, path: str, needles: tuple[str, ...]) -> bool:
        # Signed like a read (the stat before it), answered from the bytes (no decoding, no
        # text kept: a project scan asks this of every file).
        key = os.path.abspath(path)
        if key not in self.signatures:
            self._sign(key)
        return super().contains_all(key, needles)

    def _list(self, folder: str, suffixes: tuple[str, ...], limit: int,
              entering: Callable[[str], None] | None = None) -> tuple[list[str], int]:
        """FileSystemWorkspace's walk, remembering each folder it walked with its mtime
        (stat'ed before it is listed): while none changed, no file was added, removed or
        renamed, so the answer is the same (tests/test_cache_warm.py)."""
        walked: list[tuple[str, int]] = []
        unsigned: list[str] = []
        started = time.time_ns()

        def sign(dirpath: str) -> None:
            try:
                walked.append((dirpath, os.stat(dirpath).st_mtime_ns))
            except OSError:
                unsigned.append(dirpath)

        out, on_disk = super()._list(folder, suffixes, limit, sign)
        if walked and not unsigned and on_disk == len(out):  # no open buffer in the answer
            self.listings[f"list:{folder}:{','.join(suffixes)}:{limit}"] = (tuple(walked), started)
        return out, on_disk


class RecordingWorkspace:
    """Wraps a Workspace and remembers what the analysis asked of it (its dependencies)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.deps: dict[str, str | None] = {}

    def read_text(self, path: str) -> str | None:
        text = self.inner.read_text(path)
        self.deps[f"read:{os.path.abspath(path)}"] = None if text is None else digest(text.encode("utf-8", "surrogatepass"))
        return text

    def exists(self, path: str) -> bool:
        found = self.inner.exists(path)
        self.deps[f"exists:{os.path.abspath(path)}"] = "1" if found else None
        return found

    def root_of(self, path: str) -> str | None:
        root = self.inner.root_of(path)
        self.deps[f"root:{os.path.abspath(path)}"] = root
        return root

    def contains_all(self, path: str, needles: tuple[str, ...]) -> bool:
        # A dependency on the answer alone (not the file's digest), revalidated by the
        # file's stat signature or else asked again.
        found = self.inner.contains_all(path, needles)
        self.deps[contains_key(path, needles)] = "1" if found else None
        return found

    def list_files(self, folder: str, suffixes: tuple[str, ...], limit: int = 5000) -> list[str]:
        files = self.inner.list_files(folder, suffixes, limit) if hasattr(self.inner, "list_files") else []
        self.deps[f"list:{os.path.abspath(folder)}:{','.join(suffixes)}:{limit}"] = digest("\n".join(files).encode())
        return files

    def snapshot(self) -> tuple:
        """(deps, signatures of the files read) for the cache entry."""
        signatures = getattr(self.inner, "signatures", {})
        listings = getattr(self.inner, "listings", {})
        sigs: dict[str, Any] = {}
        for key in self.deps:
            if key.startswith(("read:", "contains:")):
                sig = signatures.get(dep_path(key))
                if sig is not None:
                    sigs[key] = sig
            elif key.startswith("list:") and key in listings:
                sigs[key] = listings[key]
        return (dict(self.deps), sigs)

    def __getattr__(self, name: str) -> Any:  # anything else the inner workspace offers
        return getattr(self.inner, name)


def contains_key(path: str, needles: tuple[str, ...]) -> str:
    """The dependency key of a `contains_all(path, needles)` answer (needles hold no NUL)."""
    return "contains:" + "\0".join((os.path.abspath(path), *needles))


def dep_path(key: str) -> str:
    """The file a "read:" or "contains:" dependency is about."""
    if key.startswith("read:"):
        return key[5:]
    return key[9:].split("\0", 1)[0]


def current_dep_value(key: str, workspace: Any) -> str | None:
    kind, _, rest = key.partition(":")
    if kind == "read":
        text = workspace.read_text(rest)
        return None if text is None else digest(text.encode("utf-8", "surrogatepass"))
    if kind == "contains":
        path, *needles = rest.split("\0")
        contains_all = getattr(workspace, "contains_all", None)
        if contains_all is None:
            text = workspace.read_text(path)
            return "1" if text is not None and all(n in text for n in needles) else None
        return "1" if contains_all(path, tuple(needles)) else None
    if kind == "exists":
        return "1" if workspace.exists(rest) else None
    if kind == "root":
        return workspace.root_of(rest)
    if kind == "list":
        folder, suffixes, limit = rest.rsplit(":", 2)
        files = workspace.list_files(folder, tuple(suffixes.split(",")), int(limit)) if hasattr(workspace, "list_files") else []
        return digest("\n".join(files).encode())
    return "?"


class _Deps:
    """Checks dependencies for many entries, each one once per run (files share them)."""

    def __init__(self, workspace: Any) -> None:
        self.workspace = workspace
        self._values: dict[str, str | None] = {}
        self._stats: dict[str, tuple[int, int] | None] = {}

    def know(self, path: str, st: os.stat_result) -> None:
        self._stats[path] = (st.st_mtime_ns, st.st_size)

    def sizes(self, paths: list[str]) -> list[int] | None:
        """The sizes of `paths` as their stats this run said (the checker orders its work by
        them), or None when one was not stat'ed."""
        out = []
        for path in paths:
            sig = self._stats.get(path)
            if sig is None:
                return None
            out.append(sig[1])
        return out

    def _stat(self, path: str) -> tuple[int, int] | None:
        try:
            return self._stats[path]
        except KeyError:
            try:
                st = os.stat(path)
                sig = (st.st_mtime_ns, st.st_size)
            except OSError:
                sig = None
            self._stats[path] = sig
            return sig

    def _mtime(self, path: str) -> int | None:
        sig = self._stat(path)
        return None if sig is None else sig[0]

    def unchanged(self, deps: tuple) -> bool:
        for key, value, sig in deps:
            if sig is not None:
                if key.startswith("list:"):
                    # Every folder the listing walked, with its mtime: none changed.
                    if all(self._mtime(folder) == mtime for folder, mtime in sig):
                        continue
                elif self._stat(dep_path(key)) == sig:
                    continue  # read when it had this signature: same content, same value
            try:
                current = self._values[key]
            except KeyError:
                current = self._values[key] = current_dep_value(key, self.workspace)
            if current != value:
                return False
        return True


# --- stored results -------------------------------------------------------------------

def _load(file: str) -> dict:
    try:
        with open(file, "rb") as fh:
            loaded = marshal.loads(fh.read())  # marshal.load(fh) reads object by object: ~10x slower
        return loaded if isinstance(loaded, dict) else {}
    except (OSError, EOFError, ValueError, TypeError):
        return {}  # missing or unreadable: start afresh, never fail the run


def _save(file: str, data: dict) -> None:
    try:
        folder = os.path.dirname(file)
        os.makedirs(folder, exist_ok=True)
        gitignore = os.path.join(os.path.dirname(folder), ".gitignore")
        if not os.path.exists(gitignore):
            with open(gitignore, "w") as fh:
                fh.write("# Automatically created by reviewlens.\n*\n")
        import tempfile

        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as fh:
                marshal.dump(data, fh)
            os.replace(tmp, file)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
    except (OSError, ValueError):
        pass  # a read-only tree just runs uncached


class ResultCache:
    """Entries of one settings fingerprint: path -> (content digest, mtime_ns, size,
    deps, diagnostics, notices); mtime_ns/size are None when the stat was racy."""

    def __init__(self, directory: str | Path, fingerprint: str) -> None:
        self.file = os.path.join(str(directory), __version__, f"{fingerprint}.marshal")
        self.entries: dict[str, tuple] = _load(self.file)
        self.dirty = False

    def put(self, path: str, entry: tuple) -> None:
        self.entries[path] = entry
        self.dirty = True

    def save(self) -> None:
        if self.dirty:
            _save(self.file, self.entries)
            self.dirty = False


def _loc_t(loc: Loc) -> tuple[int, int]:
    return (loc.line, loc.column)


def _fix_t(f: FixOut | None) -> tuple | None:
    if f is None:
        return None
    return (f.title, f.applicability,
            tuple((e.start.line, e.start.column, e.end.line, e.end.column, e.start_byte, e.end_byte, e.content)
                  for e in f.edits))


def _fix_from(t: tuple | None) -> FixOut | None:
    if t is None:
        return None
    return FixOut(t[0], t[1], tuple(EditOut(Loc(e[0], e[1]), Loc(e[2], e[3]), e[4], e[5], e[6]) for e in t[2]))


def _diag_t(d: Diagnostic) -> tuple:
    return (d.code, d.name, d.message, d.severity, d.start.line, d.start.column, d.end.line, d.end.column,
            d.start_byte, d.end_byte, d.source_lines, _fix_t(d.fix), tuple(_fix_t(a) for a in d.alternatives))


def _diag_from(t: tuple, shown: str, minimum_rank: int) -> Diagnostic:
    fix = _fix_from(t[11])
    return Diagnostic(t[0], t[1], t[2], t[3], shown, Loc(t[4], t[5]), Loc(t[6], t[7]), t[8], t[9], tuple(t[10]),
                      fix, tuple(_fix_from(a) for a in t[12]),
                      fix is not None and APPLICABILITY_RANK.get(fix.applicability, 0) >= minimum_rank)


# --- settings without the config module ---------------------------------------------------

class ConfigRecord:
    """What the cached path needs of one config file's Settings; the Settings object itself
    (for exclusion patterns, relative paths) is rebuilt on demand."""

    __slots__ = ("fingerprint", "respect_gitignore", "exclude", "_blob", "_settings")

    def __init__(self, fingerprint: str, respect_gitignore: bool, exclude: tuple, blob: bytes, settings: Any = None) -> None:
        self.fingerprint = fingerprint
        self.respect_gitignore = respect_gitignore
        self.exclude = tuple(exclude)
        self._blob = blob
        self._settings = settings

    @classmethod
    def of(cls, settings: Any) -> "ConfigRecord":
        import pickle

        fields = {name: getattr(settings, name) for name in settings.FIELDS}
        return cls(digest(repr(settings).encode()), bool(settings.respect_gitignore), tuple(settings.exclude),
                   pickle.dumps(fields, protocol=pickle.HIGHEST_PROTOCOL), settings)

    def payload(self) -> tuple:
        return (self.fingerprint, self.respect_gitignore, self.exclude, self._blob)

    @property
    def settings(self) -> Any:
        if self._settings is None:
            import pickle

            from reviewlens.analyzers.config import Settings

            self._settings = Settings(**pickle.loads(self._blob))
        return self._settings

    def __getattr__(self, name: str) -> Any:  # relative(), is_excluded(), root ...
        return getattr(self.settings, name)


class _Meta:
    """meta-<code stamp>.marshal: the rule catalogue and the parsed config files."""

    def __init__(self, directory: str) -> None:
        self.file = os.path.join(directory, __version__, f"meta-{code_stamp()}.marshal")
        self.data = _load(self.file)
        self.data.setdefault("configs", {})
        self.dirty = False

    def save(self) -> None:
        if self.dirty:
            _save(self.file, self.data)
            self.dirty = False


class CachedResolver:
    """ConfigResolver's answers (the nearest reviewlens.toml, or pyproject.toml with a
    [tool.reviewlens] table, upward from each folder; or the --config file) from config
    files parsed once and remembered by stat. A new or changed file is loaded by the real
    loader (analyzers.config), which also reports its errors."""

    def __init__(self, meta: _Meta, override: str | None = None) -> None:
        self._meta = meta
        self._configs: dict = meta.data["configs"]
        self._override = override
        self._folders: dict[str, ConfigRecord] = {}
        self._records: dict[str, ConfigRecord | None] = {}
        if override is not None:
            self._override_record = self._load(override, required=True)

    def for_path(self, path: str | os.PathLike) -> ConfigRecord:
        p = os.path.abspath(path)
        return self.for_folder(p if os.path.isdir(p) else os.path.dirname(p))

    def for_folder(self, folder: str, present=None) -> ConfigRecord:
        """`present`: which of CONFIG_FILES the folder holds as files, when the caller has
        just listed it (ConfigResolver.for_folder)."""
        hit = self._folders.get(folder)
        if hit is not None:
            return hit
        if self._override is not None:
            record = self._override_record
        else:
            record = None
            for name in CONFIG_FILES:
                candidate = os.path.join(folder, name)
                if name in present if present is not None else os.path.isfile(candidate):
                    record = self._load(candidate)
                    if record is not None:
                        break
            if record is None:
                parent = os.path.dirname(folder)
                record = self._defaults() if parent == folder else self.for_folder(parent)
        self._folders[folder] = record
        return record

    def snapshot(self) -> tuple:
        """What this resolver has learnt, picklable, as ConfigResolver.snapshot: the records
        of the folders it resolved and the config files it parsed (the background
        discovery's child hands them to the parent, which `absorb`s them)."""
        return {folder: record.payload() for folder, record in self._folders.items()}, dict(self._configs)

    def absorb(self, snapshot: tuple) -> None:
        """Take another resolver's answers (`snapshot()` of one over the same cache) for the
        folders and config files this one has not resolved itself."""
        folders, configs = snapshot
        records: dict[tuple, ConfigRecord] = {}
        for folder, payload in folders.items():
            if folder not in self._folders:
                record = records.get(payload)
                if record is None:
                    record = records[payload] = ConfigRecord(*payload)
                self._folders[folder] = record
        for path, entry in configs.items():
            if path not in self._configs:
                self._configs[path] = entry
                self._meta.dirty = True  # parsed by the child: stored for the next runs

    def settings_resolver(self) -> Any:
        """An analyzers.config.ConfigResolver already holding this one's answers, as
        Settings, for every folder resolved so far (the walk's): handed to the checker,
        whose processes then read no config file again. None with an override file (the
        checker's own resolver loads it once)."""
        if self._override is not None:
            return None
        from reviewlens.analyzers.config import ConfigResolver

        resolver = ConfigResolver()
        resolver.absorb(({}, {folder: record.settings for folder, record in self._folders.items()}))
        return resolver

    def _defaults(self) -> ConfigRecord:
        record = self._records.get("")
        if record is None:
            stored = self._configs.get("")
            if stored is not None:
                record = ConfigRecord(*stored[2])
            else:
                from reviewlens.analyzers.config import Settings

                record = ConfigRecord.of(Settings())
                self._configs[""] = (0, 0, record.payload())
                self._meta.dirty = True
            self._records[""] = record
        return record

    def _load(self, path: str, required: bool = False) -> ConfigRecord | None:
        if path in self._records:
            return self._records[path]
        try:
            st = os.stat(path)
            sig = (st.st_mtime_ns, st.st_size)
        except OSError:
            sig = None
        stored = self._configs.get(path)
        if sig is not None and stored is not None and (stored[0], stored[1]) == sig and (stored[2] is not None or not required):
            record = None if stored[2] is None else ConfigRecord(*stored[2])
        else:
            from reviewlens.analyzers.config import ConfigResolver, load_config_file

            seen = time.time_ns()
            if required:  # the --config file: the real resolver raises what the CLI reports
                settings = ConfigResolver(Path(path)).for_path(path)
            else:
                settings = load_config_file(Path(path))
            record = None if settings is None else ConfigRecord.of(settings)
            if sig is not None and not _racy(sig[0], seen):
                self._configs[path] = (sig[0], sig[1], None if record is None else record.payload())
                self._meta.dirty = True
        self._records[path] = record
        return record


# --- the rule catalogue -----------------------------------------------------------------

class Catalog:
    """Rule codes, names, docs URLs and SARIF rule descriptions, as the outputs use them.
    The first three come from the registry's index (no rule imported); the SARIF
    descriptions render every rule's docs (every rule of every family imported, ~40 ms),
    so they are worked out only for a SARIF report, and remembered apart."""

    def __init__(self, data: dict, meta: "_Meta | None" = None) -> None:
        self.codes: list[str] = list(data["codes"])
        self.names: dict[str, str] = dict(data["names"])
        self.urls: dict[str, str] = dict(data["urls"])
        self._meta = meta

    @property
    def sarif_rules(self) -> list[dict]:
        data = self._meta.data.get("sarif_rules") if self._meta is not None else None
        if data is None:
            from .output.sarif import rule_descriptor
            from .ruledocs import rules

            data = [rule_descriptor(i) for i in rules()]
            if self._meta is not None:
                self._meta.data["sarif_rules"] = data
                self._meta.dirty = True
                self._meta.save()  # asked for by the output, after the run's save
        return data

    @staticmethod
    def compute() -> dict:
        from reviewlens.analyzers import registry

        return {"codes": registry.all_codes(), "names": registry.code_names(), "urls": registry.docs_urls()}


def catalog(meta: _Meta | None = None) -> Catalog:
    if meta is None:
        return Catalog(Catalog.compute())
    data = meta.data.get("catalog")
    if data is None:
        data = meta.data["catalog"] = Catalog.compute()
        meta.dirty = True
    return Catalog(data, meta)


# --- a cached run -----------------------------------------------------------------------

class Session:
    """One `reviewlens check` run with the cache: settings, stored results, lookups."""

    def __init__(self, options: Options, config_resolver: bool = True) -> None:
        self.options = options
        self.directory = options.cache_dir or "."
        self.meta = _Meta(self.directory)
        self.resolver: CachedResolver | None = None
        if config_resolver:
            self.start_resolver()
        self.workspace = SignedWorkspace(list(options.roots) or [options.cwd or os.getcwd()])
        self.deps = _Deps(self.workspace)
        self._overrides = repr((options.select, options.extend_select, options.ignore))
        self._by_record: dict[int, ResultCache] = {}
        self._by_folder: dict[str, ResultCache] = {}
        self._by_fingerprint: dict[str, ResultCache] = {}
        self._cwd = options.cwd or os.getcwd()
        self._prefix = self._cwd.rstrip(os.sep) + os.sep
        # A cwd display_path would answer for without normalising it first (_shown).
        self._plain_cwd = os.sep == "/" and self._cwd.startswith("/") and _plain(self._cwd)
        self._minimum = options.minimum_rank

    def looks_cold(self) -> bool:
        """Whether no result of this version is stored yet (a first run, a fresh CI
        checkout): then every file will be checked, and the run may as well compile its
        queries while discovery walks (cli._discover)."""
        try:
            names = os.listdir(os.path.join(self.directory, __version__))
        except OSError:
            return True
        return not any(n.endswith(".marshal") and not n.startswith("meta-") for n in names)

    # --- the walk of the tree -------------------------------------------------------------
    WALKS_KEPT = 8

    def _walk_key(self, paths: list[str], force_exclude: bool) -> str:
        override = os.path.abspath(self.options.config) if self.options.config else ""
        return digest(repr((tuple(os.path.abspath(p) for p in paths), bool(force_exclude), override)).encode())

    def reuse_walk(self, paths: list[str], force_exclude: bool) -> Any:
        """The files a walk of `paths` found last time, when nothing it depended on changed
        since (discovery.WalkRecord: every folder it listed has the same mtime, every config
        or ignore file it looked for the same signature or absence, `.git` above the roots
        the same presence); else None. A stat per folder instead of a listing per folder."""
        stored = self.meta.data.get("walks", {}).get(self._walk_key(paths, force_exclude))
        if stored is None:
            return None
        stat = os.stat
        try:
            files, folders, signatures, present = stored
            for path, exists in present:
                if os.path.exists(path) != exists:
                    return None
            for folder, mtime in folders:
                try:
                    if stat(folder).st_mtime_ns != mtime:
                        return None
                except OSError:
                    if mtime is not None:
                        return None
            for path, sig in signatures:
                try:
                    st = stat(path)
                    if sig is None or (st.st_mtime_ns, st.st_size) != tuple(sig):
                        return None
                except OSError:
                    if sig is not None:
                        return None
            if type(files) is not tuple or any(type(f) is not str for f in files):
                return None
        except (TypeError, ValueError):  # a damaged entry: walk again
            return None
        from .discovery import Discovery

        found = Discovery()
        found.files = list(files)
        return found

    def remember_walk(self, paths: list[str], force_exclude: bool, found: Any) -> None:
        """Keep a walk's answer with what it depended on (found.record), unless some of it
        changed too recently to be told apart from a later change (_racy)."""
        record = getattr(found, "record", None)
        if record is None or not record.usable or found.missing or found.unsupported:
            return
        started = record.started
        if any(m is not None and _racy(m, started) for m in record.folders.values()):
            return
        if any(sig is not None and _racy(sig[0], started) for sig in record.files.values()):
            return
        walks = self.meta.data.setdefault("walks", {})
        key = self._walk_key(paths, force_exclude)
        walks.pop(key, None)
        while len(walks) >= self.WALKS_KEPT:
            walks.pop(next(iter(walks)))  # the oldest
        walks[key] = (tuple(found.files), tuple(record.folders.items()), tuple(record.files.items()),
                      tuple(record.present.items()))
        self.meta.dirty = True

    def start_resolver(self) -> None:
        """May raise ConfigError (a broken --config file), as ConfigResolver does."""
        if self.resolver is None:
            self.resolver = CachedResolver(self.meta, self.options.config)

    def catalog(self) -> Catalog:
        cat = catalog(self.meta)
        self.meta.save()  # asked for after the run's save (by the output): keep it now
        return cat

    def cache_for(self, path: str) -> ResultCache:
        folder = path[:path.rfind(os.sep)] or os.sep
        cache = self._by_folder.get(folder)
        if cache is not None:
            return cache
        record = self.resolver.for_folder(os.path.dirname(path))
        cache = self._by_record.get(id(record))
        if cache is None:
            fingerprint = digest(f"{code_stamp()}|{record.fingerprint}|{self._overrides}".encode())[:20]
            cache = self._by_fingerprint.get(fingerprint)
            if cache is None:
                cache = self._by_fingerprint[fingerprint] = ResultCache(self.directory, fingerprint)
            self._by_record[id(record)] = cache
        self._by_folder[folder] = cache
        return cache

    def lookup(self, path: str) -> FileResult | None:
        """The stored result of an unchanged file whose dependencies are unchanged, else None."""
        found = self.probe(path)
        return found if found is None or isinstance(found, FileResult) else self.finish(path, found)

    def probe(self, path: str) -> tuple | FileResult | None:
        """The file's entry when the file itself is unchanged (its dependencies still to be
        checked: `finish`); a FileResult for a file reported without checking; else None."""
        try:
            st = os.stat(path)
            self.deps.know(path, st)  # many files are other files' dependencies
            if st.st_size > MAX_FILE_BYTES:  # reported without reading, as the checker does
                shown = display_path(path, self._cwd)
                return FileResult(shown, notices=[too_large_notice(shown, st.st_size)])
            cache = self.cache_for(path)
            entry = cache.entries.get(path)
            if entry is None:
                return None
            if entry[1] != st.st_mtime_ns or entry[2] != st.st_size:
                seen = time.time_ns()
                with open(path, "rb") as fh:
                    source = fh.read()
                if entry[0] != digest(source):
                    return None
                # Touched, not changed: remember the new signature once it is safe to.
                if len(source) == st.st_size and not _racy(st.st_mtime_ns, seen):
                    entry = (entry[0], st.st_mtime_ns, st.st_size) + entry[3:]
                    cache.put(path, entry)
            return entry
        except (OSError, ValueError, IndexError, TypeError):
            return None  # the normal path reports it
        except Exception as exc:  # a config file that broke: the normal path reports it
            if type(exc).__name__ == "ConfigError":
                return None
            raise

    def _shown(self, path: str) -> str:
        """display_path(path, cwd), with its common cases inlined (called for every file):
        a path without "." or ".." components below the cwd, or outside it."""
        if self._plain_cwd and path.startswith("/") and _plain(path):
            if path.startswith(self._prefix):
                return path[len(self._prefix):]
            if path != self._cwd:
                return path  # outside the cwd: relpath would start with ".."
        return display_path(path, self._cwd)

    def finish(self, path: str, entry: tuple) -> FileResult | None:
        """The stored result, if the entry's dependencies are unchanged."""
        try:
            if entry[3] and not self.deps.unchanged(entry[3]):
                return None
            shown = self._shown(path)
            result = FileResult(shown, checked=True)
            if entry[4]:
                result.diagnostics = [_diag_from(t, shown, self._minimum) for t in entry[4]]
            if entry[5]:
                result.notices = [Notice(shown, n[0], n[1], n[2], n[3]) for n in entry[5]]
            return result
        except (OSError, ValueError, IndexError, TypeError):
            return None  # an unreadable entry: check the file again

    def store(self, path: str, result: FileResult) -> None:
        entry, result.cache_entry = result.cache_entry, None
        if entry is None or not result.checked:
            return
        content, mtime_ns, size, seen, deps, sigs = entry
        if _racy(mtime_ns, seen):
            mtime_ns = size = None
        dep_items = []
        for key, value in deps.items():
            sig = sigs.get(key)
            if sig is not None:
                if key.startswith("list:"):
                    walked, started = sig
                    sig = None if any(_racy(mtime, started) for _, mtime in walked) else walked
                else:
                    sig = None if _racy(sig[0], sig[2]) else (sig[0], sig[1])
            dep_items.append((key, value, sig))
        stored = (content, mtime_ns, size, tuple(dep_items),
                  tuple(_diag_t(d) for d in result.diagnostics),
                  tuple((n.kind, n.message, n.fatal, n.detail) for n in result.notices))
        try:
            self.cache_for(path).put(path, stored)
        except (OSError, ValueError):
            pass
        except Exception as exc:
            if type(exc).__name__ != "ConfigError":
                raise

    def save(self) -> None:
        for cache in self._by_fingerprint.values():
            cache.save()
        self.meta.save()


def _plain(path: str) -> bool:
    """No empty, "." or ".." component and no trailing slash (stricter than normalised:
    a "/.name" component is left to display_path)."""
    return "/." not in path and "//" not in path and not path.endswith("/")


def check_files_cached(
    paths: list[str],
    options: Options,
    jobs: int | None,
    on_result: Callable[[FileResult], None] | None = None,
    session: Session | None = None,
    progress: Callable[[int], Any] | None = None,
) -> list[FileResult]:
    """Unchanged files come from the cache (looked up here, in this process); only the
    others go to the checker processes (and only then is the engine imported). Results
    keep the input order. `progress(n)`: a context manager for the n files to check,
    yielding a per-result callback (or None)."""
    session = session or Session(options)
    session.start_resolver()
    results: list[FileResult | None] = [None] * len(paths)
    todo: list[int] = []
    # Every file's stat first: the dependency checks then find most of theirs known.
    probes = [session.probe(path) for path in paths]
    for i, (path, found) in enumerate(zip(paths, probes)):
        hit = found if found is None or isinstance(found, FileResult) else session.finish(path, found)
        if hit is None:
            todo.append(i)
            continue
        results[i] = hit
        if on_result:
            on_result(hit)
    if todo:
        import contextlib

        from . import runner

        with (progress(len(todo)) if progress is not None else contextlib.nullcontext(None)) as advance:
            def each(r: FileResult) -> None:
                if on_result:
                    on_result(r)
                if advance:
                    advance(r)

            todo_paths = [paths[i] for i in todo]
            fresh = runner._check_files(todo_paths, options, jobs or runner.default_jobs(),
                                        each if (on_result or advance) else None,
                                        resolver=session.resolver.settings_resolver(), sizes=session.deps.sizes(todo_paths))
        for i, r in zip(todo, fresh):
            session.store(paths[i], r)
            results[i] = r
    session.save()
    return [r for r in results if r is not None]
