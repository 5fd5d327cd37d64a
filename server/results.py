"""What `reviewlens check` reports, as plain picklable data: no engine, no tree-sitter.

The output formats and the result cache's warm path only need these types, so a run whose
every file comes from the cache never imports the engine or the rules. `runner` re-exports
them under their old names.
"""

from __future__ import annotations

import os

# Plain records (equality, repr, pickling over FIELDS), without importing dataclasses:
# ~10 ms of a warm run's start-up.
from reviewlens.analyzers.records import Record as _Record

# Larger files are reported and skipped (they are nearly always generated or minified).
MAX_FILE_BYTES = 5 * 1024 * 1024

# analyzers.model.Applicability, by its str() (tests/test_cache_warm.py keeps them equal).
APPLICABILITY_RANK = {"display-only": 1, "unsafe": 2, "safe": 3}


class _Frozen(_Record):
    """A record never changed after construction (by convention): hashable."""

    __slots__ = ()

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(self._values())


class Loc(_Frozen):
    __slots__ = FIELDS = ("line", "column")

    def __init__(self, line: int, column: int) -> None:
        self.line = line  # 1-based
        self.column = column  # 1-based, in characters (Unicode code points)


class EditOut(_Frozen):
    __slots__ = FIELDS = ("start", "end", "start_byte", "end_byte", "content")

    def __init__(self, start: Loc, end: Loc, start_byte: int, end_byte: int, content: str) -> None:
        self.start = start
        self.end = end  # exclusive
        self.start_byte = start_byte
        self.end_byte = end_byte
        self.content = content


class FixOut(_Frozen):
    __slots__ = FIELDS = ("title", "applicability", "edits")

    def __init__(self, title: str, applicability: str, edits: tuple[EditOut, ...]) -> None:
        self.title = title
        self.applicability = applicability  # safe | unsafe | display-only
        self.edits = edits


class Diagnostic(_Record):
    __slots__ = FIELDS = ("code", "name", "message", "severity", "path", "start", "end", "start_byte", "end_byte",
                 "source_lines", "fix", "alternatives", "fix_applicable")

    def __init__(self, code: str, name: str, message: str, severity: str, path: str, start: Loc, end: Loc,
                 start_byte: int, end_byte: int, source_lines: tuple[str, ...], fix: FixOut | None = None,
                 alternatives: tuple[FixOut, ...] = (), fix_applicable: bool = False) -> None:
        self.code = code
        self.name = name
        self.message = message
        self.severity = severity  # error | warning | info
        self.path = path  # as displayed (relative to the working directory when below it)
        self.start = start
        self.end = end  # exclusive
        self.start_byte = start_byte
        self.end_byte = end_byte
        self.source_lines = source_lines  # the flagged lines (first and last when the range spans many)
        self.fix = fix
        self.alternatives = alternatives
        self.fix_applicable = fix_applicable  # would the current run's --fix apply it

    def sort_key(self) -> tuple:
        return (self.path, self.start.line, self.start.column, self.code)


class Notice(_Record):
    __slots__ = FIELDS = ("path", "kind", "message", "fatal", "detail")

    def __init__(self, path: str, kind: str, message: str, fatal: bool = False, detail: str = "") -> None:
        self.path = path
        self.kind = kind  # io-error | too-large | invalid-utf8 | rule-error | syntax-error | write-error | not-source
        self.message = message
        self.fatal = fatal  # makes the run incomplete (exit 2)
        self.detail = detail


class FileResult(_Record):
    __slots__ = FIELDS = ("path", "diagnostics", "notices", "fixed", "diff", "output", "checked", "cache_entry")

    def __init__(self, path: str, diagnostics: list[Diagnostic] | None = None, notices: list[Notice] | None = None,
                 fixed: dict[str, int] | None = None, diff: str = "", output: bytes | None = None,
                 checked: bool = False, cache_entry: tuple | None = None) -> None:
        self.path = path
        self.diagnostics = [] if diagnostics is None else diagnostics
        self.notices = [] if notices is None else notices
        self.fixed = {} if fixed is None else fixed  # code -> fixes applied (or that would be)
        self.diff = diff
        self.output = output  # the fixed source (stdin mode)
        self.checked = checked
        # What the result cache stores besides the result itself (content digest, stat, the
        # dependencies the analysis looked at); the parent process stores and clears it.
        self.cache_entry = cache_entry


class Options(_Frozen):
    """What the command line asked for, in a picklable form."""

    __slots__ = FIELDS = ("config", "select", "extend_select", "ignore", "fix", "unsafe_fixes", "diff", "roots", "cwd",
                 "cache_dir")

    def __init__(self, config: str | None = None, select: tuple[str, ...] | None = None,
                 extend_select: tuple[str, ...] = (), ignore: tuple[str, ...] = (), fix: bool = False,
                 unsafe_fixes: bool = False, diff: bool = False, roots: tuple[str, ...] = (), cwd: str = "",
                 cache_dir: str | None = None) -> None:
        self.config = config
        self.select = select
        self.extend_select = extend_select
        self.ignore = ignore
        self.fix = fix
        self.unsafe_fixes = unsafe_fixes
        self.diff = diff
        self.roots = roots
        self.cwd = cwd
        self.cache_dir = cache_dir  # the result cache's folder; None: no cache

    @property
    def caching(self) -> bool:
        # Fixing runs rewrite files and re-check them: always computed afresh.
        return self.cache_dir is not None and not self.fixing

    @property
    def minimum(self):
        from reviewlens.analyzers.model import Applicability

        return Applicability.UNSAFE if self.unsafe_fixes else Applicability.SAFE

    @property
    def minimum_rank(self) -> int:
        return APPLICABILITY_RANK["unsafe"] if self.unsafe_fixes else APPLICABILITY_RANK["safe"]

    @property
    def fixing(self) -> bool:
        return self.fix or self.diff


class WorkerCrash(RuntimeError):
    """A worker process died (a crash in native code); the run is incomplete."""


def display_path(path: str, cwd: str | None = None) -> str:
    cwd = cwd or os.getcwd()
    # The common case without os.path.relpath (slow): a normalised path below the cwd.
    prefix = cwd if cwd.endswith(os.sep) else cwd + os.sep
    if path.startswith("/") and cwd.startswith("/") and _normalised(path) and _normalised(cwd):
        # os.path.relpath's answer for normalised absolute paths, without its cost.
        if path.startswith(prefix):
            return path[len(prefix):]
        if path != cwd:
            return path  # outside the cwd: relpath would start with ".."
    try:
        rel = os.path.relpath(path, cwd)
    except ValueError:
        return path
    if rel.startswith(".." + os.sep) or rel == "..":
        return os.path.abspath(path)
    return rel


def _normalised(path: str) -> bool:
    sep = os.sep
    return (sep + sep not in path and f"{sep}.{sep}" not in path and f"{sep}..{sep}" not in path
            and not path.endswith((f"{sep}.", f"{sep}..", sep)))


def too_large_notice(shown: str, size: int) -> Notice:
    return Notice(shown, "too-large",
                  f"skipped: {size / 1_048_576:.1f} MB is over the {MAX_FILE_BYTES // 1_048_576} MB limit")


def default_jobs() -> int:
    """Processes a batch run uses by default: the cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)
