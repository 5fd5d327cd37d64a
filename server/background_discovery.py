"""Discovery handed to a forked child, while the parent compiles the queries it will need.

A cold batch run (no result cache) spends its first ~100 ms in one process: imports,
the walk of the tree (discovery: ~15 ms for the benchmark's 1,358 Python files in 222
folders, most of it config lookups), then the combined query of the run's main grammar
(~20 ms, plus ~13 ms of rule imports for Python), compiled before the workers fork so
that they inherit it. py-tree-sitter holds the GIL while it compiles, so a thread cannot
overlap the two; a second process can.

The walk starts here. Once it has found FIRST_HINT files of one suffix, at least an
eighth of the files so far (a tree big enough for the process pool, whose main grammar
is now known), the process forks: the child goes on with the walk from where it is and
the parent leaves it (an exception unwinds its copy) to import the engine and compile
that suffix's grammar. The child hints at other suffixes the same way as it meets them,
and at the end sends the file list, the files' sizes and the config answers its
resolver found. The parent compiles each hinted grammar while the child is still
walking, and no more once it is done (a late hint is left to the run's own logic),
except the first one, the tree's main grammar. A small tree never forks.

Once it has sent the files, the child has time to spare until the parent is done
compiling: it runs the caller's `ahead` (the project scans some rules make of every
file, analyzers/project_scans.py), whose answers the parent takes if they are there by
then; it never waits for them.

If the child fails in any way (an invalid config, a crash, a signal), the parent walks
again itself: an error then surfaces exactly as an in-process `discover` raises it.
Linux only (`available()`); the caller decides when it pays (a cold parallel run).
"""

from __future__ import annotations

import os
import struct
import sys
from collections.abc import Callable

from .discovery import Discovery, discover, file_size

FIRST_HINT = 16  # files of a suffix before its grammar is named
_LENGTH = struct.Struct("<Q")


def available() -> bool:
    """Whether a child can be forked here (where the fork pool runs: forkpool.available;
    that module is imported later, while the child walks)."""
    return sys.platform.startswith("linux") and hasattr(os, "fork")


class _Handover(BaseException):
    """Unwinds the parent's copy of the walk the child goes on with (BaseException: no
    `except Exception` on the way may stop it)."""


class _Walk:
    """The counts behind the hints, and which side of the fork this process is on."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}
        self.seen = 0
        self.hinted: list[str] = []
        self.pid = 0  # the child's, in the parent once forked
        self.pipe = -1  # the parent's read end / the child's write end
        self.child = False

    def on_file(self, path: str) -> None:
        self.seen += 1
        suffix = os.path.splitext(path)[1].lower()
        n = self.counts[suffix] = self.counts.get(suffix, 0) + 1
        if n < FIRST_HINT or n * 8 < self.seen or suffix in self.hinted:
            return
        self.hinted.append(suffix)
        if self.child:
            _write(self.pipe, b"H" + suffix.encode("utf-8", "surrogateescape") + b"\n")
            return
        read_end, write_end = os.pipe()
        try:
            pid = os.fork()
        except OSError:  # no fork after all: walk on here
            os.close(read_end)
            os.close(write_end)
            return
        if pid == 0:
            os.close(read_end)
            self.child, self.pipe = True, write_end
            return  # the walk goes on, in the child
        os.close(write_end)
        self.pid, self.pipe = pid, read_end
        raise _Handover


def discover_while(
    paths: list[str], resolver, warm: Callable[[str], None], *, force_exclude: bool = False,
    prepare: Callable[[], None] | None = None, ahead: Callable[[list[str]], object] | None = None,
) -> Discovery:
    """`discover(paths, resolver, force_exclude=...)`; for a big tree, finished in a child
    process while this one runs `prepare()` (imports the run needs anyway) and
    `warm(suffix)` for the suffixes of many files (".py", ".tsx"...). Once it has sent the
    files, the child runs `ahead(files)` (picklable answers the run's workspaces can
    start with): its result is the discovery's `known` if it is there by the time this
    process is done warming, else None (this process never waits for it)."""
    walk = _Walk()
    try:
        found = discover(paths, resolver, force_exclude=force_exclude, on_file=walk.on_file)
    except _Handover:
        return _meanwhile(walk, paths, resolver, warm, force_exclude, prepare)
    except BaseException:
        if walk.child:
            os._exit(1)  # the parent walks again and reports whatever this was
        raise
    if walk.child:
        try:
            _answer(walk, found, resolver, ahead)  # ends the process
        finally:
            os._exit(1)  # whatever happened, the child never returns into the caller's code
    return found


def _answer(walk: _Walk, found: Discovery, resolver, ahead) -> None:
    code = 1
    try:
        import pickle

        snapshot = getattr(resolver, "snapshot", None)
        learnt = snapshot() if snapshot is not None else None  # the configs read, for the workers
        data = pickle.dumps((found.files, found.missing, found.unsupported, [file_size(p) for p in found.files], learnt),
                            protocol=pickle.HIGHEST_PROTOCOL)
        _write(walk.pipe, b"D" + _LENGTH.pack(len(data)) + data)
        code = 0
        if ahead is not None:
            extra = pickle.dumps(ahead(found.files), protocol=pickle.HIGHEST_PROTOCOL)
            _write(walk.pipe, b"K" + _LENGTH.pack(len(extra)) + extra)
    except BaseException:
        pass
    finally:
        os._exit(code)  # no atexit handlers, no flush of the parent's buffered output


def _meanwhile(walk: _Walk, paths, resolver, warm, force_exclude: bool, prepare) -> Discovery:
    found: Discovery | None = None
    try:
        if prepare is not None:
            prepare()
        pending = list(walk.hinted)
        received = _receive(walk.pipe, warm, resolver, pending)
        if received is not None:
            found, rest = received
            if pending and pending[0] == walk.hinted[0]:
                # The walk ended before the first hint was acted on: its grammar (the
                # tree's main one) is compiled now, as the run would next, and meanwhile
                # the child may finish its `ahead` answers.
                warm(pending[0])
            found.known = _known_if_sent(walk.pipe, rest)
    finally:
        os.close(walk.pipe)
        _reap(walk.pid, kill=True)  # done, or busy with answers that came too late
    if found is None:
        return discover(paths, resolver, force_exclude=force_exclude)
    return found


def _known_if_sent(fd: int, rest: bytes) -> object:
    """The child's `ahead` answers (`rest`: their first bytes, already read), if it has
    started sending them; else None."""
    if not rest and not _ready(fd):
        return None
    header = rest[:1 + _LENGTH.size]
    if len(header) < 1 + _LENGTH.size:
        more = _read_exact(fd, 1 + _LENGTH.size - len(header))
        if more is None:
            return None
        header += more
    if header[:1] != b"K":
        return None
    size = _LENGTH.unpack_from(header, 1)[0]
    body = rest[1 + _LENGTH.size:]
    if len(body) < size:
        more = _read_exact(fd, size - len(body))
        if more is None:
            return None
        body += more
    import pickle

    try:
        return pickle.loads(body)
    except Exception:
        return None


def _read_exact(fd: int, size: int) -> bytes | None:
    parts: list[bytes] = []
    while size:
        chunk = os.read(fd, min(size, 1 << 20))
        if not chunk:
            return None
        parts.append(chunk)
        size -= len(chunk)
    return b"".join(parts)


def _write(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _receive(fd: int, warm: Callable[[str], None], resolver, pending: list[str]) -> tuple[Discovery, bytes] | None:
    """Read the child's messages, warming each hint (`pending`: those already known)
    while the child has nothing new to say; the discovery and the bytes read past it, or
    None if it did not send one. The resolver absorbs the child's config answers (each
    config is read once)."""
    buffer = bytearray()
    while True:
        if pending and not _ready(fd):
            warm(pending.pop(0))  # the child is still walking: compile meanwhile
            continue
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            return None  # the child ended without its answer
        buffer += chunk
        while buffer:
            kind = buffer[:1]
            if kind == b"H":
                end = buffer.find(b"\n")
                if end < 0:
                    break
                pending.append(bytes(buffer[1:end]).decode("utf-8", "surrogateescape"))
                del buffer[:end + 1]
            elif kind == b"D":
                if len(buffer) < 1 + _LENGTH.size:
                    break
                (size,) = _LENGTH.unpack_from(buffer, 1)
                start = 1 + _LENGTH.size
                while len(buffer) < start + size:
                    more = os.read(fd, max(1 << 16, start + size - len(buffer)))
                    if not more:
                        return None
                    buffer += more
                import pickle

                out = Discovery()
                out.files, out.missing, out.unsupported, out.sizes, learnt = pickle.loads(bytes(buffer[start:start + size]))
                absorb = getattr(resolver, "absorb", None)
                if learnt is not None and absorb is not None:
                    absorb(learnt)
                return out, bytes(buffer[start + size:])
            else:
                return None  # not a message of ours


def _ready(fd: int) -> bool:
    """Whether the child has written something (or ended) since: then read before warming."""
    import select

    readable, _, _ = select.select([fd], [], [], 0)
    return bool(readable)


def _reap(pid: int, kill: bool) -> None:
    if kill:
        try:
            os.kill(pid, 9)
        except ProcessLookupError:
            pass
    while True:
        try:
            os.waitpid(pid, 0)
            return
        except ChildProcessError:
            return
        except InterruptedError:
            continue
