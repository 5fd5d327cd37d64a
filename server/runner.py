"""Checking files for the CLI: one file per call, many files in parallel, fixes written safely.

Workers return plain, picklable `FileResult`s with every position already converted
(1-based lines, 1-based character columns) and the source lines a formatter needs, so the
output formats never touch the files again. Results come back in input order whatever the
number of processes, so output is deterministic.
"""

from __future__ import annotations

import os
import re
import stat
import time
from pathlib import Path
from typing import Callable, Iterable, Iterator

from reviewlens.analyzers import engine
from reviewlens.analyzers.config import ConfigError, ConfigResolver, Settings
from reviewlens.analyzers.engine import check_source
from reviewlens.analyzers.fixes import fix_until_stable
from reviewlens.analyzers.languages import FAMILY_OF, grammar_for_path, parse
from reviewlens.analyzers.model import Applicability, Finding, Fix
from reviewlens.analyzers.positions import LineIndex
from reviewlens.analyzers.workspace import FileSystemWorkspace, read_bytes

from .cache import RecordingWorkspace, SignedWorkspace, digest
from .discovery import file_size
from .results import (  # noqa: F401 - re-exported: the types used to live here
    MAX_FILE_BYTES,
    Diagnostic,
    EditOut,
    FileResult,
    FixOut,
    Loc,
    Notice,
    Options,
    WorkerCrash,
    default_jobs,
    display_path,
    too_large_notice,
)

# Below this many files, or this many bytes in all, a process pool costs more than it
# saves: starting two workers and compiling the queries for them takes ~50 ms, what
# checking ~250 kB of source takes on one core.
PARALLEL_THRESHOLD = 24
PARALLEL_MIN_BYTES = 256 * 1024


# --- per-process state ----------------------------------------------------------------

class _State:
    def __init__(self, options: Options, resolver: ConfigResolver | None = None, known=None) -> None:
        self.options = options
        # The CLI hands over the resolver discovery filled: forked workers inherit its
        # answers instead of finding and parsing every config file again.
        self.resolver = resolver if resolver is not None else ConfigResolver(Path(options.config) if options.config else None)
        roots = list(options.roots) or [options.cwd or os.getcwd()]
        # With the cache, the workspace also signs what it reads (cheap dependency checks).
        # A batch run's tree is taken as fixed while it runs: folder listings are walked once.
        # `known`: listings and word answers the discovery child found ahead (workspace.known_ahead).
        self.workspace = (SignedWorkspace(roots, stable=True) if options.caching
                          else FileSystemWorkspace(roots, stable=True, known=known))
        self._overridden: dict[int, Settings] = {}

    def settings_for(self, path: str) -> Settings:
        base = self.resolver.for_path(path)
        key = id(base)
        cached = self._overridden.get(key)
        if cached is None:
            cached = apply_cli_overrides(base, self.options)
            self._overridden[key] = cached
        return cached


def apply_cli_overrides(base: Settings, options: Options) -> Settings:
    changes = {}
    if options.select is not None:
        changes["select"] = tuple(options.select)
        # ruff's rule: --select on the command line replaces select and extend-select.
        changes["extend_select"] = ()
    if options.extend_select:
        changes["extend_select"] = tuple(base.extend_select if options.select is None else ()) + tuple(options.extend_select)
    if options.ignore:
        changes["ignore"] = tuple(base.ignore) + tuple(options.ignore)
    return base.with_overrides(**changes) if changes else base


_STATE: _State | None = None


def _init_worker(options: Options, resolver: ConfigResolver | None = None,
                 lane_grammars: tuple[tuple[str, ...], ...] = (), full_first: frozenset[str] = frozenset(),
                 known=None, lane: int | None = None) -> None:
    global _STATE
    _STATE = _State(options, resolver, known)
    engine.SUBSET_AFTER = None  # see there: a batch worker is too short-lived to gain
    engine.FULL_FIRST = full_first  # the grammars of many files in the run (engine.query_for)
    if lane is not None:  # a worker of one language's lane: its queries, compiled here
        for grammar in lane_grammars[lane]:
            engine.combined_query(grammar)


# --- conversion -----------------------------------------------------------------------

def _loc(index: LineIndex, offset: int) -> Loc:
    p = index.position(offset, "utf-32")
    return Loc(p.line + 1, p.column + 1)


def _fix_out(fix: Fix, index: LineIndex) -> FixOut:
    return FixOut(
        fix.title,
        str(fix.applicability),
        tuple(EditOut(_loc(index, e.start), _loc(index, e.end), e.start, e.end, e.text) for e in fix.edits),
    )


def _decode(line: bytes) -> str:
    return line.decode("utf-8", "replace")


def to_diagnostics(findings: Iterable[Finding], source: bytes, shown: str, minimum: Applicability) -> list[Diagnostic]:
    findings = list(findings)
    if not findings:
        return []
    index = LineIndex(source)
    out = []
    for f in findings:
        start = _loc(index, f.start)
        end = _loc(index, f.end)
        lines = (_decode(index.line_text(start.line - 1)),)
        if end.line > start.line:
            last_line = end.line if end.column > 1 else end.line - 1
            if last_line > start.line:
                lines += (_decode(index.line_text(last_line - 1)),)
        out.append(Diagnostic(
            code=f.code,
            name=f.name,
            message=f.message,
            severity=str(f.severity),
            path=shown,
            start=start,
            end=end,
            start_byte=f.start,
            end_byte=f.end,
            source_lines=lines,
            fix=_fix_out(f.fix, index) if f.fix is not None else None,
            alternatives=tuple(_fix_out(a, index) for a in f.alternatives),
            fix_applicable=f.fix is not None and f.fix.applicability >= minimum,
        ))
    return out


def unified_diff(before: bytes, after: bytes, shown: str) -> str:
    a = before.decode("utf-8", "surrogateescape").splitlines(keepends=True)
    b = after.decode("utf-8", "surrogateescape").splitlines(keepends=True)
    import difflib  # only for --diff

    lines = list(difflib.unified_diff(a, b, f"a/{shown}", f"b/{shown}"))
    # Make a missing final newline visible the way `diff` does.
    out = []
    for line in lines:
        if not line.endswith(("\n", "\r")):
            out.append(line + "\n\\ No newline at end of file\n")
        else:
            out.append(line)
    return "".join(out)


_SURROGATES = re.compile("[\udc80-\udcff]")


def _sanitized(source: bytes) -> bytes:
    """`source` with every byte that is not valid UTF-8 replaced by b"?" (offsets unchanged)."""
    try:
        source.decode("utf-8")
        return source
    except UnicodeDecodeError:
        text = source.decode("utf-8", "surrogateescape")
        return _SURROGATES.sub("?", text).encode("utf-8")


def _first_invalid_utf8_line(source: bytes) -> int | None:
    try:
        source.decode("utf-8")
        return None
    except UnicodeDecodeError as exc:
        return source.count(b"\n", 0, exc.start) + 1


# --- checking one source ----------------------------------------------------------------

def check_bytes(source: bytes, path: str, shown: str, state: _State, result: FileResult) -> bytes:
    """Check (and fix, when asked) one source. Returns the source after fixes."""
    options = state.options
    settings = state.settings_for(path)
    bad_line = _first_invalid_utf8_line(source)
    if bad_line is not None:
        result.notices.append(Notice(shown, "invalid-utf8",
                                     f"not valid UTF-8 (first at line {bad_line}); checked as-is, "
                                     "fixes keep the undecodable bytes unchanged"))
    errors: list[str] = []

    def run(src: bytes):
        tree = None
        if bad_line is not None:
            # tree-sitter's text predicates decode captured text strictly: parse a copy in
            # which each undecodable byte is "?" (same offsets), keep the real bytes for rules.
            grammar = grammar_for_path(path)
            if grammar is not None:
                tree = parse(_sanitized(src), grammar)
        res = check_source(src, path, settings, workspace=state.workspace, tree=tree)
        errors[:] = res.errors
        return res

    first = run(source)
    findings = first.findings
    if options.caching and not first.errors and isinstance(state.workspace, RecordingWorkspace):
        result.cache_entry = state.workspace.snapshot()
    fixed_source = source
    if options.fixing and any(f.fix is not None and f.fix.applicability >= options.minimum for f in findings):
        last = {"res": first}

        def recheck(src: bytes) -> list[Finding]:
            if src is source:
                return first.findings
            last["res"] = run(src)
            return last["res"].findings

        fixres, findings = fix_until_stable(source, recheck, options.minimum)
        fixed_source = fixres.source
        result.fixed = dict(fixres.applied)
        if not fixres.converged:
            result.notices.append(Notice(shown, "fix-not-converged",
                                         "fixes did not settle after the maximum number of passes; the last state was kept"))
        first = last["res"]
    for err in errors:
        code = err.split(" ", 1)[0]
        last_line = err.strip().splitlines()[-1] if err.strip() else err
        result.notices.append(Notice(shown, "rule-error",
                                     f"internal error in rule {code}; its findings for this file are incomplete: {last_line}",
                                     fatal=True, detail=err))
    if first.has_syntax_errors:
        result.notices.append(Notice(shown, "syntax-error",
                                     "has syntax errors; findings are reported where the code parses"))
    result.diagnostics = to_diagnostics(findings, fixed_source, shown, options.minimum)
    result.checked = True
    return fixed_source


def write_atomically(path: str, data: bytes, expected: bytes) -> str | None:
    """Replace the file's contents (temp file + rename, mode kept). None on success, else why not."""
    try:
        with open(path, "rb") as fh:
            if fh.read() != expected:
                return "changed on disk while being checked; not written"
        st = os.stat(path)
        folder = os.path.dirname(os.path.abspath(path))
        import tempfile  # only when fixes are written

        fd, tmp = tempfile.mkstemp(prefix=".reviewlens-", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(tmp, stat.S_IMODE(st.st_mode))
            os.replace(tmp, path)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
    except OSError as exc:
        return f"cannot write: {exc.strerror or exc}"
    return None


def check_file(path: str) -> FileResult:
    state = _STATE
    assert state is not None, "worker not initialised"
    inner = state.workspace
    try:
        return _check_file(path, state)
    finally:
        state.workspace = inner


def _check_file(path: str, state: "_State") -> FileResult:
    shown = display_path(path, state.options.cwd or None)
    result = FileResult(shown)
    caching = state.options.caching
    try:
        if caching:
            st = os.stat(path)  # before the read: a change after it shows in the next run's stat
            too_large = st.st_size > MAX_FILE_BYTES
            source = None if too_large else read_bytes(path)
            read_at = time.time_ns()
        else:
            source = read_bytes(path, MAX_FILE_BYTES)  # no stat: the read stops past the limit
            too_large = source is None
        if too_large:
            result.notices.append(too_large_notice(shown, st.st_size if caching else os.stat(path).st_size))
            return result
    except OSError as exc:
        result.notices.append(Notice(shown, "io-error", f"cannot read: {exc.strerror or exc}", fatal=True))
        return result
    inner = state.workspace
    if caching:
        state.workspace = RecordingWorkspace(inner)  # learns what this file's findings depend on
    try:
        fixed = check_bytes(source, path, shown, state, result)
    except ConfigError as exc:  # a config file that appeared or broke mid-run
        result.notices.append(Notice(shown, "config-error", str(exc), fatal=True))
        return result
    except Exception as exc:  # an engine bug: report it, never lose the other files
        import traceback

        result.notices.append(Notice(shown, "internal-error", f"internal error while checking: {exc!r}",
                                     fatal=True, detail=traceback.format_exc()))
        return result
    if result.cache_entry is not None:
        result.cache_entry = (digest(source), st.st_mtime_ns, st.st_size, read_at) + result.cache_entry
    if fixed != source:
        if state.options.diff:
            result.diff = unified_diff(source, fixed, shown)
        else:
            problem = write_atomically(path, fixed, source)
            if problem:
                result.notices.append(Notice(shown, "write-error", problem, fatal=True))
                result.fixed = {}
    return result


def check_stdin(source: bytes, filename: str, options: Options) -> FileResult:
    state = _State(options)
    shown = display_path(filename, options.cwd or None)
    result = FileResult(shown)
    try:
        fixed = check_bytes(source, os.path.abspath(filename), shown, state, result)
    except ConfigError:
        raise
    except Exception as exc:
        import traceback

        result.notices.append(Notice(shown, "internal-error", f"internal error while checking: {exc!r}",
                                     fatal=True, detail=traceback.format_exc()))
        fixed = source
    result.output = fixed
    if options.diff and fixed != source:
        result.diff = unified_diff(source, fixed, shown)
    return result


# --- many files -------------------------------------------------------------------------

def check_files(
    paths: list[str],
    options: Options,
    jobs: int | None = None,
    on_result: Callable[[FileResult], None] | None = None,
    resolver: ConfigResolver | None = None,
    sizes: list[int] | None = None,
    known=None,
) -> list[FileResult]:
    """Check `paths` (in this order) on up to `jobs` processes; results in input order.
    `resolver` (without the cache): the one that discovered `paths`, reused. `sizes`: the
    files' sizes when discovery read them (they only order and share out the work).
    `known`: the workspace answers discovery found ahead (workspace.known_ahead)."""
    jobs = jobs or default_jobs()
    if options.caching:
        from .cache import check_files_cached

        return check_files_cached(paths, options, jobs, on_result)
    return _check_files(paths, options, jobs, on_result, resolver, sizes, known)


# The fork pool (server/forkpool.py) where the platform has a safe fork; the standard
# library's executor elsewhere. A switch so that tests can run both on Linux.
USE_FORK_POOL = True


def _in_parallel(
    paths: list[str], options: Options, jobs: int, chunksize: int, resolver: ConfigResolver | None = None,
    lanes: _Lanes | None = None, full_first: frozenset[str] = frozenset(), known=None,
) -> Iterator[tuple[int, FileResult]]:
    """(position in `paths`, result) for every path, checked on `jobs` processes, in the
    order the chunks finish. A worker that dies is a WorkerCrash naming its file.
    `lanes` (fork pool only): `paths` are in `lanes.order`."""
    from . import forkpool

    if USE_FORK_POOL and forkpool.available():
        try:
            if lanes is None:
                yield from forkpool.run(paths, check_file, jobs, chunksize, _init_worker,
                                        (options, resolver, (), full_first, known))
            else:
                yield from forkpool.run(paths, check_file, jobs, chunksize, _init_worker,
                                        (options, resolver, lanes.grammars, full_first, known), lanes=lanes.ranges)
        except forkpool.WorkerDied as died:
            raise WorkerCrash(
                f"a checker process died ({died.status}) while checking "
                f"{display_path(died.item, options.cwd or None) if died.item else 'a file'}. "
                "Rerun with --jobs 1 to see the error, and please report it"
            ) from None
        return
    # Imported here: a run that stays in one process does not pay for multiprocessing.
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    done = 0
    try:
        with ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker,
                                 initargs=(options, None, (), full_first, known)) as pool:
            for r in pool.map(check_file, paths, chunksize=chunksize):
                yield done, r
                done += 1
    except BrokenProcessPool as exc:
        near = display_path(paths[done], options.cwd or None) if done < len(paths) else "?"
        raise WorkerCrash(
            f"a checker process died ({exc}); the crash happened at or after {near}. "
            "Rerun with --jobs 1 to find the file, and please report it"
        ) from None


def _total_bytes(paths: list[str], enough: int) -> int:
    """The size of `paths` in all, counted until it reaches `enough` (unreadable: 0)."""
    total = 0
    for p in paths:
        try:
            total += os.stat(p).st_size
        except OSError:
            continue
        if total >= enough:
            break
    return total


def _grammar_counts(paths: list[str], grammars: list[str | None] | None = None) -> dict[str, int]:
    """Files per grammar; `grammars`: the paths' grammars, when already looked up."""
    counts: dict[str, int] = {}
    for grammar in (grammars if grammars is not None else map(grammar_for_path, paths)):
        if grammar is not None:
            counts[grammar] = counts.get(grammar, 0) + 1
    return counts


def _common_grammars(paths: list[str], counts: dict[str, int] | None = None) -> list[str]:
    """The grammars of at least an eighth of `paths` (and of 16 files); `counts`: theirs
    (_grammar_counts), when known."""
    counts = _grammar_counts(paths) if counts is None else counts
    return [g for g, n in counts.items() if n >= max(16, len(paths) // 8)]


# A grammar of this many files of a run has its full query compiled in a worker at the
# first file that needs a query (engine.FULL_FIRST), rather than a rule subset's first:
# the TypeScript half's 40 `.tsx` files made each worker compile a 4-pattern subset
# (~6 ms) before the full query.
FULL_FIRST_FILES = 16


# Python and TypeScript files in lanes (forkpool): a worker starts on one language and
# compiles its queries itself, in parallel with the workers of the other, so the parent
# compiles neither and no worker warms up for a language it never checks. The worker
# that finishes its lane first helps with the other and pays that warm-up too. Each
# language must be at least LANE_MIN_SHARE of the run's bytes: below that, that
# language's workers move over early, and one compile of the big language's query in
# the parent costs less. Interleaved on the benchmark corpus' two halves (2 cores), a
# run took 1-6% less wall time, in three A/Bs of 12-24 rounds.
LANES = True
LANE_MIN_SHARE = 0.25


class _Lanes:
    __slots__ = ("order", "ranges", "grammars")

    def __init__(self, order: list[int], ranges: list[tuple[int, int, int]], grammars: tuple[tuple[str, ...], ...]) -> None:
        self.order = order  # indices into the run's paths, lane after lane
        self.ranges = ranges  # forkpool lanes: (start, end, workers) over `order`
        self.grammars = grammars  # per lane: the grammars its workers compile at start


def _language_lanes(paths: list[str], sizes: list[int], jobs: int,
                    counts: dict[str, int] | None = None, grammars: list[str | None] | None = None) -> _Lanes | None:
    """Lanes for a run holding both languages in earnest, on the fork pool; else None.
    `counts`: the run's _grammar_counts, when known (a run with few files of a language
    stops there); `grammars`: the paths' grammars, when looked up already."""
    from . import forkpool

    if not LANES or jobs < 2 or not (USE_FORK_POOL and forkpool.available()):
        return None
    if counts is not None:  # the file counts alone rule most runs out, before any pass over the paths
        per_family: dict[str, int] = {}
        for grammar, n in counts.items():
            per_family[FAMILY_OF[grammar]] = per_family.get(FAMILY_OF[grammar], 0) + n
        if set(per_family) != set(FAMILY_OF.values()) or min(per_family.values()) < PARALLEL_THRESHOLD:
            return None
    if grammars is None:
        grammars = [grammar_for_path(p) for p in paths]
    members: dict[str, list[int]] = {}
    for i, grammar in enumerate(grammars):
        members.setdefault(FAMILY_OF.get(grammar, "") if grammar else "", []).append(i)
    if sorted(members) != sorted(set(FAMILY_OF.values())):
        return None
    total = sum(sizes) or 1
    order: list[int] = []
    ranges: list[tuple[int, int, int]] = []
    lane_grammars: list[tuple[str, ...]] = []
    left = jobs
    families = sorted(members)
    for n, family in enumerate(families):
        indices = sorted(members[family], key=lambda i: -sizes[i])
        share = sum(sizes[i] for i in indices) / total
        if share < LANE_MIN_SHARE or len(indices) < PARALLEL_THRESHOLD:
            return None
        # Workers in proportion to the bytes, at least one per lane.
        workers = left if n == len(families) - 1 else min(left - (len(families) - 1 - n), max(1, round(jobs * share)))
        left -= workers
        ranges.append((len(order), len(order) + len(indices), workers))
        order.extend(indices)
        lane_paths = [paths[i] for i in indices]
        lane_grammars.append(tuple(_common_grammars(lane_paths, _grammar_counts(lane_paths, [grammars[i] for i in indices]))))
    return _Lanes(order, ranges, tuple(lane_grammars))


def _check_files(
    paths: list[str],
    options: Options,
    jobs: int,
    on_result: Callable[[FileResult], None] | None = None,
    resolver: ConfigResolver | None = None,
    sizes: list[int] | None = None,
    known=None,
) -> list[FileResult]:
    results: list[FileResult] = []
    if sizes is not None and len(sizes) != len(paths):
        sizes = None
    small = (sum(sizes) if sizes is not None else _total_bytes(paths, PARALLEL_MIN_BYTES)) < PARALLEL_MIN_BYTES
    if jobs <= 1 or len(paths) < PARALLEL_THRESHOLD or small:
        _init_worker(options, resolver, known=known)
        for p in paths:
            r = check_file(p)
            results.append(r)
            if on_result:
                on_result(r)
        return results
    # Largest files first, in small chunks: the run ends with the smallest files, so the
    # workers finish together (in input order the last large files left one worker
    # alone for 25-90 ms of a 0.8 s run on the benchmark corpus). Results are still
    # handed on in input order.
    if sizes is None:
        sizes = [file_size(p) for p in paths]
    chunksize = max(1, min(32, len(paths) // (jobs * 24)))
    grammars = [grammar_for_path(p) for p in paths]
    counts = _grammar_counts(paths, grammars)
    lanes = _language_lanes(paths, sizes, jobs, counts, grammars)
    if lanes is not None:
        order = lanes.order  # each language's files largest first, Python then TypeScript
    else:
        order = sorted(range(len(paths)), key=lambda i: -sizes[i])
        # The combined query of each grammar most files need is compiled here, once: the
        # forked workers inherit it. Each worker would otherwise compile it at its first
        # file, on its own critical path, so this costs no wall time and saves (jobs - 1)
        # compiles (~25-45 ms each for Python). A grammar only a few files need (a stray
        # `.js`) is left to the worker that meets it.
        for grammar in _common_grammars(paths, counts):
            engine.combined_query(grammar)
    full_first = frozenset(g for g, n in counts.items() if n >= FULL_FIRST_FILES)
    slots: list[FileResult | None] = [None] * len(paths)
    for at, r in _in_parallel([paths[i] for i in order], options, jobs, chunksize, resolver, lanes, full_first, known):
        slots[order[at]] = r
        while len(results) < len(paths) and slots[len(results)] is not None:
            r = slots[len(results)]
            results.append(r)
            if on_result:
                on_result(r)
    return results
