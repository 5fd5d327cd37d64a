"""The `reviewlens` command line.

    reviewlens check [PATHS]     lint (default `.`); exit 0 clean, 1 findings, 2 usage/config/internal error
    reviewlens rule CODE         print one rule's docs
    reviewlens rules             list every rule (`--output-format json` too)
    reviewlens serve [--tcp H:P] the language server (imported only for this command)
    reviewlens --version

Nothing here imports pygls: `check` stays fast to start.
"""

# Printing is this module's job (findings, rule docs, versions): no debug output here.
# reviewlens: noqa: RL101

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time
from collections import Counter
from typing import TextIO

from .output import FORMATS

# Imported lazily, so that a warm `check` (every file from the result cache) never loads
# the engine, the rules, tree-sitter or importlib.metadata: analyzers.config, registry,
# runner, ruledocs, rich.

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


_VERSION: list[str] = []


def version() -> str:
    if not _VERSION:
        found = _version_from_metadata_file()
        if found is None:
            try:
                from importlib.metadata import version as _v

                found = _v("reviewlens")
            except Exception:  # pragma: no cover - running from a source tree without metadata
                found = "0.0.0"
        _VERSION.append(found)
    return _VERSION[0]


def _version_from_metadata_file() -> str | None:
    """What importlib.metadata.version("reviewlens") answers, without importing it (~30 ms):
    the Version header of the first reviewlens-*.dist-info on sys.path. None when unsure
    (no such folder, several in one place, an egg-info): then ask importlib.metadata."""
    for entry in sys.path:
        folder = entry or "."
        try:
            names = [n for n in os.listdir(folder)
                     if n.lower().startswith("reviewlens-") and n.lower().endswith((".dist-info", ".egg-info"))]
        except (OSError, TypeError):
            continue
        if not names:
            continue
        if len(names) > 1 or not names[0].endswith(".dist-info"):
            return None
        try:
            with open(os.path.join(folder, names[0], "METADATA"), encoding="utf-8") as fh:
                for line in fh:
                    if line.startswith("Version:"):
                        return line.split(":", 1)[1].strip() or None
                    if not line.strip():
                        break
        except OSError:
            pass
        return None
    return None


class _VersionAction(argparse.Action):
    """--version, with the version looked up only when asked for."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, help=None):
        super().__init__(option_strings=option_strings, dest=dest, default=default, nargs=0,
                         help=help or "show program's version number and exit")

    def __call__(self, parser, namespace, values, option_string=None):
        sys.stdout.write(f"reviewlens {version()}\n")
        parser.exit()


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse's own exit code is 2 as well; keep its text short
        self.print_usage(sys.stderr)
        self.exit(EXIT_ERROR, f"reviewlens: error: {message}\n")


def _codes(value: str) -> list[str]:
    return [c.strip() for c in value.split(",") if c.strip()]


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="reviewlens", description="Production-readiness review hints for FastAPI + Next.js apps.")
    parser.add_argument("--version", action=_VersionAction)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    check = sub.add_parser("check", help="check files and folders (default: .)",
                           description="Check files and folders. Exit 0: no findings; 1: findings; 2: usage, config or internal error.")
    check.add_argument("paths", nargs="*", metavar="PATH", help="files or folders (default: .); `-` reads standard input")
    check.add_argument("--output-format", choices=FORMATS, default=None,
                       help="text (default), json, sarif or github (workflow annotations)")
    check.add_argument("--config", metavar="FILE", help="use this reviewlens.toml / pyproject.toml for every file")
    check.add_argument("--select", type=_codes, action="append", metavar="CODES",
                       help="only these rules (codes, prefixes like RL3, names, ALL); replaces the config's select")
    check.add_argument("--extend-select", type=_codes, action="append", metavar="CODES", help="rules to add to the selection")
    check.add_argument("--ignore", type=_codes, action="append", metavar="CODES", help="rules to leave out")
    check.add_argument("--fix", action="store_true", help="apply safe fixes (with --unsafe-fixes, unsafe ones too)")
    check.add_argument("--unsafe-fixes", action="store_true", help="let --fix / --diff apply unsafe fixes too")
    check.add_argument("--diff", action="store_true",
                       help="print a unified diff of what --fix would change; write nothing (exit 1 when there are changes)")
    check.add_argument("--show-fixes", action="store_true", help="list the fixes applied per file")
    check.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings")
    check.add_argument("--statistics", action="store_true", help="show counts per rule instead of each finding")
    check.add_argument("--stdin-filename", metavar="NAME", help="read the source from standard input and check it as NAME")
    check.add_argument("--force-exclude", action="store_true",
                       help="apply exclude / .gitignore / always-skipped folders to files named on the command line too")
    check.add_argument("-q", "--quiet", action="store_true", help="print findings only: no summary, no notices")
    check.add_argument("-v", "--verbose", action="store_true", help="show full tracebacks of internal rule errors")
    check.add_argument("--no-progress", action="store_true", help="no progress bar (it only shows on a terminal anyway)")
    check.add_argument("--color", choices=("auto", "always", "never"), default="auto", help="colour in text output")
    check.add_argument("-j", "--jobs", type=int, default=None, metavar="N", help="processes to use (default: all cores)")
    check.add_argument("--no-cache", action="store_true",
                       help="check every file afresh; neither read nor write the result cache")
    check.add_argument("--cache-dir", metavar="DIR",
                       help="where the result cache lives (default: .reviewlens_cache at the project root)")

    rule = sub.add_parser("rule", help="print one rule's documentation")
    rule.add_argument("code", metavar="CODE", help="a rule code (RL201) or name (blocking-call-in-async)")
    rule.add_argument("--output-format", choices=("text", "json", "markdown"), default="text")

    rules = sub.add_parser("rules", help="list every rule")
    rules.add_argument("--output-format", choices=("text", "json"), default="text")

    sub.add_parser("serve", help="run the language server (stdio; --tcp HOST:PORT)", add_help=False)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "serve":
        # Lazy: pygls and lsprotocol are imported only when the server is asked for.
        from reviewlens.server.lsp import main as serve_main

        return serve_main(argv[1:]) or 0
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "check":
            return cmd_check(args)
        if args.command == "rule":
            return cmd_rule(args)
        if args.command == "rules":
            return cmd_rules(args)
    except KeyboardInterrupt:
        print("reviewlens: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # `reviewlens check | head`: the reader left; stop quietly, and keep Python's
        # final flush of stdout from raising again.
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        return EXIT_FINDINGS if args.command == "check" and not args.exit_zero else EXIT_CLEAN
    except Exception as exc:  # a bug: say so plainly, with what a bug report needs
        import traceback

        print(f"reviewlens: internal error (please report it): {exc!r}", file=sys.stderr)
        traceback.print_exc(file=sys.stderr)
        return EXIT_ERROR
    parser.print_help(sys.stderr)
    return EXIT_ERROR


# --- rule / rules -------------------------------------------------------------------------

def _stdout_is_tty() -> bool:
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


def cmd_rule(args) -> int:
    from . import ruledocs

    info = ruledocs.rule_info(args.code)
    if info is None:
        print(f"reviewlens: error: unknown rule {args.code!r} (see `reviewlens rules`)", file=sys.stderr)
        return EXIT_ERROR
    if args.output_format == "json":
        import json

        json.dump(_rule_json(info, full=True), sys.stdout, indent=2)
        sys.stdout.write("\n")
        return EXIT_CLEAN
    md = ruledocs.rule_markdown(info, with_header=False)
    header = "\n".join(ruledocs.header_lines(info))
    if args.output_format == "text" and _stdout_is_tty():
        from rich.console import Console
        from rich.markdown import Markdown

        console = Console()
        console.print(f"[bold]{info.code} {info.name}[/bold]")
        console.print(header, highlight=False, markup=False)
        console.print(f"Docs: {info.docs_url}", highlight=False, markup=False)
        console.print(Markdown(md.split("\n", 1)[1]))
        return EXIT_CLEAN
    sys.stdout.write(f"{info.code} {info.name}\n{header}\nDocs: {info.docs_url}\n\n{md.split(chr(10), 1)[1].lstrip()}")
    return EXIT_CLEAN


def _rule_json(info, full: bool = False) -> dict:
    from . import ruledocs

    out = {
        "code": info.code,
        "name": info.name,
        "severity": info.severity,
        "languages": info.languages,
        "fix": info.fix,
        "summary": info.summary,
        "url": info.docs_url,
        "options": info.options(),
    }
    if full:
        out["docs"] = ruledocs.rule_markdown(info)
    return out


def cmd_rules(args) -> int:
    from . import ruledocs

    infos = ruledocs.rules()
    if args.output_format == "json":
        import json

        json.dump([_rule_json(i) for i in infos], sys.stdout, indent=2)
        sys.stdout.write("\n")
        return EXIT_CLEAN
    if _stdout_is_tty():
        from rich.console import Console
        from rich.table import Table

        table = Table(show_lines=False)
        for col in ("Code", "Name", "Languages", "Severity", "Fix", "What it flags"):
            table.add_column(col, overflow="fold")
        for i in infos:
            table.add_row(i.code, i.name, ", ".join(ruledocs.SHORT_LANG[x] for x in i.languages), i.severity, i.fix, i.summary)
        Console().print(table)
        return EXIT_CLEAN
    rows = [("CODE", "NAME", "LANGUAGES", "SEVERITY", "FIX")] + [
        (i.code, i.name, ",".join(ruledocs.SHORT_LANG[x] for x in i.languages), i.severity, i.fix) for i in infos
    ]
    widths = [max(len(r[k]) for r in rows) for k in range(5)]
    for r in rows:
        sys.stdout.write("  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip() + "\n")
    return EXIT_CLEAN


# --- check ----------------------------------------------------------------------------------

def _flatten(values) -> tuple[str, ...] | None:
    if values is None:
        return None
    return tuple(c for group in values for c in group)


def _usage_error(message: str) -> int:
    print(f"reviewlens: error: {message}", file=sys.stderr)
    return EXIT_ERROR


def _config_error() -> type:
    """analyzers.config.ConfigError, imported when an exception is being matched against it
    (an `except` clause evaluates its expression only then): the warm path never needs it."""
    from reviewlens.analyzers.config import ConfigError

    return ConfigError


def _rule_names(session) -> tuple[list[str], dict[str, str]]:
    if session is not None:
        cat = session.catalog()
        return cat.codes, cat.names
    from reviewlens.analyzers import registry

    return registry.all_codes(), registry.code_names()


def cmd_check(args) -> int:
    from .results import Options, WorkerCrash

    fmt = args.output_format or "text"
    stdin_mode = args.stdin_filename is not None or args.paths == ["-"]
    if stdin_mode and args.stdin_filename is None:
        return _usage_error("reading standard input (`-`) needs --stdin-filename NAME to pick the language and config")
    if stdin_mode and [p for p in args.paths if p != "-"]:
        return _usage_error("--stdin-filename checks standard input; do not pass PATHS as well")
    if args.jobs is not None and args.jobs < 1:
        return _usage_error("--jobs must be at least 1")

    select = _flatten(args.select)
    extend = _flatten(args.extend_select) or ()
    ignore = _flatten(args.ignore) or ()

    cwd = os.getcwd()
    paths = [] if stdin_mode else (args.paths or ["."])
    options = Options(
        config=os.path.abspath(args.config) if args.config else None,
        select=select,
        extend_select=extend,
        ignore=ignore,
        fix=args.fix,
        unsafe_fixes=args.unsafe_fixes,
        diff=args.diff,
        roots=tuple(os.path.abspath(p) if os.path.isdir(p) else os.path.dirname(os.path.abspath(p)) for p in paths) or (cwd,),
        cwd=cwd,
        cache_dir=None if args.no_cache else os.path.abspath(args.cache_dir or _default_cache_dir(cwd, args.config)),
    )
    # With the cache (a batch run that fixes nothing), settings, the rule catalogue and
    # unchanged files' results come from it: see server/cache.py.
    session = None
    if options.caching and not stdin_mode:
        from .cache import Session

        session = Session(options, config_resolver=False)
    if select is not None or extend or ignore:
        from reviewlens.analyzers.config import ConfigError, validate_selectors

        codes, names = _rule_names(session)
        try:
            for flag, sels in (("--select", select or ()), ("--extend-select", extend), ("--ignore", ignore)):
                validate_selectors(sels, codes, names, flag, None)
        except ConfigError as exc:
            return _usage_error(exc.problem)
    if args.config and not os.path.isfile(args.config):
        return _usage_error(f"{args.config}: config file not found")
    started = time.perf_counter()
    try:
        if session is not None:
            session.start_resolver()
            resolver = session.resolver
        else:
            from pathlib import Path

            from reviewlens.analyzers.config import ConfigResolver

            resolver = ConfigResolver(Path(options.config) if options.config else None)
        if stdin_mode:
            from . import runner

            resolver.for_path(os.path.abspath(args.stdin_filename))  # surface config errors now
            source = sys.stdin.buffer.read()
            results = [runner.check_stdin(source, args.stdin_filename, options)]
            files_checked = 1
        else:
            found = _discover(paths, resolver, args, session, options)
            for missing in found.missing:
                print(f"reviewlens: error: {missing}: no such file or folder", file=sys.stderr)
            if found.missing:
                return EXIT_ERROR
            for unsupported in found.unsupported:
                if not args.quiet:
                    print(f"reviewlens: warning: {unsupported}: not a Python, TypeScript or JavaScript file; skipped",
                          file=sys.stderr)
            try:
                results = _run(found.files, options, args, session, resolver, found.sizes, found.known)
            finally:
                close = getattr(found.known, "close", None)
                if close is not None:
                    close()  # the discovery child's answers (background_discovery.AheadAnswers)
            files_checked = sum(1 for r in results if r.checked)
    except WorkerCrash as exc:
        print(f"reviewlens: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except _config_error() as exc:
        print(f"reviewlens: error: invalid configuration: {exc}", file=sys.stderr)
        return EXIT_ERROR
    elapsed = time.perf_counter() - started
    return _report(results, files_checked, args, fmt, options, elapsed, session)


def _discover(paths: list[str], resolver, args, session, options):
    """The files to check. A cold run on several processes (no result cache, or one with
    nothing stored yet) walks the tree in a child process while this one imports the
    engine and compiles the queries of the grammars the walk finds; without the cache,
    the child then scans the project for the words some rules look for in every file
    (server/background_discovery.py). A run that may find its results stored walks here:
    it may compile nothing at all. With the cache, a walk whose inputs are all unchanged
    since the last run (its folders' mtimes, its config and ignore files) is not made
    again (Session.reuse_walk)."""
    from .discovery import WalkRecord, discover

    record = None
    if session is not None:
        reused = session.reuse_walk(paths, args.force_exclude)
        if reused is not None:
            return reused
        record = WalkRecord()
        if options.config:  # --config: its excludes govern every folder
            record.file(os.path.abspath(options.config))
    found = None
    if (session is None or session.looks_cold()) and any(os.path.isdir(p) for p in paths):
        from .background_discovery import available, discover_while
        from .results import default_jobs

        if (args.jobs or default_jobs()) > 1 and available():
            roots = list(options.roots) or [options.cwd or os.getcwd()]  # the workers' workspace roots
            ahead = (lambda files: _scan_ahead(roots, files)) if session is None else None  # (cache: signed reads)
            found = discover_while(paths, resolver, _warm_queries, force_exclude=args.force_exclude,
                                   prepare=_import_engine, ahead=ahead, record=record)
    if found is None:
        found = discover(paths, resolver, force_exclude=args.force_exclude, record=record)
    if session is not None:
        session.remember_walk(paths, args.force_exclude, found)
    return found


def _scan_ahead(roots: list[str], files: list[str]):
    """(In the discovery child.) The project scans of the languages among `files`."""
    from reviewlens.analyzers.project_scans import SCANS
    from reviewlens.analyzers.workspace import known_ahead

    wanted = [scan for scan in SCANS if any(f.endswith(scan.suffixes) for f in files)]
    return known_ahead(roots, wanted) if wanted else None


def _import_engine() -> None:
    from . import runner  # noqa: F401 - the engine, tree-sitter and its grammars


def _warm_queries(suffix: str) -> None:
    """Compile the combined query of the grammar of `suffix` files (the batch parent does it
    before the fork anyway for a grammar many files need; see runner._check_files)."""
    from reviewlens.analyzers import engine
    from reviewlens.analyzers.languages import grammar_for_path

    from . import forkpool  # noqa: F401 - a tree this size is checked on the pool

    grammar = grammar_for_path("file" + suffix)
    if grammar is not None:
        engine.combined_query(grammar)


def _default_cache_dir(cwd: str, config: str | None) -> str:
    """.reviewlens_cache in the project root: the --config file's folder, else the nearest
    folder at or above the working directory holding a config file or `.git`, else the
    working directory (as ruff does for .ruff_cache)."""
    from .cache import CACHE_DIR_NAME

    if config:
        return os.path.join(os.path.dirname(os.path.abspath(config)), CACHE_DIR_NAME)
    folder = cwd
    while True:
        if any(os.path.exists(os.path.join(folder, name)) for name in ("reviewlens.toml", "pyproject.toml", ".git")):
            return os.path.join(folder, CACHE_DIR_NAME)
        parent = os.path.dirname(folder)
        if parent == folder:
            return os.path.join(cwd, CACHE_DIR_NAME)
        folder = parent


def _run(files: list[str], options, args, session=None, resolver=None, sizes=None, known=None) -> list:
    wants_progress = not args.no_progress and not args.quiet and _stderr_is_tty()
    if session is not None:
        # The bar covers only the files that are checked: a warm run shows none.
        from .cache import check_files_cached

        return check_files_cached(files, options, args.jobs, session=session,
                                  progress=_progress if wants_progress else None)
    from . import runner

    if not wants_progress:
        return runner.check_files(files, options, args.jobs, resolver=resolver, sizes=sizes, known=known)
    with _progress(len(files)) as advance:
        return runner.check_files(files, options, args.jobs, on_result=advance, resolver=resolver, sizes=sizes,
                                  known=known)


@contextlib.contextmanager
def _progress(total: int):
    """A progress bar on stderr for `total` files (none below 200): yields the callback
    that advances it, or None."""
    if total < 200:
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    # auto_refresh=False: no refresh thread, so the worker processes are forked from a
    # single-threaded parent; the bar is redrawn from the result callback instead.
    with Progress(TextColumn("checking"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=Console(file=sys.stderr), transient=True, auto_refresh=False) as progress:
        task = progress.add_task("check", total=total)
        last = [0.0]

        def advance(_result) -> None:
            progress.advance(task)
            now = time.monotonic()
            if now - last[0] > 0.1:
                last[0] = now
                progress.refresh()

        yield advance


def _write_raw(stream, text: str) -> None:
    """Write text that may carry undecodable source bytes (as surrogate escapes) unchanged."""
    data = text.encode("utf-8", "surrogateescape")
    buffer = getattr(stream, "buffer", None)
    if buffer is not None:
        stream.flush()
        buffer.write(data)
        buffer.flush()
    else:
        stream.write(data.decode("utf-8", "replace"))


def _stderr_is_tty() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


def _statistics(diags) -> list[dict]:
    counts = Counter(d.code for d in diags)
    fixable = Counter(d.code for d in diags if d.fix_applicable)
    names = {d.code: d.name for d in diags}
    return [
        {"code": code, "name": names[code], "count": n, "fixable": fixable.get(code, 0)}
        for code, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    ]


def _report(results, files_checked: int, args, fmt: str, options, elapsed: float, session=None) -> int:
    # The text writer (and rich behind it) is imported only when something is written
    # with it: a JSON / SARIF / GitHub run without notices never pays for rich.
    diags = sorted((d for r in results for d in r.diagnostics), key=lambda d: d.sort_key())
    notices = [n for r in results for n in r.notices]
    fatal = any(n.fatal for n in notices)
    stdin_fix_output = args.stdin_filename is not None and args.fix and not args.diff
    # With --fix on stdin, stdout carries the fixed source; findings go to stderr.
    out: TextIO = sys.stderr if stdin_fix_output else sys.stdout
    color = {"always": True, "never": False}.get(args.color)

    # Notices first, on stderr, so they never corrupt machine-readable stdout.
    err = None
    for n in notices:
        if n.kind == "syntax-error" and not args.verbose:
            continue
        if args.quiet and not n.fatal:
            continue
        if err is None:
            from .output.text import TextWriter

            err = TextWriter(sys.stderr, color=color)
        prefix = "error" if n.fatal else "warning"
        err.line(f"reviewlens: {prefix}: {n.path}: {n.message}")
        if args.verbose and n.detail:
            err.line(n.detail.rstrip())

    if args.diff:
        diffs = [r.diff for r in results if r.diff]
        for d in diffs:
            _write_raw(sys.stdout, d)
        would = sum(sum(r.fixed.values()) for r in results)
        if not args.quiet:
            n_files = len(diffs)
            if n_files:
                print(f"Would fix {would} finding{'s' if would != 1 else ''} in {n_files} file{'s' if n_files != 1 else ''}.", file=sys.stderr)
            else:
                print("No fixes would be applied.", file=sys.stderr)
        if fatal:
            return EXIT_ERROR
        return EXIT_FINDINGS if diffs else EXIT_CLEAN

    if stdin_fix_output:
        sys.stdout.buffer.write(results[0].output or b"")
        sys.stdout.flush()

    stats = _statistics(diags) if args.statistics else None
    if fmt == "json":
        from .output import json_format, jsontext

        if session is not None:
            urls = session.catalog().urls
        else:
            from reviewlens.analyzers import registry

            urls = registry.docs_urls()
        doc = json_format.document(results, diags, version=version(), urls=urls,
                                   files_checked=files_checked, statistics=stats)
        out.write(jsontext.dumps(doc) + "\n")  # one write, not one per token
    elif fmt == "sarif":
        from .output import jsontext, sarif

        rules = session.catalog().sarif_rules if session is not None else None
        doc = sarif.document(results, diags, version=version(), cwd=options.cwd, rules=rules)
        out.write(jsontext.dumps(doc) + "\n")
    elif fmt == "github":
        from .output import github

        for d in diags:
            out.write(github.annotation(d) + "\n")
        for n in notices:
            if n.fatal:
                out.write(github.notice_annotation(n) + "\n")
    else:
        from .output.text import TextWriter

        writer = TextWriter(out, color=color)
        if stats is not None:
            width = max((len(str(s["count"])) for s in stats), default=1)
            for s in stats:
                mark = "[*]" if s["fixable"] else "   "
                writer.line(f"{s['count']:>{width}}\t{s['code']}\t{mark} {s['name']}")
        else:
            writer.diagnostics(diags)
        if not args.quiet:
            _summary(writer, results, diags, files_checked, args, elapsed)

    if args.show_fixes and not args.quiet and any(r.fixed for r in results):
        from .output.text import TextWriter

        stream = sys.stderr if fmt != "text" or stdin_fix_output else out
        w = TextWriter(stream, color=color)
        w.line("Fixed:")
        for r in results:
            for code, n in sorted(r.fixed.items()):
                w.line(f"  {r.path}: {n} × {code}")

    if fatal:
        return EXIT_ERROR
    if diags and not args.exit_zero:
        return EXIT_FINDINGS
    return EXIT_CLEAN


def _summary(writer, results, diags, files_checked: int, args, elapsed: float) -> None:
    fixed = sum(sum(r.fixed.values()) for r in results)
    n = len(diags)
    fixable = sum(1 for d in diags if d.fix_applicable)
    hidden = sum(1 for d in diags if d.fix is not None and not d.fix_applicable and d.fix.applicability == "unsafe")
    syntax = sum(1 for r in results for x in r.notices if x.kind == "syntax-error")
    parts = []
    if n:
        msg = f"Found {n} finding{'s' if n != 1 else ''} in {files_checked} file{'s' if files_checked != 1 else ''}"
        if fixed:
            msg += f" ({fixed} fixed, {n} remaining)"
        parts.append(msg + ".")
        if fixable and not args.fix:
            parts.append(f"[*] {fixable} fixable with `reviewlens check --fix`.")
        if hidden:
            parts.append(f"{hidden} more fixable with `--fix --unsafe-fixes` (see each rule's Fix safety).")
    elif fixed:
        parts.append(f"Found {fixed} finding{'s' if fixed != 1 else ''} ({fixed} fixed, 0 remaining).")
    else:
        parts.append(f"All checks passed ({files_checked} file{'s' if files_checked != 1 else ''}).")
    if syntax and not args.verbose:
        parts.append(f"{syntax} file{'s' if syntax != 1 else ''} with syntax errors (checked where the code parses; --verbose lists them).")
    for p in parts:
        writer.line(p)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
