"""What the engine may know about files other than the one it checks.

The engine does no I/O of its own: project-wide facts (package.json, imports between the
project's files, env example files) come through a Workspace the caller hands in. The
CLI gives a filesystem-backed one; the language server overlays its open documents.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable, Iterable, Protocol


def read_bytes(path: str, limit: int | None = None) -> bytes | None:
    """The bytes of a file, or None when it holds more than `limit` bytes. Raises OSError.
    Half the cost of `open(path, "rb").read()` for the small files a project is made of
    (no file object, one read for a file under 64 KiB), which counts when a batch run
    reads thousands of them."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        data = os.read(fd, 65536)
        if len(data) < 65536:
            return data if limit is None or len(data) <= limit else None
        parts = [data]
        size = len(data)
        while limit is None or size <= limit:
            more = os.read(fd, 1 << 20)
            if not more:
                return b"".join(parts)
            parts.append(more)
            size += len(more)
        return None
    finally:
        os.close(fd)


class Workspace(Protocol):
    def read_text(self, path: str) -> str | None:
        """Text of a file (open editor buffer first), or None when it does not exist."""

    def exists(self, path: str) -> bool: ...

    def root_of(self, path: str) -> str | None:
        """The workspace folder that holds `path`, when known."""


class NullWorkspace:
    def read_text(self, path: str) -> str | None:
        return None

    def exists(self, path: str) -> bool:
        return False

    def root_of(self, path: str) -> str | None:
        return None

    def list_files(self, folder: str, suffixes: tuple[str, ...], limit: int = 5000) -> list[str]:
        return []


# Folders never worth listing when looking for a project's own source files.
SKIP_DIRS = frozenset({"node_modules", ".git", ".next", "dist", "build", "out", ".venv", "venv", "coverage", ".turbo", "__pycache__"})


class FileSystemWorkspace:
    """Reads files from disk (with a small cache); `overlay` holds unsaved buffers.

    `stable`: the tree does not change while this workspace lives (a batch run), so a
    folder listing is walked once and reused; an editor's workspace walks every time."""

    MAX_BYTES = 2_000_000

    def __init__(self, roots: list[str] | None = None, overlay: dict[str, str] | None = None,
                 stable: bool = False, known: "Known | Callable[[], Known | None] | None" = None) -> None:
        """`known` (stable only): listings and word answers found ahead in the same tree
        (`known_ahead`), taken as this workspace's own; or a callable giving them once
        they are there (another process finding them meanwhile), asked at each listing
        or word this workspace does not know until it gives them."""
        self.roots = [os.path.abspath(r) for r in (roots or [])]
        self.overlay = overlay if overlay is not None else {}
        self._cache: dict[str, str | None] = {}
        self._listed: dict[tuple, list[str]] | None = {} if stable else None
        self._contains: dict[tuple[str, str], bool] | None = {} if stable else None
        self._pending: Callable[[], Known | None] | None = None
        if known is not None and stable and not self.overlay:
            if callable(known):
                self._pending = known
            else:
                self._take(known)

    def _take(self, known: "Known") -> None:
        self._listed.update(known[0])
        self._contains.update(known[1])

    def _ask_pending(self) -> None:
        """Take the answers found ahead if they have come by now."""
        known = self._pending()
        if known is not None:
            self._pending = None
            self._take(known)

    def read_text(self, path: str) -> str | None:
        path = os.path.abspath(path)
        if path in self.overlay:
            return self.overlay[path]
        if path not in self._cache:
            try:
                data = read_bytes(path, self.MAX_BYTES)
            except OSError:
                data = None
            self._cache[path] = None if data is None else data.decode("utf-8", "replace")
        return self._cache[path]

    def exists(self, path: str) -> bool:
        path = os.path.abspath(path)
        return path in self.overlay or os.path.exists(path)

    def root_of(self, path: str) -> str | None:
        path = os.path.abspath(path)
        best = None
        for root in self.roots:
            if path == root or path.startswith(root + os.sep):
                if best is None or len(root) > len(best):
                    best = root
        return best

    def list_files(self, folder: str, suffixes: tuple[str, ...], limit: int = 5000) -> list[str]:
        """Up to `limit` files under `folder` ending in one of `suffixes` (open buffers included),
        skipping dependency, VCS and build folders (SKIP_DIRS). Optional in the protocol."""
        folder = os.path.abspath(folder)
        key = (folder, suffixes, limit)
        if self._pending is not None and key not in self._listed:
            self._ask_pending()
        if self._listed is not None and key in self._listed:
            return list(self._listed[key])
        out, _ = self._list(folder, suffixes, limit)
        if self._listed is not None:
            self._listed[key] = list(out)
        return out

    def _list(self, folder: str, suffixes: tuple[str, ...], limit: int,
              entering: Callable[[str], None] | None = None) -> tuple[list[str], int]:
        """The walk behind list_files: (paths, how many of them came from disk, before the
        open buffers). `entering` is called with each folder before it is listed."""
        out: list[str] = []
        seen: set[str] = set()
        for dirpath, dirnames, filenames in os.walk(folder):
            if entering is not None:
                entering(dirpath)
            dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and not d.startswith("."))
            for name in sorted(filenames):
                if name.endswith(suffixes):
                    path = os.path.join(dirpath, name)
                    out.append(path)
                    seen.add(path)
                    if len(out) >= limit:
                        break
            if len(out) >= limit:
                break
        on_disk = len(out)
        for path in self.overlay:
            if path not in seen and path.startswith(folder + os.sep) and path.endswith(suffixes) and len(out) < limit:
                out.append(path)
        return out, on_disk

    def contains_all(self, path: str, needles: tuple[str, ...]) -> bool:
        """What `all(n in read_text(path) for n in needles)` says (False for a file it
        cannot read), without decoding or keeping a file from disk that lacks one: a
        project-wide scan for a word reads hundreds of files to keep a few. Optional in
        the protocol. Equivalent on invalid UTF-8: `read_text` replaces undecodable bytes
        but never swallows a valid sequence, so a needle's UTF-8 bytes occur in the file
        exactly when the needle occurs in its text."""
        path = os.path.abspath(path)
        if path in self.overlay or path in self._cache:
            text = self.read_text(path)
            return text is not None and all(n in text for n in needles)
        memo = self._contains  # a stable tree's answers, per needle (a scan runs per router)
        data: bytes | None = None
        for needle in needles:
            known = memo.get((path, needle)) if memo is not None else None
            if known is None and self._pending is not None:
                self._ask_pending()
                known = memo.get((path, needle))
            if known is None:
                if data is None:
                    try:
                        data = read_bytes(path, self.MAX_BYTES)
                    except OSError:
                        return False
                    if data is None:  # too large: what read_text gives up on
                        if memo is not None:
                            memo[(path, needle)] = False
                        return False
                try:
                    known = needle.encode("utf-8") in data
                except UnicodeEncodeError:  # a lone surrogate: never in decoded text
                    known = False
                if memo is not None:
                    memo[(path, needle)] = known
            if not known:
                return False
        return True

    def invalidate(self, path: str | None = None) -> None:
        self._pending = None  # answers found ahead are of the tree as it was
        if self._listed is not None:
            self._listed.clear()  # a created or deleted file changes listings
        if self._contains is not None:
            self._contains.clear()
        if path is None:
            self._cache.clear()
        else:
            self._cache.pop(os.path.abspath(path), None)


def find_upward(ws: Workspace, start: str, names: tuple[str, ...], stop: str | None = None) -> str | None:
    """Nearest file named one of `names` in `start` or its parents."""
    folder = Path(os.path.abspath(start))
    while True:
        for name in names:
            candidate = str(folder / name)
            if ws.exists(candidate):
                return candidate
        if stop is not None and str(folder) == os.path.abspath(stop):
            return None
        if folder.parent == folder:
            return None
        folder = folder.parent


# (listings, word answers) of a stable workspace: what `known_ahead` finds.
Known = tuple[dict[tuple, list[str]], dict[tuple[str, str], bool]]


def known_ahead(roots: list[str], scans: Iterable) -> Known:
    """For each root and project scan (analyzers/project_scans.py): the listing, and which
    listed files hold the scan's word, as a stable workspace over `roots` finds them."""
    ws = FileSystemWorkspace(roots, stable=True)
    for root in ws.roots:
        for scan in scans:
            for path in ws.list_files(root, scan.suffixes, scan.limit):
                ws.contains_all(path, (scan.needle,))
    return ws._listed, ws._contains
