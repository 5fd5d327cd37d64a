"""The warm path of the result cache: byte-identical output to a cold run in every format,
no engine import when nothing changed, and correct answers after config, file and
dependency changes. (tests/test_cache.py covers reuse and invalidation basics.)"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

PRINT_PY = 'def handler_{i}(x):\n    print("got", x)\n    return x\n'
CLEAN_PY = "def handler_{i}(x):\n    return x\n"
BROKEN_PY = "def broken(:\n    print('x')\n"
# Invalid UTF-8 in a comment, and a finding after it (columns are counted in characters).
LATIN1_PY = b"# caf\xe9\nprint('x')\n"
TS = 'export function f(token: string) {\n  console.log("t\xe9st", token);\n}\n'
EMOJI_PY = 'def f():\n    print("\U0001F600", "x")\n'


def run(root: Path, *args: str) -> tuple[int, str, str]:
    """`reviewlens check` in a fresh interpreter (as users run it), from `root`."""
    proc = subprocess.run([sys.executable, "-m", "reviewlens.server.entry", "check", "--no-progress", *args],
                          cwd=root, capture_output=True, text=True, env={**os.environ, "NO_COLOR": "1"})
    return proc.returncode, proc.stdout, proc.stderr


def age(root: Path) -> None:
    """Make every file look written a while ago, so its stat signature is trusted."""
    past = time.time() - 60
    for p in root.rglob("*"):
        if p.is_file():
            os.utime(p, (past, past))


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    (root / "app").mkdir(parents=True)
    (root / "web").mkdir()
    (root / "pyproject.toml").write_text('[project]\nname = "proj"\n')
    for i in range(6):
        (root / "app" / f"m{i}.py").write_text((PRINT_PY if i % 2 == 0 else CLEAN_PY).format(i=i))
    (root / "app" / "broken.py").write_text(BROKEN_PY)
    (root / "app" / "latin1.py").write_bytes(LATIN1_PY)
    (root / "app" / "emoji.py").write_text(EMOJI_PY)
    (root / "web" / "page.ts").write_text(TS)
    (root / "web" / "package.json").write_text('{"name": "web", "dependencies": {"next": "15.0.0"}}\n')
    age(root)
    return root


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github"])
def test_warm_output_is_byte_identical_to_the_cold_run(tree: Path, fmt: str) -> None:
    extras = [(), ("--unsafe-fixes", "--verbose")]
    if fmt == "text":
        extras.append(("--statistics", "--select", "RL101,RL5"))
    for extra in extras:
        args = ("--output-format", fmt, *extra)
        uncached = run(tree, "--no-cache", *args)
        cold = run(tree, *args)
        warm = run(tree, *args)
        assert uncached == cold == warm, (fmt, extra)
    assert uncached[0] == 1 and "RL101" in uncached[1]
    if fmt == "text":
        assert "not valid UTF-8" in uncached[2]


def test_a_warm_run_imports_neither_engine_nor_rules_nor_tree_sitter(tree: Path) -> None:
    assert run(tree, "--output-format", "json")[0] == 1  # cold: fills the cache
    # SARIF's rule descriptions render every rule's docs: worked out by the first SARIF
    # report (not by a cold JSON run), then remembered in the cache.
    assert run(tree, "--output-format", "sarif")[0] == 1
    probe = (
        "import sys\n"
        "before = set(sys.modules)\n"
        "from reviewlens.server.entry import main\n"
        "code = main(sys.argv[1:])\n"
        "heavy = ('tree_sitter', 'reviewlens.analyzers.engine', 'reviewlens.analyzers.registry',\n"
        "         'reviewlens.analyzers.config', 'reviewlens.server.runner', 'pathspec', 'rich.console',\n"
        "         'importlib.metadata', 'dataclasses')\n"
        "print(sorted(m for m in heavy if m in sys.modules and m not in before), file=sys.stderr)\n"
        "sys.exit(code)\n"
    )
    for fmt in ("text", "json", "sarif", "github"):
        proc = subprocess.run([sys.executable, "-c", probe, "check", "--no-progress", "--output-format", fmt],
                              cwd=tree, capture_output=True, text=True)
        assert proc.returncode == 1, proc.stderr
        assert proc.stderr.strip().splitlines()[-1] == "[]", (fmt, proc.stderr)


def findings(root: Path, *args: str) -> list[tuple]:
    code, out, err = run(root, "--output-format", "json", "--exit-zero", *args)
    assert code == 0, err
    return sorted((f["path"], f["code"], f["location"]["line"]) for f in json.loads(out)["findings"])


def test_touched_but_unchanged_files_are_hits_and_edits_are_seen(tree: Path) -> None:
    cold = findings(tree)
    past = time.time() - 30
    os.utime(tree / "app" / "m0.py", (past, past))  # new mtime, same content
    assert findings(tree) == cold
    (tree / "app" / "m1.py").write_text(PRINT_PY.format(i=1))  # just written: a racy stat
    now = findings(tree)
    assert ("app/m1.py", "RL101", 2) in now and now == findings(tree, "--no-cache")
    (tree / "app" / "m1.py").write_text(CLEAN_PY.format(i=1) + "#\n")
    assert findings(tree) == findings(tree, "--no-cache") == cold


def test_config_changes_are_seen_by_the_cached_settings(tree: Path) -> None:
    cold = findings(tree)
    (tree / "app" / "reviewlens.toml").write_text('ignore = ["RL101"]\n')
    after = findings(tree)
    assert after == findings(tree, "--no-cache")
    assert not any(f[0].startswith("app/") and f[1] == "RL101" for f in after)
    (tree / "app" / "reviewlens.toml").write_text('ignore = ["RL999"]\n')  # invalid now
    code, _, err = run(tree, "--output-format", "json")
    assert code == 2 and "RL999" in err
    assert (code, err) == run(tree, "--output-format", "json", "--no-cache")[::2]
    (tree / "app" / "reviewlens.toml").unlink()
    assert findings(tree) == cold


def test_files_added_and_removed_are_seen(tree: Path) -> None:
    findings(tree)
    (tree / "app" / "m0.py").unlink()
    (tree / "app" / "new.py").write_text(PRINT_PY.format(i=9))
    assert findings(tree) == findings(tree, "--no-cache")


def test_the_cached_resolver_agrees_with_config_resolver(tmp_path: Path) -> None:
    from reviewlens.analyzers.config import ConfigResolver
    from reviewlens.server.cache import CachedResolver, _Meta

    root = tmp_path / "r"
    (root / "a" / "b" / "c").mkdir(parents=True)
    (root / "d").mkdir()
    (root / "pyproject.toml").write_text('[tool.reviewlens]\nignore = ["RL101"]\n')
    (root / "a" / "pyproject.toml").write_text('[project]\nname = "no table: passed over"\n')
    (root / "a" / "b" / "reviewlens.toml").write_text('exclude = ["gen/"]\n')
    (root / "a" / "b" / "pyproject.toml").write_text('[tool.reviewlens]\nselect = ["RL2"]\n')  # reviewlens.toml wins
    (root / "d" / "reviewlens.toml").write_text("respect-gitignore = false\n")
    age(root)
    folders = [root, root / "a", root / "a" / "b", root / "a" / "b" / "c", root / "d"]
    for round_ in range(2):  # parsed, then from the stored copy
        meta = _Meta(str(tmp_path / "cache"))
        cached = CachedResolver(meta)
        real = ConfigResolver()
        for folder in folders:
            record = cached.for_folder(str(folder))
            expected = real.for_path(str(folder / "x.py"))
            assert record.settings == expected, (round_, folder)
            assert record.respect_gitignore == expected.respect_gitignore and record.exclude == expected.exclude
        meta.save()


def test_copies_of_engine_constants_stay_equal() -> None:
    from reviewlens.analyzers import config, languages, model
    from reviewlens.server import cache, discovery, results

    assert cache.CONFIG_FILES == config.CONFIG_FILES
    assert discovery.ALWAYS_EXCLUDED_DIRS == config.ALWAYS_EXCLUDED_DIRS
    assert discovery._CONFIG_NAMES == set(config.CONFIG_FILES)
    assert discovery.SOURCE_SUFFIXES == set(languages.SUFFIX_GRAMMAR)
    assert results.APPLICABILITY_RANK == {str(a): int(a) for a in model.Applicability}
    for name in ("a.py", "A.PY", "x.tsx", ".py", "py", "a.", "a.txt", "b.d.ts", "c.mjs"):
        assert discovery.grammar_for_path(name) == (languages.grammar_for_path(name) is not None), name


def test_version_without_importlib_metadata_matches_it() -> None:
    from importlib.metadata import version as real

    from reviewlens.server.cli import _version_from_metadata_file

    assert _version_from_metadata_file() in (None, real("reviewlens"))


def test_display_path_fast_path_matches_relpath(tmp_path: Path) -> None:
    from reviewlens.server.results import display_path

    cwd = str(tmp_path)
    for p in (f"{cwd}/a.py", f"{cwd}/.hidden/b.py", f"{cwd}/x/../y.py", f"{cwd}/./z.py", f"{cwd}x/a.py", "/elsewhere/a.py"):
        rel = os.path.relpath(p, cwd)
        expected = os.path.abspath(p) if rel.startswith("..") else rel
        assert display_path(p, cwd) == expected, p


@pytest.mark.parametrize("cwd", ["/", "/srv/app", "/srv/app/", "/srv/./app", "/srv/.app"])
def test_the_cache_shows_paths_as_display_path_does(cwd: str) -> None:
    from reviewlens.server.cache import Session
    from reviewlens.server.results import Options, display_path

    session = Session(Options(cache_dir="/nonexistent/cache", cwd=cwd))
    base = cwd.rstrip("/")
    for p in (f"{base}/a.py", f"{base}/x/y.py", f"{base}/.hidden/b.py", f"{base}/x/../y.py", f"{base}/./z.py",
              f"{base}x/a.py", f"{base}", "/elsewhere/a.py", "/srv/app2/a.py", "/srv/ap", "//srv/app/a.py", "/a.py"):
        assert session._shown(p) == display_path(p, cwd), (cwd, p)


def test_signed_listing_matches_the_workspace_and_sees_new_files(tmp_path: Path) -> None:
    from reviewlens.analyzers.workspace import FileSystemWorkspace
    from reviewlens.server.cache import RecordingWorkspace, SignedWorkspace, _Deps

    root = tmp_path / "w"
    for folder in ("a/b", "node_modules/x", ".hidden", "c"):
        (root / folder).mkdir(parents=True)
    for name in ("a/one.py", "a/b/two.py", "node_modules/x/skip.py", ".hidden/skip.py", "c/three.py", "c/note.txt"):
        (root / name).write_text("x = 1\n")
    age(root)
    past = time.time() - 60
    for d in [root, *root.rglob("*")]:
        if d.is_dir():
            os.utime(d, (past, past))
    for limit in (5000, 2):
        assert SignedWorkspace([str(root)]).list_files(str(root), (".py",), limit) == \
            FileSystemWorkspace([str(root)]).list_files(str(root), (".py",), limit)

    recording = RecordingWorkspace(SignedWorkspace([str(root)]))
    recording.list_files(str(root), (".py",), 3000)
    (key, value), = recording.deps.items()
    sig = recording.snapshot()[1][key]
    walked, _started = sig
    deps = ((key, value, walked),)
    assert _Deps(FileSystemWorkspace([str(root)])).unchanged(deps)
    (root / "a" / "b" / "new.py").write_text("y = 2\n")
    assert not _Deps(FileSystemWorkspace([str(root)])).unchanged(deps)
    (root / "a" / "b" / "new.py").unlink()
    assert _Deps(FileSystemWorkspace([str(root)])).unchanged(((key, value, None),))  # same answer again


def test_stable_workspace_walks_a_folder_once(tmp_path, monkeypatch) -> None:
    """A batch run's workspace (stable=True) lists a folder once and answers from memory;
    invalidate() (a file created or deleted) forgets the listings; an editor's workspace
    walks every time."""
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "a.py").write_text("x = 1\n")
    from reviewlens.analyzers.workspace import FileSystemWorkspace
    from reviewlens.server.cache import SignedWorkspace

    walks = []
    real_walk = os.walk
    monkeypatch.setattr(os, "walk", lambda *a, **k: (walks.append(a[0]), real_walk(*a, **k))[1])
    for cls in (FileSystemWorkspace, SignedWorkspace):
        walks.clear()
        ws = cls([str(tmp_path)], stable=True)
        first = ws.list_files(str(tmp_path), (".py",), 100)
        first.append("caller's own list")  # a caller may mutate what it got back
        (tmp_path / "pkg" / "b.py").write_text("y = 2\n")
        assert ws.list_files(str(tmp_path), (".py",), 100) == [str(tmp_path / "pkg" / "a.py")]
        assert len(walks) == 1
        ws.invalidate(str(tmp_path / "pkg" / "b.py"))
        assert ws.list_files(str(tmp_path), (".py",), 100) == [str(tmp_path / "pkg" / n) for n in ("a.py", "b.py")]
        assert len(walks) == 2
        (tmp_path / "pkg" / "b.py").unlink()
    walks.clear()
    live = FileSystemWorkspace([str(tmp_path)])
    live.list_files(str(tmp_path), (".py",), 100)
    live.list_files(str(tmp_path), (".py",), 100)
    assert len(walks) == 2


def test_plain_text_rendering_equals_rich_rendering() -> None:
    """The plain writer (no rich console) prints exactly what rich's Text would."""
    from reviewlens.server.output.text import render_diagnostic, render_plain
    from reviewlens.server.results import Diagnostic, FixOut, Loc

    cases = [
        Diagnostic("RL101", "debug-print", "print() left in", "warning", "a.py", Loc(2, 5), Loc(2, 15), 10, 20,
                   ("    print('x')\n",), FixOut("remove", "safe", ()), (), True),
        Diagnostic("RL201", "blocking-call-in-async", "blocks", "error", "b.py", Loc(3, 2), Loc(9, 4), 0, 99,
                   ("\tx = call(\n", "\t\t)  # 😀 done\n")),
        Diagnostic("RL102", "n", "m", "info", "c.ts", Loc(10, 1), Loc(11, 1), 0, 5, ("const 値 = 1;\r\n",)),
        Diagnostic("RL103", "n", "m", "warning", "d.ts", Loc(1, 3), Loc(1, 3), 2, 2, ()),
    ]
    for d in cases:
        for show in (True, False):
            assert render_plain(d, show_source=show) == render_diagnostic(d, show_source=show).plain


def test_signed_reads_are_trusted_only_while_the_stat_is_unchanged(tmp_path: Path) -> None:
    from reviewlens.analyzers.workspace import FileSystemWorkspace
    from reviewlens.server.cache import RecordingWorkspace, SignedWorkspace, _Deps, _racy

    dep = tmp_path / "package.json"
    dep.write_text('{"dependencies": {"next": "15"}}\n')
    past = time.time() - 60
    os.utime(dep, (past, past))
    recording = RecordingWorkspace(SignedWorkspace([str(tmp_path)]))
    recording.read_text(str(dep))
    deps, sigs = recording.snapshot()
    (key, value), = deps.items()
    mtime, size, seen = sigs[key]
    assert not _racy(mtime, seen)
    entry = ((key, value, (mtime, size)),)
    assert _Deps(FileSystemWorkspace([str(tmp_path)])).unchanged(entry)
    dep.write_text('{"dependencies": {"vite": "15"}}\n')  # same size, new content
    assert not _Deps(FileSystemWorkspace([str(tmp_path)])).unchanged(entry)
    dep.write_text('{"dependencies": {"next": "15"}}\n')  # back: new stat, same digest
    assert _Deps(FileSystemWorkspace([str(tmp_path)])).unchanged(entry)
    # Just written: a stat taken now is racy and must not be trusted.
    assert _racy(dep.stat().st_mtime_ns, time.time_ns())
