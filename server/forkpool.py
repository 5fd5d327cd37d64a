"""A small process pool for batch runs on Linux: forked workers, pipes, nothing else.

`concurrent.futures.ProcessPoolExecutor` costs ~25 ms to import (multiprocessing,
threading, queues) and runs a management thread that competes with the workers for the
GIL of the parent; on a 1 s run that is a few percent of the wall time, all of it before
the first file is checked. This pool needs only `os.fork`, `select` and `pickle`:

- The parent hands out chunk numbers (4 bytes each) over one pipe per worker, two ahead,
  so a worker never waits for the parent between chunks. The items themselves are
  inherited through the fork, never sent.
- A worker answers each chunk with one length-prefixed pickle of its results.
- Each worker writes the position of the item it is working on into a shared page, so
  when one dies (a crash in native code) the parent names that exact item.
- Optionally the items come in lanes (consecutive ranges, e.g. the Python files and the
  TypeScript files of a run): each worker is given a lane and takes its chunks in order,
  then helps with whichever lane has most chunks left. A worker that keeps to one
  language pays that language's warm-up costs only (rule imports, query compiles).

Exceptions raised by `work` travel back and are raised again in the parent, as the
executor does. Elsewhere than Linux (no fork, or fork unsafe with system frameworks) the
runner keeps using the executor.
"""

from __future__ import annotations

import mmap
import os
import pickle
import select
import signal
import struct
import sys
from collections import deque
from typing import Any, Callable, Iterator

_CHUNK = struct.Struct("<I")
_LENGTH = struct.Struct("<Q")
_SLOT = struct.Struct("<q")
_AHEAD = 2  # chunks queued per worker
_BROKEN = -2  # a worker's task pipe once it is found closed at the other end


class WorkerDied(Exception):
    """A worker ended without answering; `item` is the one it was working on (or None)."""

    def __init__(self, item: Any, status: str) -> None:
        super().__init__(status)
        self.item = item
        self.status = status


def available() -> bool:
    return sys.platform.startswith("linux") and hasattr(os, "fork")


def run(items: list, work: Callable[[Any], Any], jobs: int, chunksize: int,
        init: Callable[..., None], initargs: tuple = (),
        lanes: list[tuple[int, int, int]] | None = None) -> Iterator[tuple[int, Any]]:
    """Yield (position in `items`, work(item)) for every item, as chunks complete.

    `lanes`: (start, end, workers) ranges covering `items` in order; that many workers
    start in each, and the worker of slot k is passed its lane's number as a last
    argument to `init`. Without lanes all items form one and `init` gets `initargs` only."""
    plan = _Chunks(chunksize, lanes or [(0, len(items), jobs)])
    chunks = plan.chunks
    lane_of_slot = plan.lane_of_slot[:jobs]
    jobs = min(jobs, len(chunks), len(lane_of_slot))
    progress = mmap.mmap(-1, _SLOT.size * max(1, jobs))
    workers: list[_Worker] = []
    finished = False
    try:
        for slot in range(jobs):
            args = initargs + (lane_of_slot[slot],) if lanes else initargs
            workers.append(_Worker.start(slot, workers, items, chunks, work, init, args, progress))
        for _ in range(_AHEAD):
            for w in workers:
                w.feed(plan, lane_of_slot[w.slot])
        by_fd = {w.results: w for w in workers}
        left = len(chunks)
        while left:
            if not by_fd:  # cannot happen unless a worker exited cleanly with work left
                raise WorkerDied(None, "ended early")
            ready, _, _ = select.select(list(by_fd), [], [])
            for fd in ready:
                w = by_fd[fd]
                message = w.receive()
                if message is None:
                    raise WorkerDied(w.current_item(items, progress), w.reap())
                kind, number, value = message
                if kind == "raise":
                    raise value
                w.inflight.popleft()
                w.feed(plan, lane_of_slot[w.slot])
                if not w.inflight and w.tasks != _BROKEN:  # done: its end-of-file is no crash
                    del by_fd[fd]
                left -= 1
                start = chunks[number][0]
                for offset, result in enumerate(value):
                    yield start + offset, result
        finished = True
    finally:
        for w in workers:
            w.stop(kill=not finished)
        progress.close()


class _Chunks:
    """The chunks of a run, queued per lane in item order."""

    def __init__(self, chunksize: int, lanes: list[tuple[int, int, int]]) -> None:
        self.chunks: list[tuple[int, int]] = []
        self.queues: list[deque[int]] = []
        self.lane_of: list[int] = []
        self.lane_of_slot: list[int] = []  # each lane's workers, in lane order
        for lane, (start, end, workers) in enumerate(lanes):
            queue: deque[int] = deque()
            for at in range(start, end, chunksize):
                queue.append(len(self.chunks))
                self.chunks.append((at, min(at + chunksize, end)))
                self.lane_of.append(lane)
            self.queues.append(queue)
            self.lane_of_slot.extend([lane] * workers)

    def take(self, lane: int) -> int | None:
        """The next chunk of `lane`; once it is empty, of the lane with most left."""
        queue = self.queues[lane] if self.queues[lane] else max(self.queues, key=len)
        return queue.popleft() if queue else None

    def give_back(self, number: int) -> None:
        self.queues[self.lane_of[number]].appendleft(number)


class _Worker:
    __slots__ = ("slot", "pid", "tasks", "results", "inflight", "status")

    def __init__(self, slot: int, pid: int, tasks: int, results: int) -> None:
        self.slot, self.pid, self.tasks, self.results = slot, pid, tasks, results
        self.inflight: deque[int] = deque()
        self.status: str | None = None

    @classmethod
    def start(cls, slot: int, others: list["_Worker"], items: list, chunks: list, work: Callable,
              init: Callable, initargs: tuple, progress: mmap.mmap) -> "_Worker":
        task_r, task_w = os.pipe()
        result_r, result_w = os.pipe()
        sys.stdout.flush()
        sys.stderr.flush()  # or the child would inherit (and might write) the same buffered text
        pid = os.fork()
        if pid == 0:  # the worker: never returns
            os.close(task_w)
            os.close(result_r)
            for other in others:  # the parent's ends of the pipes of the workers before it
                os.close(other.tasks)
                os.close(other.results)
            _serve(slot, task_r, result_w, items, chunks, work, init, initargs, progress)
        os.close(task_r)
        os.close(result_w)
        return cls(slot, pid, task_w, result_r)

    def feed(self, plan: "_Chunks", lane: int) -> None:
        """Queue the next chunk for this worker, or tell it there are no more."""
        if self.tasks < 0:  # told there are no more, or ended
            return
        number = plan.take(lane)
        if number is not None:
            try:
                os.write(self.tasks, _CHUNK.pack(number))
            except BrokenPipeError:  # it has ended (an error it reported, or a crash):
                os.close(self.tasks)  # its answer or end-of-file tells which; the chunk
                self.tasks = _BROKEN  # goes back for another worker
                plan.give_back(number)
                return
            self.inflight.append(number)
            return
        os.close(self.tasks)  # the worker finishes what it has, then reads end-of-file
        self.tasks = -1

    def receive(self) -> tuple | None:
        header = _read_exact(self.results, _LENGTH.size)
        if header is None:
            return None
        payload = _read_exact(self.results, _LENGTH.unpack(header)[0])
        return None if payload is None else pickle.loads(payload)

    def current_item(self, items: list, progress: mmap.mmap) -> Any:
        at = _SLOT.unpack_from(progress, self.slot * _SLOT.size)[0] - 1
        return items[at] if 0 <= at < len(items) else None

    def reap(self) -> str:
        """Wait for the worker to end; how it ended, in words."""
        if self.status is None:
            try:
                _, code = os.waitpid(self.pid, 0)
            except ChildProcessError:
                self.status = "ended"
            else:
                if os.WIFSIGNALED(code):
                    sig = os.WTERMSIG(code)
                    try:
                        name = signal.Signals(sig).name
                    except ValueError:
                        name = f"signal {sig}"
                    self.status = f"killed by {name}"
                else:
                    self.status = f"exit code {os.WEXITSTATUS(code)}"
        return self.status

    def stop(self, kill: bool) -> None:
        """Close this worker's pipes and wait for it; `kill`: it may still be busy (the
        run stopped on an error), do not wait for it to finish its chunks."""
        if self.tasks >= 0:
            os.close(self.tasks)
            self.tasks = -1
        os.close(self.results)
        if kill and self.status is None:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.reap()


def _serve(slot: int, tasks: int, results: int, items: list, chunks: list, work: Callable,
           init: Callable, initargs: tuple, progress: mmap.mmap) -> None:
    code = 0
    number = -1
    try:
        init(*initargs)
        while True:
            data = _read_exact(tasks, _CHUNK.size)
            if data is None:
                break
            number = _CHUNK.unpack(data)[0]
            start, end = chunks[number]
            out = []
            for at in range(start, end):
                _SLOT.pack_into(progress, slot * _SLOT.size, at + 1)
                out.append(work(items[at]))
            _SLOT.pack_into(progress, slot * _SLOT.size, 0)
            _send(results, ("ok", number, out))
    except Exception as exc:
        try:
            _send(results, ("raise", number, exc))
        except Exception:  # an exception that does not pickle: its text then
            _send(results, ("raise", number, RuntimeError(repr(exc))))
        code = 1
    except BaseException:  # KeyboardInterrupt: the parent gets it too and stops the run
        code = 1
    finally:
        os._exit(code)  # never the parent's atexit handlers or buffered output


def _send(fd: int, message: tuple) -> None:
    payload = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    data = memoryview(_LENGTH.pack(len(payload)) + payload)
    while data:
        data = data[os.write(fd, data):]


def _read_exact(fd: int, n: int) -> bytes | None:
    """`n` bytes from `fd`, or None at end-of-file first."""
    data = os.read(fd, n)
    if len(data) == n or not data:
        return data or None
    parts = [data]
    got = len(data)
    while got < n:
        more = os.read(fd, n - got)
        if not more:
            return None
        parts.append(more)
        got += len(more)
    return b"".join(parts)
