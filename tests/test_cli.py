"""`reviewlens check` end to end: in-process (fast) and through the installed console script."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from reviewlens.server import runner
from reviewlens.server.cli import main

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"

PRINT_PY = b'def handler(x):\n    print("got", x)\n    return x\n'
CLEAN_PY = b"def handler(x):\n    return x\n"


def run(capsys, *argv: str, cwd: Path | None = None) -> tuple[int, str, str]:
    old = os.getcwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse
        code = exc.code
    finally:
        os.chdir(old)
    out, err = capsys.readouterr()
    return code, out, err


def cli(*argv: str, cwd: Path, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    exe = shutil.which("reviewlens") or sys.executable
    cmd = [exe, *argv] if exe.endswith("reviewlens") else [exe, "-m", "reviewlens.server", *argv]
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("FORCE_COLOR", None)
    return subprocess.run(cmd, cwd=cwd, input=stdin, capture_output=True, env=env, timeout=120)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "main.py").write_bytes(PRINT_PY)
    (tmp_path / "app" / "clean.py").write_bytes(CLEAN_PY)
    return tmp_path


# --- exit codes and the text format -------------------------------------------------------

def test_findings_exit_1_with_location_and_excerpt(project, capsys):
    code, out, err = run(capsys, "check", "--no-progress", cwd=project)
    assert code == 1, err
    first = out.splitlines()[0]
    assert first == f"app{os.sep}main.py:2:5: RL101 `print` left in application code: use a logger"
    assert '2 |     print("got", x)' in out
    assert "\n  |     " + "^" * 15 + "\n" in out  # caret under the whole call (15 characters)
    assert "Found 1 finding in 2 files." in out
    assert "\x1b[" not in out  # no colour when not a terminal


def test_clean_exit_0(project, capsys):
    code, out, _ = run(capsys, "check", "app/clean.py", cwd=project)
    assert code == 0
    assert "All checks passed (1 file)." in out


def test_exit_zero_and_quiet(project, capsys):
    code, out, _ = run(capsys, "check", "--exit-zero", "-q", cwd=project)
    assert code == 0
    assert "RL101" in out and "Found" not in out


def test_columns_count_characters(tmp_path, capsys):
    (tmp_path / "a.py").write_text('x = "日本😀"; print(x)\n', encoding="utf-8")
    code, out, _ = run(capsys, "check", "a.py", cwd=tmp_path)
    assert code == 1
    # `print` starts at character 12 (byte 19, UTF-16 unit 13).
    assert out.startswith("a.py:1:12: RL101")
    data = json.loads(run(capsys, "check", "a.py", "--output-format", "json", cwd=tmp_path)[1])
    f = data["findings"][0]
    assert f["location"] == {"line": 1, "column": 12}
    assert f["end_location"] == {"line": 1, "column": 20}
    assert f["byte_range"][0] == len('x = "日本😀"; '.encode())


def test_missing_path_and_bad_selector_exit_2(project, capsys):
    code, _, err = run(capsys, "check", "nope/", cwd=project)
    assert code == 2 and "nope/: no such file or folder" in err
    code, _, err = run(capsys, "check", "--select", "RL999", cwd=project)
    assert code == 2 and "unknown rule selector 'RL999'" in err
    code, _, err = run(capsys, "check", "--output-format", "xml", cwd=project)
    assert code == 2 and "invalid choice" in err


def test_select_ignore_extend_select(project, capsys):
    assert run(capsys, "check", "--ignore", "RL101", cwd=project)[0] == 0
    assert run(capsys, "check", "--ignore", "debug-print", cwd=project)[0] == 0
    assert run(capsys, "check", "--select", "RL2", cwd=project)[0] == 0
    assert run(capsys, "check", "--select", "RL2", "--extend-select", "RL101", cwd=project)[0] == 1
    (project / "reviewlens.toml").write_text('select = ["RL2"]\n')
    assert run(capsys, "check", cwd=project)[0] == 0
    assert run(capsys, "check", "--extend-select", "RL1", cwd=project)[0] == 1
    assert run(capsys, "check", "--select", "ALL", cwd=project)[0] == 1


def test_statistics(project, capsys):
    (project / "app" / "more.py").write_bytes(PRINT_PY + b'print("again")\n')
    code, out, _ = run(capsys, "check", "--statistics", cwd=project)
    assert code == 1
    assert out.splitlines()[0] == "3\tRL101\t    debug-print"
    data = json.loads(run(capsys, "check", "--statistics", "--output-format", "json", cwd=project)[1])
    assert data["statistics"] == [{"code": "RL101", "name": "debug-print", "count": 3, "fixable": 0}]


# --- json, github -------------------------------------------------------------------------

def test_json_schema_shape(project, capsys):
    code, out, err = run(capsys, "check", "--output-format", "json", cwd=project)
    assert code == 1, err
    doc = json.loads(out)
    assert doc["schema_version"] == 1
    assert doc["tool"]["name"] == "reviewlens"
    assert doc["summary"]["files_checked"] == 2 and doc["summary"]["findings"] == 1
    f = doc["findings"][0]
    assert f["code"] == "RL101" and f["name"] == "debug-print" and f["severity"] == "warning"
    assert f["path"] == os.path.join("app", "main.py")
    assert f["location"] == {"line": 2, "column": 5} and f["end_location"] == {"line": 2, "column": 20}
    assert f["url"].endswith("#rl101-debug-print")
    assert f["fix"]["applicability"] == "unsafe" and f["fix_applicable"] is False
    edit = f["fix"]["edits"][-1]
    assert set(edit) == {"content", "location", "end_location", "byte_range"}
    assert edit["location"] == {"line": 2, "column": 5} and edit["content"].startswith("logger.debug(")
    assert f["alternatives"][0]["title"] == "Delete the debug output"


def test_github_annotations(project, capsys):
    from reviewlens.server.output.github import _escape_data, _escape_property

    assert _escape_property("a,b:c%\n") == "a%2Cb%3Ac%25%0A"
    assert _escape_data("50%\r\nnext") == "50%25%0D%0Anext"
    code, out, _ = run(capsys, "check", "--output-format", "github", cwd=project)
    assert code == 1
    assert out.strip() == (
        f"::warning file=app{os.sep}main.py,line=2,col=5,endLine=2,endColumn=20,"
        "title=RL101 debug-print::`print` left in application code: use a logger"
    )


# --- fixes ------------------------------------------------------------------------------

FIXABLE = b"import time\r\n\r\n\r\nasync def handler():\r\n    time.sleep(1)\r\n    return '\xff'\r\n"


@pytest.fixture
def fixable(tmp_path: Path) -> Path:
    if "RL201" not in __import__("reviewlens.analyzers.registry", fromlist=["x"]).all_codes():
        pytest.fail("RL201 (blocking-call-in-async, safe time.sleep fix) must be registered")
    (tmp_path / "svc.py").write_bytes(FIXABLE)
    return tmp_path


def test_diff_writes_nothing_and_exits_1(fixable):
    proc = cli("check", "--diff", cwd=fixable)
    out, err = proc.stdout, proc.stderr.decode()
    assert proc.returncode == 1, err
    assert b"--- a/svc.py" in out and b"+++ b/svc.py" in out
    assert b"-    time.sleep(1)\r\n" in out and b"+    await asyncio.sleep(1)\r\n" in out
    assert (fixable / "svc.py").read_bytes() == FIXABLE
    assert "Would fix 1 finding in 1 file." in err


def test_fix_is_atomic_keeps_bytes_and_is_idempotent(fixable, capsys):
    path = fixable / "svc.py"
    os.chmod(path, 0o640)
    code, out, err = run(capsys, "check", "--fix", "--show-fixes", cwd=fixable)
    fixed = path.read_bytes()
    assert b"await asyncio.sleep(1)\r\n" in fixed
    assert b"import asyncio" in fixed
    assert b"return '\xff'\r\n" in fixed  # invalid UTF-8 elsewhere untouched
    assert fixed.count(b"\r\n") == fixed.count(b"\n")  # CRLF kept everywhere
    assert oct(path.stat().st_mode & 0o777) == oct(0o640)
    assert "svc.py: 1 × RL201" in out
    assert "not valid UTF-8 (first at line 6)" in err
    assert code == 0, out + err
    assert not [p for p in fixable.iterdir() if p.name.startswith(".reviewlens-")]
    # Second run: nothing to change.
    code, out, _ = run(capsys, "check", "--diff", cwd=fixable)
    assert code == 0 and out == ""
    assert path.read_bytes() == fixed


def test_stdin_filename(fixable, capsys, monkeypatch):
    import io

    class FakeStdin:
        buffer = io.BytesIO(FIXABLE)

    monkeypatch.setattr(sys, "stdin", FakeStdin)
    code, out, err = run(capsys, "check", "--stdin-filename", "pkg/worker.py", cwd=fixable)
    assert code == 1
    assert out.startswith(f"pkg{os.sep}worker.py:5:5: RL201")


def test_stdin_fix_prints_fixed_source_subprocess(fixable):
    proc = cli("check", "--fix", "--stdin-filename", "svc.py", cwd=fixable, stdin=FIXABLE)
    assert proc.returncode == 0, proc.stderr
    assert b"await asyncio.sleep(1)" in proc.stdout and proc.stdout.endswith(b"return '\xff'\r\n")
    assert (fixable / "svc.py").read_bytes() == FIXABLE  # stdin mode never writes files
    proc = cli("check", "--stdin-filename", "x.py", cwd=fixable, stdin=b"print(1)\n")
    assert proc.returncode == 1 and proc.stdout.startswith(b"x.py:1:1: RL101")
    proc = cli("check", "-", cwd=fixable, stdin=b"print(1)\n")
    assert proc.returncode == 2 and b"--stdin-filename" in proc.stderr


def test_fix_examples_twice_changes_nothing_the_second_time(tmp_path, capsys):
    work = tmp_path / "examples"
    shutil.copytree(EXAMPLES, work)
    before = {p: p.read_bytes() for p in work.rglob("*") if p.is_file()}
    run(capsys, "check", "--fix", "--unsafe-fixes", "-q", ".", cwd=work)
    after = {p: p.read_bytes() for p in work.rglob("*") if p.is_file()}
    assert after != before, "the examples must have something --fix changes"
    code, out, err = run(capsys, "check", "--diff", "--unsafe-fixes", ".", cwd=work)
    assert code == 0 and out == "", out + err
    run(capsys, "check", "--fix", "--unsafe-fixes", "-q", ".", cwd=work)
    assert {p: p.read_bytes() for p in work.rglob("*") if p.is_file()} == after
    # Every changed Python/TS file still parses as well as before.
    from reviewlens.analyzers.languages import grammar_for_path, parse

    for p, data in after.items():
        g = grammar_for_path(p)
        if g and data != before[p]:
            assert not parse(data, g).root_node.has_error, p


# --- config errors, discovery ------------------------------------------------------------

@pytest.mark.parametrize("content, problem", [
    ("select = [\n", "invalid TOML"),
    ('selekt = ["RL101"]\n', "unknown key `selekt`"),
    ('select = "RL9"\n', "unknown rule selector 'RL9'"),
    ("ignore = 3\n", "`ignore` must be a list of strings"),
])
def test_broken_config_exit_2_names_file(project, capsys, content, problem):
    cfg = project / "app" / "reviewlens.toml"
    cfg.write_text(content)
    code, out, err = run(capsys, "check", cwd=project)
    assert code == 2
    assert out == ""
    assert str(cfg) in err and problem in err
    assert "Traceback" not in err
    proc = cli("check", cwd=project)
    assert proc.returncode == 2 and problem.encode() in proc.stderr and b"Traceback" not in proc.stderr


def test_config_flag(project, capsys, tmp_path_factory):
    other = tmp_path_factory.mktemp("cfg") / "strict.toml"
    other.write_text('ignore = ["RL101"]\n')
    assert run(capsys, "check", "--config", str(other), cwd=project)[0] == 0
    code, _, err = run(capsys, "check", "--config", "missing.toml", cwd=project)
    assert code == 2 and "missing.toml" in err
    pyproject = tmp_path_factory.mktemp("cfg2") / "pyproject.toml"
    pyproject.write_text("[project]\nname = 'x'\n")
    code, _, err = run(capsys, "check", "--config", str(pyproject), cwd=project)
    assert code == 2 and "no [tool.reviewlens] table" in err


def test_gitignore_exclude_and_always_skipped(tmp_path, capsys):
    (tmp_path / ".git" / "info").mkdir(parents=True)
    (tmp_path / ".git" / "info" / "exclude").write_text("local_only.py\n")
    (tmp_path / ".gitignore").write_text("generated/\n*.gen.py\n")
    for rel in ["app/a.py", "generated/g.py", "app/x.gen.py", "node_modules/pkg/index.js", ".venv/lib/m.py",
                "web/.next/server.js", "dist/b.js", "web/src/c.ts", "web/src/skip/d.ts", "legacy/old.py",
                "web/keep.tmp.ts", "app/local_only.py"]:
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text('print("x")\n' if rel.endswith(".py") else 'console.log("x");\n')
    (tmp_path / "web" / ".gitignore").write_text("src/skip/\n*.tmp.ts\n!keep.tmp.ts\n")
    (tmp_path / "reviewlens.toml").write_text('exclude = ["legacy/"]\n')
    code, out, _ = run(capsys, "check", "--output-format", "json", cwd=tmp_path)
    paths = sorted({f["path"].replace(os.sep, "/") for f in json.loads(out)["findings"]})
    assert paths == ["app/a.py", "web/keep.tmp.ts", "web/src/c.ts"]
    # Files named explicitly are checked anyway, unless --force-exclude.
    out = run(capsys, "check", "generated/g.py", "legacy/old.py", "--output-format", "json", cwd=tmp_path)[1]
    assert len(json.loads(out)["findings"]) == 2
    out = run(capsys, "check", "generated/g.py", "legacy/old.py", "dist/b.js", "--force-exclude",
              "--output-format", "json", cwd=tmp_path)[1]
    assert json.loads(out)["findings"] == []
    # Checking a subfolder still honours the parent .gitignore.
    out = run(capsys, "check", "generated", "--output-format", "json", cwd=tmp_path)[1]
    assert json.loads(out)["summary"]["files_checked"] == 0
    (tmp_path / "reviewlens.toml").write_text('exclude = ["legacy/"]\nrespect-gitignore = false\n')
    out = run(capsys, "check", "--output-format", "json", cwd=tmp_path)[1]
    paths = {f["path"].replace(os.sep, "/") for f in json.loads(out)["findings"]}
    assert "generated/g.py" in paths and "web/src/skip/d.ts" in paths and "dist/b.js" not in paths


def test_nearest_config_per_file(tmp_path, capsys):
    for sub in ("api", "web"):
        (tmp_path / sub).mkdir()
        (tmp_path / sub / "m.py").write_bytes(PRINT_PY)
    (tmp_path / "api" / "pyproject.toml").write_text('[tool.reviewlens]\nignore = ["RL101"]\n')
    (tmp_path / "web" / "pyproject.toml").write_text("[project]\nname = 'web'\n")  # no table: passed over
    out = run(capsys, "check", "--output-format", "json", cwd=tmp_path)[1]
    assert [f["path"].replace(os.sep, "/") for f in json.loads(out)["findings"]] == ["web/m.py"]


@pytest.mark.parametrize("jobs,cache", [("1", False), ("2", False), ("1", True), ("2", True)])
def test_config_files_are_read_once_per_run(tmp_path, capsys, monkeypatch, jobs, cache):
    """Discovery's resolver is handed to the checkers: no config file is parsed again,
    whether the files are checked here or in forked workers (which inherit its answers;
    with --jobs 2 the walk runs in a child process, whose answers this one absorbs)."""
    from reviewlens.analyzers import config

    monkeypatch.setattr(runner, "PARALLEL_MIN_BYTES", 0)
    for sub in ("api", "web"):
        (tmp_path / sub).mkdir()
        for i in range(20):
            (tmp_path / sub / f"m{i}.py").write_bytes(PRINT_PY)
        (tmp_path / sub / "reviewlens.toml").write_text('ignore = ["RL101"]\n' if sub == "api" else "")
    log = tmp_path / "loads.log"  # appended to by this process and any worker
    real = config.load_config_file

    def load(path):
        with open(log, "a") as fh:
            fh.write(f"{os.getpid()} {path}\n")
        return real(path)

    monkeypatch.setattr(config, "load_config_file", load)
    how = ("--cache-dir", str(tmp_path / "cache")) if cache else ("--no-cache",)
    out = run(capsys, "check", *how, "--output-format", "json", "--jobs", jobs, cwd=tmp_path)[1]
    assert sorted({f["path"].replace(os.sep, "/").split("/")[0] for f in json.loads(out)["findings"]}) == ["web"]
    lines = log.read_text().splitlines()
    readers = {line.split()[0] for line in lines}
    # Here, or (--jobs 2) here and in the discovery child, which reads what it walks to.
    assert readers == {str(os.getpid())} if jobs == "1" else len(readers) <= 2
    assert sorted(line.split()[1] for line in lines) == sorted(str(tmp_path / s / "reviewlens.toml") for s in ("api", "web"))


@pytest.mark.parametrize("cache", [(), ("--no-cache",)])  # without the cache, no stat before the read
def test_unreadable_invalid_and_huge_files_do_not_stop_the_run(tmp_path, capsys, cache):
    (tmp_path / "ok.py").write_bytes(PRINT_PY)
    (tmp_path / "bad.py").write_bytes(b'x = "\xff\xfe"\nprint(x)\n')
    (tmp_path / "huge.py").write_bytes(b"x = 1\n" * (runner.MAX_FILE_BYTES // 6 + 10))
    locked = tmp_path / "locked.py"
    locked.write_bytes(PRINT_PY)
    locked.chmod(0)
    try:
        code, out, err = run(capsys, "check", *cache, "--output-format", "json", cwd=tmp_path)
    finally:
        locked.chmod(0o644)
    doc = json.loads(out)
    assert sorted(f["path"] for f in doc["findings"]) == sorted(["bad.py", "ok.py"] + (["locked.py"] if os.geteuid() == 0 else []))
    assert "huge.py: skipped: 5.0 MB is over the 5 MB limit" in err
    assert "bad.py: not valid UTF-8 (first at line 1)" in err
    kinds = {n["kind"] for n in doc["notices"]}
    assert {"too-large", "invalid-utf8"} <= kinds
    if os.geteuid() != 0:  # root can read anything
        assert "locked.py: cannot read: Permission denied" in err
        assert code == 2
    else:
        assert code == 1


def test_syntax_errors_still_yield_findings(tmp_path, capsys):
    (tmp_path / "m.py").write_text(
        "def parse(x):\n    try:\n        return int(x)\n    except ValueError, TypeError:\n        return None\n\n\n"
        "def show(x):\n    print(x)\n"
    )
    code, out, err = run(capsys, "check", "--verbose", cwd=tmp_path)
    assert code == 1
    assert out.startswith("m.py:9:5: RL101")
    # Plus a function the parser cannot make sense of, between two sound ones.
    (tmp_path / "m.py").write_text(
        "def show(x):\n    print(x)\n\n\ndef broken(x):\n    if x\n        return 1\n\n\ndef other():\n    print(2)\n"
    )
    code, out, err = run(capsys, "check", "--verbose", "--output-format", "github", cwd=tmp_path)
    assert code == 1
    assert [line.split(",")[1:3] for line in out.splitlines()] == [["line=2", "col=5"], ["line=11", "col=5"]]
    assert "m.py: has syntax errors" in err


def test_rule_crash_is_reported_not_fatal_to_the_run(project, capsys, monkeypatch):
    from reviewlens.analyzers.rules.python.debug_print import DebugPrint

    def boom(self, captures, pattern):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(DebugPrint, "on_match", boom)
    (project / "app" / "ts.ts").write_text('console.log("x");\n')
    code, out, err = run(capsys, "check", cwd=project)
    assert code == 2
    assert "ts.ts:1:1: RL101" in out  # other implementations and files still report
    assert "internal error in rule RL101" in err and "RuntimeError: kaboom" in err


@pytest.fixture(params=["fork-pool", "executor"])
def pool_kind(request, monkeypatch):
    """Both ways a batch run goes parallel: the fork pool (Linux) and the standard
    library's executor (elsewhere), so that the second is not left untested here."""
    monkeypatch.setattr(runner, "USE_FORK_POOL", request.param == "fork-pool")
    return request.param


def test_parallel_output_equals_serial(tmp_path, capsys, monkeypatch, pool_kind):
    monkeypatch.setattr(runner, "PARALLEL_MIN_BYTES", 0)  # small files, through the pool all the same
    for i in range(runner.PARALLEL_THRESHOLD + 16):
        sub = tmp_path / f"pkg{i % 5}"
        sub.mkdir(exist_ok=True)
        body = PRINT_PY if i % 3 else CLEAN_PY
        (sub / f"m{i}.py").write_bytes(body + f"print({i})\n".encode())
        (sub / f"c{i}.ts").write_text(f"export function f{i}() {{ console.log({i}); }}\n")
    serial = run(capsys, "check", "--jobs", "1", "--output-format", "json", cwd=tmp_path)
    parallel = run(capsys, "check", "--jobs", "2", "--output-format", "json", cwd=tmp_path)
    assert serial[0] == parallel[0] == 1
    assert serial[1] == parallel[1]
    assert json.loads(serial[1])["summary"]["findings"] > 100


def test_parallel_results_follow_the_input_order_whatever_the_sizes(tmp_path, monkeypatch, pool_kind):
    """The pool takes the largest files first; results and on_result still come in input order."""
    monkeypatch.setattr(runner, "PARALLEL_MIN_BYTES", 0)
    paths = []
    for i in range(runner.PARALLEL_THRESHOLD + 40):
        path = tmp_path / f"m{i:03}.py"
        path.write_bytes(b"x = 1\n" * ((i * 37) % 50 + 1) + f"print({i})\n".encode())
        paths.append(str(path))
    streamed = []
    results = runner.check_files(paths, runner.Options(roots=(str(tmp_path),)), jobs=2, on_result=streamed.append)
    assert [r.path for r in streamed] == [r.path for r in results]
    assert [r.path.rsplit("/", 1)[-1] for r in results] == [p.rsplit("/", 1)[-1] for p in paths]
    assert [r.diagnostics[0].source_lines[0].rstrip() for r in results] == [f"print({i})" for i in range(len(paths))]


# --- subprocess: the installed command ----------------------------------------------------

def test_console_script_check_examples():
    proc = cli("check", "examples/", cwd=REPO)
    assert proc.returncode == 1, proc.stderr
    text = proc.stdout.decode()
    assert "examples/backend/app/main.py:" in text and "RL101" in text
    assert "Found " in text


def test_version_rules_and_rule(capsys):
    from reviewlens.server.cli import version

    proc = cli("--version", cwd=REPO)
    assert proc.returncode == 0 and proc.stdout.decode().strip() == f"reviewlens {version()}"
    code, out, _ = run(capsys, "rules")
    assert code == 0 and out.splitlines()[0].split() == ["CODE", "NAME", "LANGUAGES", "SEVERITY", "FIX"]
    assert any(line.startswith("RL101  debug-print") for line in out.splitlines())
    code, out, _ = run(capsys, "rules", "--output-format", "json")
    rules = json.loads(out)
    assert rules[0]["code"] == "RL101" and rules[0]["languages"] == ["python", "typescript"]
    code, out, _ = run(capsys, "rule", "debug-print")
    assert code == 0
    lines = out.splitlines()
    assert lines[:6] == ["RL101 debug-print", "Code: RL101", "Name: debug-print", "Severity: warning",
                         "Fix: sometimes", "Languages: Python, TypeScript/JavaScript"]
    assert "## Python" in out and "## TypeScript/JavaScript" in out and "### Why is this bad?" in out
    code, _, err = run(capsys, "rule", "RL999")
    assert code == 2 and "unknown rule 'RL999'" in err


def test_check_does_not_import_pygls():
    code = ("import sys; from reviewlens.server.cli import main; "
            "rc = main(['check', '--exit-zero', '-q', 'examples/backend']); "
            "assert 'pygls' not in sys.modules and 'lsprotocol' not in sys.modules, 'pygls imported'; sys.exit(rc)")
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, timeout=60)
    assert proc.returncode == 0, proc.stderr.decode()


def test_serve_dispatches_lazily(monkeypatch):
    import types

    seen = {}
    fake = types.ModuleType("reviewlens.server.lsp")
    fake.main = lambda argv: seen.setdefault("argv", argv) and 0
    monkeypatch.setitem(sys.modules, "reviewlens.server.lsp", fake)
    assert main(["serve", "--tcp", "127.0.0.1:2087"]) == 0
    assert seen["argv"] == ["--tcp", "127.0.0.1:2087"]


def test_progress_on_a_terminal_leaves_stdout_alone(tmp_path, capsys, monkeypatch):
    from reviewlens.server import cli as cli_mod

    for i in range(205):
        (tmp_path / f"m{i:03}.py").write_bytes(CLEAN_PY if i != 7 else PRINT_PY)
    plain = run(capsys, "check", "--jobs", "1", cwd=tmp_path)
    monkeypatch.setattr(cli_mod, "_stderr_is_tty", lambda: True)
    with_progress = run(capsys, "check", "--jobs", "1", cwd=tmp_path)
    assert with_progress[0] == plain[0] == 1
    assert with_progress[1] == plain[1]
    assert plain[1].startswith("m007.py:2:5: RL101")


def test_color_always_and_never(project, capsys):
    out = run(capsys, "check", "--color", "always", cwd=project)[1]
    assert "\x1b[" in out and "RL101" in out
    out = run(capsys, "check", "--color", "never", cwd=project)[1]
    assert "\x1b[" not in out


def test_small_runs_stay_in_one_process(tmp_path, monkeypatch):
    """Many files but little source: no pool (it would cost more than it saves)."""
    for i in range(runner.PARALLEL_THRESHOLD + 2):
        (tmp_path / f"m{i:02}.py").write_bytes(CLEAN_PY)
    started = []
    import concurrent.futures

    from reviewlens.server import forkpool

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", lambda *a, **k: started.append(1) or 1 / 0)
    monkeypatch.setattr(forkpool, "run", lambda *a, **k: started.append(1) or 1 / 0)
    results = runner.check_files(sorted(str(p) for p in tmp_path.glob("*.py")), runner.Options(roots=(str(tmp_path),)), jobs=2)
    assert not started and len(results) == runner.PARALLEL_THRESHOLD + 2 and all(r.checked for r in results)
    big = runner._total_bytes([str(p) for p in tmp_path.glob("*.py")], 10**9)
    assert big == sum(p.stat().st_size for p in tmp_path.glob("*.py"))


def test_a_crashed_worker_process_is_exit_2_not_a_traceback(tmp_path, capsys, monkeypatch, pool_kind):
    monkeypatch.setattr(runner, "PARALLEL_MIN_BYTES", 0)
    for i in range(runner.PARALLEL_THRESHOLD + 2):
        (tmp_path / f"m{i:02}.py").write_bytes(CLEAN_PY)
    (tmp_path / "m05.py").write_bytes(b"import os\nCRASH_HERE = 1\n")
    real = runner.check_bytes

    def crashing(source, *args, **kwargs):
        if b"CRASH_HERE" in source:
            os._exit(3)  # what a segfault in native code looks like to the pool
        return real(source, *args, **kwargs)

    monkeypatch.setattr(runner, "check_bytes", crashing)  # inherited by the forked workers
    code, out, err = run(capsys, "check", "--jobs", "2", cwd=tmp_path)
    assert code == 2
    assert "a checker process died" in err and "--jobs 1" in err
    assert "Traceback" not in err
    if pool_kind == "fork-pool":  # it knows which file the worker was checking
        assert "(exit code 3) while checking " in err and err.rstrip().count("m05.py") == 1, err


def test_a_big_tree_checked_in_parallel_finds_what_one_process_finds(tmp_path, capsys, monkeypatch):
    """A cold run on several processes hands the walk to a child, which also scans the
    project for RL308's `include_router` mounts (server/background_discovery.py,
    analyzers/project_scans.py): the findings are those of a run in one process."""
    import shutil

    monkeypatch.setattr(runner, "PARALLEL_MIN_BYTES", 0)
    shutil.copytree(Path(__file__).parent / "fixtures" / "RL308" / "python", tmp_path / "proj")
    for i in range(40):  # enough Python files for the walk to be handed over
        (tmp_path / "proj" / "app" / f"filler{i}.py").write_bytes(PRINT_PY)
    one = json.loads(run(capsys, "check", "--no-cache", "--output-format", "json", "--jobs", "1", cwd=tmp_path)[1])
    import time

    from reviewlens.server import cli

    warm = cli._warm_queries
    monkeypatch.setattr(cli, "_warm_queries", lambda suffix: time.sleep(0.2) or warm(suffix))  # the child has time
    published: list = []
    real_run = cli._run

    def checked(*a):
        out = real_run(*a)
        published.append(a[-1]())  # the answers handed on, as published by the discovery child
        return out

    monkeypatch.setattr(cli, "_run", checked)
    two = json.loads(run(capsys, "check", "--no-cache", "--output-format", "json", "--jobs", "2", cwd=tmp_path)[1])
    listings, words = published[0]  # the listings and `include_router` answers found ahead
    assert any(key[1] == (".py",) for key in listings) and any(w for w in words.values())
    assert one["findings"] == two["findings"]
    codes = {f["code"] for f in one["findings"]}
    assert {"RL308", "RL101"} <= codes
    flagged = {f["path"].replace(os.sep, "/") for f in one["findings"] if f["code"] == "RL308"}
    assert not any("ok_mounted" in p for p in flagged)  # guarded where another file mounts them


def test_a_cold_cache_walks_in_the_background_and_a_warm_one_here(tmp_path, capsys, monkeypatch):
    """With the result cache, a run with nothing stored yet compiles while discovery walks
    (as a run without the cache does); one that may find its results walks in this
    process and compiles nothing. The findings are the same either way."""
    from reviewlens.server import background_discovery

    monkeypatch.setattr(runner, "PARALLEL_MIN_BYTES", 0)
    for i in range(40):
        (tmp_path / f"m{i}.py").write_bytes(PRINT_PY)
    calls: list[int] = []
    real = background_discovery.discover_while
    monkeypatch.setattr(background_discovery, "discover_while", lambda *a, **k: calls.append(1) or real(*a, **k))
    cold = json.loads(run(capsys, "check", "--output-format", "json", "--jobs", "2", cwd=tmp_path)[1])
    assert calls == [1]
    warm = json.loads(run(capsys, "check", "--output-format", "json", "--jobs", "2", cwd=tmp_path)[1])
    assert calls == [1] and warm["findings"] == cold["findings"] and len(cold["findings"]) == 40
