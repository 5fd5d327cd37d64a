"""The result cache reuses a walk of the tree while nothing it depended on changed
(server/cache.py Session.reuse_walk, discovery.WalkRecord): the files found must always be
those a fresh walk finds, after files, folders, configs and ignore files come, go or
change, here and above the root."""

from __future__ import annotations

import io
import json
import os
import time
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from reviewlens.analyzers.config import ConfigResolver
from reviewlens.server import cache as cache_mod, cli
from reviewlens.server.discovery import WalkRecord, discover

PRINT_PY = 'print("x")\n'


def age(root: Path) -> None:
    """Files and folders written a minute ago: old enough for their mtimes to be trusted."""
    past = time.time() - 60
    for p in sorted(root.rglob("*"), key=lambda q: -len(q.parts)) + [root]:
        os.utime(p, (past, past), follow_symlinks=False)


def files_of(root: Path, cache_dir: Path, *extra: str) -> tuple[list[str], bool]:
    """(the files the run reported on, whether it walked the tree), through the CLI."""
    listed: list[str] = []
    real = os.scandir

    def spy(path=None):
        listed.append(str(path))
        return real(path)

    os.scandir = spy
    out = io.StringIO()
    try:
        with redirect_stdout(out), redirect_stderr(io.StringIO()):
            cli.main(["check", "--output-format", "json", "--no-progress", "--exit-zero", "--jobs", "1",
                      "--cache-dir", str(cache_dir), *extra, str(root)])
    finally:
        os.scandir = real
    doc = json.loads(out.getvalue())
    walked = any(p.startswith(str(root)) for p in listed)
    return sorted(os.path.relpath(f["path"], root) if os.path.isabs(f["path"]) else f["path"]
                  for f in doc["findings"]), walked


def fresh(root: Path, *paths: str) -> list[str]:
    return sorted(os.path.relpath(f, root) for f in discover([str(root), *paths], ConfigResolver()).files)


@pytest.fixture
def project(tmp_path: Path) -> tuple[Path, Path]:
    root = tmp_path / "proj"
    for folder in ("app", "app/api", "web"):
        (root / folder).mkdir(parents=True)
        (root / folder / "m.py").write_text(PRINT_PY)
    age(tmp_path)
    return root, tmp_path / "cache"


def test_an_unchanged_tree_is_not_walked_again(project, monkeypatch):
    root, cache_dir = project
    first, walked = files_of(root, cache_dir)
    assert walked and len(first) == 3
    again, walked = files_of(root, cache_dir)
    assert again == first and not walked


@pytest.mark.parametrize("change", [
    "add file", "remove file", "add folder", "rename folder", "exclude by config", "change root config",
    "gitignore added", "gitignore changed", "config above the root", "pyproject above the root",
    "git above the root", "config in an excluded folder",
])
def test_every_change_the_walk_depends_on_is_seen(project, change):
    root, cache_dir = project
    if change == "gitignore changed":
        (root / ".git").mkdir()
        (root / ".gitignore").write_text("nothing/\n")
        age(root.parent)
    if change == "config in an excluded folder":
        (root / "reviewlens.toml").write_text('exclude = ["web/"]\n')
        age(root.parent)
    files_of(root, cache_dir)
    assert not files_of(root, cache_dir)[1]  # reused before the change
    if change == "add file":
        (root / "app" / "api" / "new.py").write_text(PRINT_PY)
    elif change == "remove file":
        (root / "app" / "api" / "m.py").unlink()
    elif change == "add folder":
        (root / "app" / "jobs").mkdir()
        (root / "app" / "jobs" / "m.py").write_text(PRINT_PY)
    elif change == "rename folder":
        (root / "app" / "api").rename(root / "app" / "routes")
    elif change == "exclude by config":
        (root / "app" / "reviewlens.toml").write_text('exclude = ["api/"]\n')
    elif change == "change root config":
        (root / "reviewlens.toml").write_text("")
        age(root.parent)
        files_of(root, cache_dir)
        (root / "reviewlens.toml").write_text('exclude = ["web/"]\n')
    elif change == "gitignore added":
        (root / ".git").mkdir()
        (root / ".gitignore").write_text("web/\n")
    elif change == "gitignore changed":
        (root / ".gitignore").write_text("web/\n")
    elif change == "config above the root":
        (root.parent / "reviewlens.toml").write_text('exclude = ["proj/web/"]\n')
    elif change == "pyproject above the root":
        (root.parent / "pyproject.toml").write_text('[tool.reviewlens]\nexclude = ["proj/app/"]\n')
    elif change == "git above the root":
        (root.parent / ".git").mkdir()
        (root.parent / ".gitignore").write_text("proj/app/api/\n")
    elif change == "config in an excluded folder":
        (root / "web" / "reviewlens.toml").write_text("")  # its own config: judged by it, not excluded
    got, walked = files_of(root, cache_dir)
    assert walked, "the change must make the run walk again"
    assert got == fresh(root), change
    age(root.parent)
    assert files_of(root, cache_dir) == (got, True)  # stored again, now that it is old enough
    assert files_of(root, cache_dir) == (got, False)


def test_a_walk_is_kept_per_command_line(project):
    root, cache_dir = project
    files_of(root, cache_dir)
    assert files_of(root / "app", cache_dir)[1]  # another root: its own walk
    assert not files_of(root, cache_dir)[1] and not files_of(root / "app", cache_dir)[1]
    explicit = str(root / "web" / "m.py")
    assert files_of(root, cache_dir, explicit)[1] and files_of(root, cache_dir, explicit)[1]  # a file: never kept


def test_a_walk_of_a_tree_that_just_changed_is_not_kept(tmp_path):
    """A folder whose mtime is within a timestamp tick of the walk could change again
    unseen: such a walk is not stored."""
    root = tmp_path / "proj"
    (root / "app").mkdir(parents=True)
    (root / "app" / "m.py").write_text(PRINT_PY)  # just now
    cache_dir = tmp_path / "cache"
    assert files_of(root, cache_dir)[1] and files_of(root, cache_dir)[1]
    age(tmp_path)
    assert files_of(root, cache_dir)[1] and not files_of(root, cache_dir)[1]


def test_a_damaged_stored_walk_means_a_walk(project):
    root, cache_dir = project
    files_of(root, cache_dir)
    session = cache_mod.Session(cache_mod.Options(cache_dir=str(cache_dir), roots=(str(root),)))
    (key,) = session.meta.data["walks"]
    for damaged in [("x",), (("a",), ((1, 2),), (), ()), (("a",), (("/", "not a number"),), (), ())]:
        session.meta.data["walks"][key] = damaged
        assert session.reuse_walk([str(root)], False) is None


def test_the_record_lists_what_the_walk_looked_at(project):
    root, _ = project
    (root / "app" / "reviewlens.toml").write_text("")
    record = WalkRecord()
    discover([str(root)], ConfigResolver(), record=record)
    assert {str(root), str(root / "app"), str(root / "app" / "api"), str(root / "web")} <= set(record.folders)
    assert str(root / "app" / "reviewlens.toml") in record.files
    assert str(root.parent / "pyproject.toml") in record.files and str(root.parent / ".git") in record.present
    assert record.usable
    record = WalkRecord()
    discover([str(root), str(root / "missing")], ConfigResolver(), record=record)
    assert not record.usable


def test_walks_through_symlinked_files_or_unreadable_folders_are_not_kept(project):
    """Their answer can change with no folder's mtime changing: a link's target comes and
    goes, a folder's permissions change."""
    root, cache_dir = project
    (root / "web" / "link.py").symlink_to(root / "app" / "m.py")
    age(root.parent)
    assert files_of(root, cache_dir)[1] and files_of(root, cache_dir)[1]
    (root / "web" / "link.py").unlink()
    locked = root / "locked"
    locked.mkdir()
    (locked / "m.py").write_text(PRINT_PY)
    locked.chmod(0)
    age(root.parent)
    try:
        if os.geteuid() != 0:  # root lists anything
            assert files_of(root, cache_dir)[1] and files_of(root, cache_dir)[1]
    finally:
        locked.chmod(0o755)


def test_the_config_given_on_the_command_line_is_a_dependency_of_the_walk(project):
    root, cache_dir = project
    override = root.parent / "ci.toml"
    override.write_text("")
    age(root.parent)
    files_of(root, cache_dir, "--config", str(override))
    assert not files_of(root, cache_dir, "--config", str(override))[1]
    override.write_text('exclude = ["proj/web/"]\n')
    got, walked = files_of(root, cache_dir, "--config", str(override))
    assert walked and "web/m.py" not in got and len(got) == 2
