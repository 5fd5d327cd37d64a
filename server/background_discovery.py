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

Once it has sent the files, the child has time to spare: it runs the caller's `ahead`
(the project scans some rules make of every file, analyzers/project_scans.py) and
publishes the answers in a shared anonymous page (AheadAnswers) that the run's workers,
forked later, read when a rule first needs them. Nobody waits for them: a worker that
needs them before they are there scans for itself. The child ends on its own; the
caller closes the answers after the run (which ends the child if it is still at them).

If the child fails in any way (an invalid config, a crash, a signal), the parent walks
again itself: an error then surfaces exactly as an in-process `discover` raises it.
Linux only (`available()`); the caller decides when it pays (a cold parallel run).
"""

from __future__ import annotations

import mmap
import os
import struct
import sys
import zlib
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
        _widen(write_end)
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


def _widen(fd: int) -> None:
    """Give the pipe room for the whole answer (the file list: ~140 KB for 1,358 files),
    so that the child is not blocked writing it until the parent, busy compiling, reads,
    and goes on with its `ahead` scans meanwhile. Linux's default is 64 KiB; up to
    /proc/sys/fs/pipe-max-size (1 MiB by default) needs no privilege."""
    try:
        import fcntl

        setsize = getattr(fcntl, "F_SETPIPE_SZ", None)
        if setsize is not None:
            fcntl.fcntl(fd, setsize, PIPE_BYTES)
    except OSError:  # over the system's limit: the default size (the child waits, as it may)
        pass


PIPE_BYTES = 1 << 20


def discover_while(
    paths: list[str], resolver, warm: Callable[[str], None], *, force_exclude: bool = False,
    prepare: Callable[[], None] | None = None, ahead: Callable[[list[str]], object] | None = None,
    record=None,
) -> Discovery:
    """`discover(paths, resolver, force_exclude=...)`; for a big tree, finished in a child
    process while this one runs `prepare()` (imports the run needs anyway) and
    `warm(suffix)` for the suffixes of many files (".py", ".tsx"...). Once it has sent the
    files, the child runs `ahead(files)` (picklable answers the run's workspaces can
    start with): the discovery's `known` is then an AheadAnswers, which gives them once
    they are published (processes forked from this one see them too); the caller closes
    it after the run. Without a child, `known` is None. `record`: a discovery.WalkRecord
    to fill (the child's comes back as the discovery's `record`)."""
    walk = _Walk()
    answers = AheadAnswers.make() if ahead is not None else None
    try:
        found = discover(paths, resolver, force_exclude=force_exclude, on_file=walk.on_file, record=record)
    except _Handover:
        return _meanwhile(walk, paths, resolver, warm, force_exclude, prepare, answers, record)
    except BaseException:
        if walk.child:
            os._exit(1)  # the parent walks again and reports whatever this was
        if answers is not None:
            answers.close()
        raise
    if walk.child:
        try:
            _answer(walk, found, resolver, ahead, answers)  # ends the process
        finally:
            os._exit(1)  # whatever happened, the child never returns into the caller's code
    if answers is not None:
        answers.close()  # no child: nothing will be published
    return found


def _answer(walk: _Walk, found: Discovery, resolver, ahead, answers: "AheadAnswers | None") -> None:
    code = 1
    try:
        import pickle

        snapshot = getattr(resolver, "snapshot", None)
        learnt = snapshot() if snapshot is not None else None  # the configs read, for the workers
        data = pickle.dumps((found.files, found.missing, found.unsupported, [file_size(p) for p in found.files], learnt,
                             found.record), protocol=pickle.HIGHEST_PROTOCOL)
        _write(walk.pipe, b"D" + _LENGTH.pack(len(data)) + data)
        code = 0
        os.close(walk.pipe)  # the parent reads no more: it may go on before the answers
        if ahead is not None and answers is not None:
            answers.publish(ahead(found.files))
    except BaseException:
        pass
    finally:
        os._exit(code)  # no atexit handlers, no flush of the parent's buffered output


def _meanwhile(walk: _Walk, paths, resolver, warm, force_exclude: bool, prepare,
               answers: "AheadAnswers | None", record=None) -> Discovery:
    found: Discovery | None = None
    try:
        if prepare is not None:
            prepare()
        pending = list(walk.hinted)
        received = _receive(walk.pipe, warm, resolver, pending)
        if received is not None:
            found = received
            if pending and pending[0] == walk.hinted[0]:
                # The walk ended before the first hint was acted on: its grammar (the
                # tree's main one) is compiled now, as the run would next.
                warm(pending[0])
    finally:
        os.close(walk.pipe)
        if found is not None and answers is not None:
            answers.pid = walk.pid  # at its answers: ended (or reaped) by answers.close()
            found.known = answers
        else:
            _reap(walk.pid, kill=True)
            if answers is not None:
                answers.close()
    if found is None:  # (the record keeps what the parent's part of the walk saw: stat'ed this run too)
        return discover(paths, resolver, force_exclude=force_exclude, record=record)
    return found


class AheadAnswers:
    """The discovery child's `ahead` answers, published in an anonymous shared mapping
    made before the child was forked, so that every process forked from the parent
    afterwards (the run's workers) reads them there. Calling it gives them, or None
    while they are not (yet) published; a worker that needs them then finds them itself.

    The child writes the pickle first and its header (length, CRC-32) last; a reader
    trusts only a header whose checksum matches, so a torn or half-written page is
    "not yet" on any CPU's memory order."""

    SIZE = 4 << 20  # virtual: pages are allocated as the child writes them
    _HEADER = struct.Struct("<QI")

    def __init__(self) -> None:
        self._page: mmap.mmap | None = mmap.mmap(-1, self.SIZE)
        self.pid = 0  # the child publishing them, once it is known
        self._value: object = None
        self._taken = False

    @classmethod
    def make(cls) -> "AheadAnswers | None":
        """A new page, or None where no shared mapping can be made (a tight address-space
        limit): the run goes on without answers found ahead."""
        try:
            return cls()
        except (OSError, ValueError):
            return None

    def publish(self, value: object) -> None:
        """(In the child.) Publish `value`; one that does not fit is never published."""
        import pickle

        data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        page = self._page
        if page is None or self._HEADER.size + len(data) > self.SIZE:
            return
        page[self._HEADER.size:self._HEADER.size + len(data)] = data
        page[:self._HEADER.size] = self._HEADER.pack(len(data), zlib.crc32(data))

    def __call__(self) -> object:
        if self._taken or self._page is None:
            return self._value
        size, crc = self._HEADER.unpack_from(self._page, 0)
        if not size or size > self.SIZE - self._HEADER.size:
            return None
        data = self._page[self._HEADER.size:self._HEADER.size + size]
        if zlib.crc32(data) != crc:
            return None
        import pickle

        try:
            self._value = pickle.loads(data)
        except Exception:
            self._value = None
        self._taken = True
        return self._value

    def close(self) -> None:
        """(In the parent, after the run.) End the child if it is still at its answers."""
        if self.pid:
            _reap(self.pid, kill=True)
            self.pid = 0
        if self._page is not None:
            self._page.close()
            self._page = None

    def __reduce__(self):
        # Handed to a pool that pickles its arguments (not the fork pool): what is there now.
        return _published, (self(),)


def _published(value: object) -> object:
    return value


def _write(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _receive(fd: int, warm: Callable[[str], None], resolver, pending: list[str]) -> Discovery | None:
    """Read the child's messages, warming each hint (`pending`: those already known)
    while the child has nothing new to say; the discovery, or None if it did not send
    one. The resolver absorbs the child's config answers (each config is read once)."""
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
                out.files, out.missing, out.unsupported, out.sizes, learnt, out.record = pickle.loads(
                    bytes(buffer[start:start + size]))
                absorb = getattr(resolver, "absorb", None)
                if learnt is not None and absorb is not None:
                    absorb(learnt)
                return out
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
