"""Result cache for `reviewlens check`: findings keyed by file content, settings, rule set
and tool version, plus every other file the analysis looked at (a package.json, an
importer): an entry is reused only while all of those are unchanged.

Layout: <cache dir>/<tool version>/<settings fingerprint>.pickle, one dict per
fingerprint (path -> entry), loaded once and written atomically at the end of a run.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reviewlens.analyzers import __version__, registry
from reviewlens.analyzers.model import Finding

CACHE_DIR_NAME = ".reviewlens_cache"
_FORMAT = 1


def digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def settings_fingerprint(settings: Any, extra: str = "") -> str:
    rules = ",".join(f"{r.code}:{r.language}:{r.__module__}" for r in registry.RULES)
    return digest(f"{_FORMAT}|{__version__}|{rules}|{settings!r}|{extra}".encode())[:20]


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
        return self.inner.root_of(path)

    def list_files(self, folder: str, suffixes: tuple[str, ...], limit: int = 5000) -> list[str]:
        files = self.inner.list_files(folder, suffixes, limit) if hasattr(self.inner, "list_files") else []
        self.deps[f"list:{os.path.abspath(folder)}:{','.join(suffixes)}:{limit}"] = digest("\n".join(files).encode())
        return files

    def __getattr__(self, name: str) -> Any:  # anything else the inner workspace offers
        return getattr(self.inner, name)


def current_dep_value(key: str, workspace: Any) -> str | None:
    kind, _, rest = key.partition(":")
    if kind == "read":
        text = workspace.read_text(rest)
        return None if text is None else digest(text.encode("utf-8", "surrogatepass"))
    if kind == "exists":
        return "1" if workspace.exists(rest) else None
    if kind == "list":
        folder, suffixes, limit = rest.rsplit(":", 2)
        files = workspace.list_files(folder, tuple(suffixes.split(",")), int(limit)) if hasattr(workspace, "list_files") else []
        return digest("\n".join(files).encode())
    return "?"


@dataclass
class Entry:
    content: str
    findings: list[Finding]
    deps: dict[str, str | None] = field(default_factory=dict)
    syntax_errors: bool = False
    # (st_mtime_ns, st_size) when stored: an unchanged stat lets a run skip reading a file
    # that had no findings (its content digest is checked whenever the file is read).
    stat: tuple[int, int] | None = None


class ResultCache:
    def __init__(self, directory: Path, fingerprint: str) -> None:
        self.file = directory / __version__ / f"{fingerprint}.pickle"
        self.entries: dict[str, Entry] = {}
        self.dirty = False
        try:
            with open(self.file, "rb") as fh:
                loaded = pickle.load(fh)
            if isinstance(loaded, dict):
                self.entries = loaded
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, TypeError, ValueError):
            self.entries = {}  # missing or unreadable cache: start afresh, never fail the run

    def lookup(self, path: str, source: bytes, workspace: Any) -> Entry | None:
        """The entry for this exact source whose dependencies are all unchanged, else None."""
        entry = self.entries.get(path)
        if entry is None or entry.content != digest(source):
            return None
        for key, value in entry.deps.items():
            if current_dep_value(key, workspace) != value:
                return None
        return entry

    def get(self, path: str, source: bytes, workspace: Any) -> list[Finding] | None:
        entry = self.entries.get(path)
        if entry is None or entry.content != digest(source):
            return None
        for key, value in entry.deps.items():
            if current_dep_value(key, workspace) != value:
                return None
        return entry.findings

    def put(self, path: str, source: bytes, findings: list[Finding], deps: dict[str, str | None],
            syntax_errors: bool = False, stat: tuple[int, int] | None = None) -> None:
        self.entries[path] = Entry(digest(source), findings, deps, syntax_errors, stat)
        self.dirty = True

    def deps_unchanged(self, entry: Entry, workspace: Any) -> bool:
        return all(current_dep_value(key, workspace) == value for key, value in entry.deps.items())

    def save(self) -> None:
        if not self.dirty:
            return
        try:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            gitignore = self.file.parent.parent / ".gitignore"
            if not gitignore.exists():
                gitignore.write_text("# Automatically created by reviewlens.\n*\n")
            fd, tmp = tempfile.mkstemp(dir=self.file.parent, prefix=".tmp-")
            with os.fdopen(fd, "wb") as fh:
                pickle.dump(self.entries, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self.file)
        except OSError:
            pass  # a read-only tree just runs uncached
