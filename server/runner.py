"""Checking files for the CLI: one file per call, many files in parallel, fixes written safely.

Workers return plain, picklable `FileResult`s with every position already converted
(1-based lines, 1-based character columns) and the source lines a formatter needs, so the
output formats never touch the files again. Results come back in input order whatever the
number of processes, so output is deterministic.
"""

from __future__ import annotations

import difflib
import os
import re
import stat
import tempfile
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from reviewlens.analyzers.config import ConfigError, ConfigResolver, Settings
from reviewlens.analyzers.engine import check_source, combined_query
from reviewlens.analyzers.fixes import fix_until_stable
from reviewlens.analyzers.languages import grammar_for_path, parse
from reviewlens.analyzers.model import Applicability, Finding, Fix
from reviewlens.analyzers.positions import LineIndex
from reviewlens.analyzers.workspace import FileSystemWorkspace

from .cache import RecordingWorkspace, ResultCache, digest, settings_fingerprint

# Larger files are reported and skipped (they are nearly always generated or minified).
MAX_FILE_BYTES = 5 * 1024 * 1024
# Below this many files a process pool costs more than it saves.
PARALLEL_THRESHOLD = 24


# --- results --------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Loc:
    line: int  # 1-based
    column: int  # 1-based, in characters (Unicode code points)


@dataclass(frozen=True, slots=True)
class EditOut:
    start: Loc
    end: Loc  # exclusive
    start_byte: int
    end_byte: int
    content: str


@dataclass(frozen=True, slots=True)
class FixOut:
    title: str
    applicability: str  # safe | unsafe | display-only
    edits: tuple[EditOut, ...]


@dataclass(slots=True)
class Diagnostic:
    code: str
    name: str
    message: str
    severity: str  # error | warning | info
    path: str  # as displayed (relative to the working directory when below it)
    start: Loc
    end: Loc  # exclusive
    start_byte: int
    end_byte: int
    source_lines: tuple[str, ...]  # the flagged lines (first and last when the range spans many)
    fix: FixOut | None = None
    alternatives: tuple[FixOut, ...] = ()
    fix_applicable: bool = False  # would the current run's --fix apply it

    def sort_key(self) -> tuple:
        return (self.path, self.start.line, self.start.column, self.code)


@dataclass(slots=True)
class Notice:
    path: str
    kind: str  # io-error | too-large | invalid-utf8 | rule-error | syntax-error | write-error | not-source
    message: str
    fatal: bool = False  # makes the run incomplete (exit 2)
    detail: str = ""


@dataclass(slots=True)
class FileResult:
    path: str
    diagnostics: list[Diagnostic] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    fixed: dict[str, int] = field(default_factory=dict)  # code -> fixes applied (or that would be)
    diff: str = ""
    output: bytes | None = None  # the fixed source (stdin mode)
    checked: bool = False
    # (digest, findings, deps, syntax errors) for the result cache; the parent stores and clears it
    cache_entry: tuple | None = None


@dataclass(frozen=True)
class Options:
    """What the command line asked for, in a picklable form."""

    config: str | None = None
    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    fix: bool = False
    unsafe_fixes: bool = False
    diff: bool = False
    roots: tuple[str, ...] = ()
    cwd: str = ""
    cache_dir: str | None = None  # the result cache's folder; None: no cache

    @property
    def caching(self) -> bool:
        # Fixing runs rewrite files and re-check them: always computed afresh.
        return self.cache_dir is not None and not self.fixing

    @property
    def minimum(self) -> Applicability:
        return Applicability.UNSAFE if self.unsafe_fixes else Applicability.SAFE

    @property
    def fixing(self) -> bool:
        return self.fix or self.diff


# --- per-process state ----------------------------------------------------------------

class _State:
    def __init__(self, options: Options) -> None:
        self.options = options
        self.resolver = ConfigResolver(Path(options.config) if options.config else None)
        self.workspace = FileSystemWorkspace(list(options.roots) or [options.cwd or os.getcwd()])
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


def _init_worker(options: Options) -> None:
    global _STATE
    _STATE = _State(options)


def display_path(path: str, cwd: str | None = None) -> str:
    cwd = cwd or os.getcwd()
    try:
        rel = os.path.relpath(path, cwd)
    except ValueError:
        return path
    if rel.startswith(".." + os.sep) or rel == "..":
        return os.path.abspath(path)
    return rel


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
        result.cache_entry = (findings, dict(state.workspace.deps), first.has_syntax_errors)
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
    try:
        size = os.path.getsize(path)
        if size > MAX_FILE_BYTES:
            result.notices.append(Notice(shown, "too-large",
                                         f"skipped: {size / 1_048_576:.1f} MB is over the {MAX_FILE_BYTES // 1_048_576} MB limit"))
            return result
        with open(path, "rb") as fh:
            source = fh.read()
    except OSError as exc:
        result.notices.append(Notice(shown, "io-error", f"cannot read: {exc.strerror or exc}", fatal=True))
        return result
    inner = state.workspace
    if state.options.caching:
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

def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def check_files(
    paths: list[str],
    options: Options,
    jobs: int | None = None,
    on_result: Callable[[FileResult], None] | None = None,
) -> list[FileResult]:
    """Check `paths` (in this order) on up to `jobs` processes; results in input order."""
    jobs = jobs or default_jobs()
    if options.caching:
        return _check_files_cached(paths, options, jobs, on_result)
    return _check_files(paths, options, jobs, on_result)


def _check_files(
    paths: list[str],
    options: Options,
    jobs: int,
    on_result: Callable[[FileResult], None] | None = None,
) -> list[FileResult]:
    results: list[FileResult] = []
    if jobs <= 1 or len(paths) < PARALLEL_THRESHOLD:
        _init_worker(options)
        for p in paths:
            r = check_file(p)
            results.append(r)
            if on_result:
                on_result(r)
        return results
    chunksize = max(1, min(64, len(paths) // (jobs * 8)))
    # Compile the combined queries once here: the forked workers inherit them.
    for grammar in {grammar_for_path(p) for p in paths} - {None}:
        combined_query(grammar)
    try:
        with ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=(options,)) as pool:
            for r in pool.map(check_file, paths, chunksize=chunksize):
                results.append(r)
                if on_result:
                    on_result(r)
    except BrokenProcessPool as exc:
        near = paths[len(results)] if len(results) < len(paths) else "?"
        raise WorkerCrash(
            f"a checker process died ({exc}); the crash happened at or after {near}. "
            "Rerun with --jobs 1 to find the file, and please report it"
        ) from None
    return results


class WorkerCrash(RuntimeError):
    """A worker process died (a crash in native code); the run is incomplete."""




# --- the result cache -------------------------------------------------------------------

_STAMP: list[str] = []


def _code_stamp() -> str:
    """Size and mtime of every module of the analyzers package: an edited rule (a
    development checkout, an upgrade without a version bump) never reuses old results."""
    if not _STAMP:
        import reviewlens.analyzers as pkg

        parts = []
        for folder in pkg.__path__:
            for dirpath, _, names in os.walk(folder):
                for name in sorted(names):
                    if name.endswith(".py"):
                        st = os.stat(os.path.join(dirpath, name))
                        parts.append(f"{dirpath}/{name}:{st.st_size}:{st.st_mtime_ns}")
        _STAMP.append(digest("\n".join(sorted(parts)).encode()))
    return _STAMP[0]


class _Caches:
    """One ResultCache per settings fingerprint (a tree may hold several configs)."""

    def __init__(self, options: Options) -> None:
        self.directory = Path(options.cache_dir or ".")
        self.state = _State(options)
        self._by_settings: dict[int, tuple[Settings, ResultCache]] = {}

    def for_path(self, path: str) -> ResultCache:
        settings = self.state.settings_for(path)
        hit = self._by_settings.get(id(settings))
        if hit is None:
            hit = (settings, ResultCache(self.directory, settings_fingerprint(settings, _code_stamp())))
            self._by_settings[id(settings)] = hit
        return hit[1]

    def lookup(self, path: str) -> FileResult | None:
        """The cached result of an unchanged file whose dependencies are unchanged, else None."""
        try:
            st = os.stat(path)
            if st.st_size > MAX_FILE_BYTES:
                return None
            cache = self.for_path(path)
            entry = cache.entries.get(path)
            if entry is None:
                return None
            source = b""
            if entry.findings or entry.stat != (st.st_mtime_ns, st.st_size):
                with open(path, "rb") as fh:
                    source = fh.read()
                if entry.content != digest(source):
                    return None
                if entry.stat is not None and entry.stat != (st.st_mtime_ns, st.st_size):
                    entry.stat = (st.st_mtime_ns, st.st_size)  # touched, not changed
                    cache.dirty = True
            if not cache.deps_unchanged(entry, self.state.workspace):
                return None
        except (OSError, ConfigError):
            return None  # the normal path reports it
        shown = display_path(path, self.state.options.cwd or None)
        result = FileResult(shown)
        bad_line = _first_invalid_utf8_line(source) if source else None
        if bad_line is not None:
            result.notices.append(Notice(shown, "invalid-utf8",
                                         f"not valid UTF-8 (first at line {bad_line}); checked as-is, "
                                         "fixes keep the undecodable bytes unchanged"))
        if entry.syntax_errors:
            result.notices.append(Notice(shown, "syntax-error",
                                         "has syntax errors; findings are reported where the code parses"))
        result.diagnostics = to_diagnostics(entry.findings, source, shown, self.state.options.minimum)
        result.checked = True
        return result

    def store(self, path: str, result: FileResult) -> None:
        entry, result.cache_entry = result.cache_entry, None
        if entry is None:
            return
        findings, deps, syntax_errors = entry
        try:
            st = os.stat(path)
            with open(path, "rb") as fh:
                source = fh.read()
            # The stat shortcut only for files that decode (their notice needs the source).
            sig = (st.st_mtime_ns, st.st_size) if _first_invalid_utf8_line(source) is None else None
            self.for_path(path).put(path, source, findings, deps, syntax_errors, sig)
        except (OSError, ConfigError):
            pass

    def save(self) -> None:
        for _, cache in self._by_settings.values():
            cache.save()


def _check_files_cached(
    paths: list[str],
    options: Options,
    jobs: int,
    on_result: Callable[[FileResult], None] | None = None,
) -> list[FileResult]:
    """Unchanged files come from the cache (looked up here, in this process); only the
    others go to the checker processes. Results keep the input order."""
    caches = _Caches(options)
    results: list[FileResult | None] = [None] * len(paths)
    todo: list[int] = []
    for i, path in enumerate(paths):
        hit = caches.lookup(path)
        if hit is None:
            todo.append(i)
            continue
        results[i] = hit
        if on_result:
            on_result(hit)
    fresh = _check_files([paths[i] for i in todo], options, jobs, on_result)
    for i, r in zip(todo, fresh):
        caches.store(paths[i], r)
        results[i] = r
    caches.save()
    return [r for r in results if r is not None]
