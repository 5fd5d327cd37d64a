"""The result cache of `reviewlens check`: a second run of an unchanged tree reuses the
stored findings, and the results stay correct when a file, a file the analysis depended on
(package.json) or the rule selection changes. Speed is measured in bench/cache_speed.py,
not here."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from reviewlens.server import cache as cache_mod, runner
from reviewlens.server.cli import main

PRINT_PY = 'def handler_{i}(x):\n    print("got", x)\n    return x\n'
CLEAN_PY = "def handler_{i}(x):\n    return x\n"
# RL402 fires only when the nearest package.json says the project renders on the server.
BROWSER_TS = "export const width = window.innerWidth;\n"
NEXT_PACKAGE = '{"name": "web", "dependencies": {"next": "15.0.0", "react": "19.0.0"}}\n'
PLAIN_PACKAGE = '{"name": "web", "dependencies": {"react": "19.0.0"}}\n'


def check(capsys, root: Path, *extra: str) -> dict:
    old = os.getcwd()
    os.chdir(root)
    try:
        code = main(["check", "--output-format", "json", "--no-progress", "--exit-zero", *extra, "."])
    finally:
        os.chdir(old)
    out, _ = capsys.readouterr()
    assert code == 0
    return json.loads(out)


def keys(report: dict) -> list[tuple]:
    return sorted((f["path"], f["code"], f["location"]["line"], f["location"]["column"], f["message"])
                  for f in report["findings"])


@pytest.fixture(autouse=True)
def _through_the_pool(monkeypatch):
    """Small files, but through the worker processes like a real project's run."""
    monkeypatch.setattr(runner, "PARALLEL_MIN_BYTES", 0)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    (root / "app").mkdir(parents=True)
    (root / "pyproject.toml").write_text('[project]\nname = "proj"\n')
    # Enough files that the run goes through the worker processes (PARALLEL_THRESHOLD).
    for i in range(30):
        text = PRINT_PY if i % 3 == 0 else CLEAN_PY
        (root / "app" / f"m{i:02d}.py").write_text(text.format(i=i))
    return root


def entries(cache_dir: Path) -> int:
    total = 0
    for f in cache_dir.rglob("[!m]*.marshal"):
        total += len(cache_mod.ResultCache(f.parent.parent, f.stem).entries)
    return total


def test_second_run_reuses_the_cache_and_matches_the_cold_run(capsys, tree: Path, monkeypatch) -> None:
    cold = check(capsys, tree)
    assert (tree / ".reviewlens_cache").is_dir(), "default cache folder at the project root"
    assert entries(tree / ".reviewlens_cache") == 30
    assert len(cold["findings"]) == 10

    # A warm run must not analyse anything: make the engine fail loudly if it is called.
    from reviewlens.server import runner

    def boom(*args, **kwargs):
        raise AssertionError("a cached file was analysed again")

    monkeypatch.setattr(runner, "_check_files", lambda paths, *a, **k: [] if not paths else boom())
    warm = check(capsys, tree)
    assert keys(warm) == keys(cold)
    assert warm["summary"]["files_checked"] == 30


def test_a_changed_file_is_checked_again_and_the_others_come_from_the_cache(capsys, tree: Path) -> None:
    cold = check(capsys, tree)
    (tree / "app" / "m01.py").write_text(PRINT_PY.format(i=1))  # was clean
    (tree / "app" / "m00.py").write_text(CLEAN_PY.format(i=0))  # had a print
    after = check(capsys, tree)
    flagged = {Path(k[0]).name for k in keys(after) if k[1] == "RL101"}
    assert "m01.py" in flagged and "m00.py" not in flagged
    assert len(after["findings"]) == len(cold["findings"])
    # And exactly what a cache-less run reports.
    assert keys(after) == keys(check(capsys, tree, "--no-cache"))


def test_a_changed_dependency_invalidates_the_entry(capsys, tmp_path: Path) -> None:
    root = tmp_path / "web"
    (root / "lib").mkdir(parents=True)
    (root / "package.json").write_text(NEXT_PACKAGE)
    (root / "lib" / "size.ts").write_text(BROWSER_TS)
    first = check(capsys, root)
    assert [k[1] for k in keys(first)] == ["RL402"]
    (root / "package.json").write_text(PLAIN_PACKAGE)  # no longer server-rendered
    second = check(capsys, root)
    assert keys(second) == [], "the finding depended on package.json, which changed"
    (root / "package.json").write_text(NEXT_PACKAGE)
    assert [k[1] for k in keys(check(capsys, root))] == ["RL402"]


def test_rule_selection_is_part_of_the_key(capsys, tree: Path) -> None:
    check(capsys, tree)
    only_other = check(capsys, tree, "--select", "RL502")
    assert only_other["findings"] == []
    assert len(check(capsys, tree)["findings"]) == 10


def test_no_cache_neither_reads_nor_writes(capsys, tree: Path) -> None:
    check(capsys, tree, "--no-cache")
    assert not (tree / ".reviewlens_cache").exists()


def test_cache_dir_option_and_fix_runs_bypass_the_cache(capsys, tree: Path, tmp_path: Path) -> None:
    where = tmp_path / "elsewhere"
    report = check(capsys, tree, "--cache-dir", str(where))
    assert entries(where) == 30 and not (tree / ".reviewlens_cache").exists()
    assert len(report["findings"]) == 10
    # A corrupt cache file is ignored, never fatal.
    for f in where.rglob("*.marshal"):
        f.write_bytes(b"not a marshal file")
    assert len(check(capsys, tree, "--cache-dir", str(where))["findings"]) == 10


def test_a_project_scan_answer_that_changes_invalidates_the_entry(capsys, tmp_path: Path) -> None:
    """RL308 asks every Python file of the project whether it holds `include_router`
    (Workspace.contains_all): each answer is a dependency of the route file's entry,
    revalidated by the file's stat, and a changed answer means a fresh check."""
    import shutil

    root = tmp_path / "proj"
    shutil.copytree(Path(__file__).parent / "fixtures" / "RL308" / "python", root)
    for i in range(30):  # through the worker processes
        (root / "app" / f"filler{i:02d}.py").write_text(CLEAN_PY.format(i=i))
    main_py = root / "app" / "main.py"
    mounted = "app/api/v1/ok_mounted_users.py"

    def rl308_paths(report: dict) -> set[str]:
        return {f["path"].replace(os.sep, "/") for f in report["findings"] if f["code"] == "RL308"}

    first = check(capsys, root)
    assert mounted not in rl308_paths(first)  # guarded by main.py's include_router(..., dependencies=...)
    assert keys(check(capsys, root)) == keys(first)  # warm, from the cache
    main_py.write_text(main_py.read_text().replace("include_router", "attach_router"))  # no mount left
    second = check(capsys, root)
    assert mounted in rl308_paths(second)
    assert keys(second) == keys(check(capsys, root, "--no-cache"))
    main_py.write_text(main_py.read_text().replace("attach_router", "include_router"))
    assert keys(check(capsys, root)) == keys(first)
