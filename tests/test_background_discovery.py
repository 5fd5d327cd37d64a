"""server/background_discovery.py: the walk of a cold parallel run in a child process,
while the parent compiles the queries it hints at. Its answer must be exactly an
in-process `discover`'s; any failure of the child falls back to one; nothing is left
running."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from reviewlens.analyzers.config import ConfigError, ConfigResolver
from reviewlens.server import background_discovery as bg
from reviewlens.server.discovery import discover

pytestmark = pytest.mark.skipif(not bg.available(), reason="needs fork")


def _tree(root: Path) -> None:
    for i in range(30):
        (root / "api" / f"pkg{i % 3}").mkdir(parents=True, exist_ok=True)
        (root / "api" / f"pkg{i % 3}" / f"m{i}.py").write_text("x = 1\n" * (i + 1))
    (root / "web").mkdir()
    for i in range(20):
        (root / "web" / f"c{i}.tsx").write_text("export const a = 1;\n")
    (root / "web" / "notes.txt").write_text("not code")
    (root / "node_modules" / "dep").mkdir(parents=True)
    (root / "node_modules" / "dep" / "index.js").write_text("x")
    (root / "api" / "reviewlens.toml").write_text('extend-exclude = ["pkg2/"]\n')
    (root / "one.py").write_text("print(1)\n")


def test_same_answer_as_discover_with_sizes_and_the_configs_learnt(tmp_path, no_leftovers):
    _tree(tmp_path)
    paths = [str(tmp_path), str(tmp_path / "one.py"), str(tmp_path / "missing"), str(tmp_path / "web" / "notes.txt")]
    expected = discover(paths, ConfigResolver())
    warmed: list[str] = []
    resolver = ConfigResolver()
    got = bg.discover_while(paths, resolver, warmed.append)
    assert (got.files, got.missing, got.unsupported) == (expected.files, expected.missing, expected.unsupported)
    assert not any("/pkg2/" in f for f in got.files) and len(got.files) == 20 + 20 + 1
    assert got.sizes == [os.path.getsize(f) for f in got.files]
    assert set(warmed) <= {".py", ".tsx"}  # hints only while the child walked: maybe none
    # The child's config answers are this resolver's now: no file is read again.
    api = str(tmp_path / "api" / "pkg0")
    assert resolver._by_folder[api].exclude == ConfigResolver().for_path(api).exclude


def test_hints_name_the_suffixes_of_many_files(tmp_path, no_leftovers, monkeypatch):
    """A slow walk (every folder's settings take a while) leaves time for the hints."""
    _tree(tmp_path)
    real = ConfigResolver.for_path

    def slow(self, path):
        import time

        time.sleep(0.002)
        return real(self, path)

    monkeypatch.setattr(ConfigResolver, "for_path", slow)
    warmed: list[str] = []
    got = bg.discover_while([str(tmp_path)], ConfigResolver(), warmed.append, prepare=lambda: warmed.append("prepared"))
    assert warmed[0] == "prepared" and len(got.files) == 41
    assert warmed[1:] and set(warmed[1:]) <= {".py", ".tsx"} and len(set(warmed[1:])) == len(warmed[1:])


def test_a_broken_config_raises_as_discover_does(tmp_path, no_leftovers):
    _tree(tmp_path)
    (tmp_path / "web" / "reviewlens.toml").write_text("select = [\n")
    with pytest.raises(ConfigError) as in_process:
        discover([str(tmp_path)], ConfigResolver())
    with pytest.raises(ConfigError) as background:
        bg.discover_while([str(tmp_path)], ConfigResolver(), lambda suffix: None)
    assert str(background.value) == str(in_process.value)


@pytest.mark.parametrize("how", ["exit", "garbage", "short"])
def test_a_child_that_fails_is_replaced_by_a_walk_here(tmp_path, no_leftovers, monkeypatch, how):
    _tree(tmp_path)

    def answer(walk, found, resolver, ahead):
        if how == "garbage":
            os.write(walk.pipe, b"Zzz")
        elif how == "short":
            os.write(walk.pipe, b"H.tsx\nD" + bg._LENGTH.pack(1000) + b"abc")
        os._exit(3)

    monkeypatch.setattr(bg, "_answer", answer)
    got = bg.discover_while([str(tmp_path)], ConfigResolver(), lambda suffix: None)
    assert got.files == discover([str(tmp_path)], ConfigResolver()).files and got.sizes is None


def test_a_child_whose_answer_raises_ends_there(tmp_path, no_leftovers, monkeypatch):
    """Never returns into the caller's code in the child (it would run on as a copy of it)."""
    _tree(tmp_path)
    monkeypatch.setattr(bg, "_answer", lambda *a: 1 / 0)
    me = os.getpid()
    got = bg.discover_while([str(tmp_path)], ConfigResolver(), lambda suffix: None)
    assert os.getpid() == me and len(got.files) == 41 and got.sizes is None


def test_a_small_tree_is_walked_here(tmp_path, no_leftovers, monkeypatch):
    for i in range(bg.FIRST_HINT - 1):
        (tmp_path / f"m{i}.py").write_text("x = 1\n")
        (tmp_path / f"c{i}.ts").write_text("x;\n")
    forks: list[int] = []
    real = os.fork
    monkeypatch.setattr(os, "fork", lambda: forks.append(1) or real())
    warmed: list[str] = []
    got = bg.discover_while([str(tmp_path)], ConfigResolver(), warmed.append, prepare=lambda: warmed.append("x"))
    assert not forks and not warmed and len(got.files) == 2 * (bg.FIRST_HINT - 1) and got.sizes is None
    (tmp_path / "m99.py").write_text("x = 1\n")  # the 16th Python file: the walk is handed over
    got = bg.discover_while([str(tmp_path)], ConfigResolver(), warmed.append, prepare=lambda: warmed.append("x"))
    assert forks == [1] and warmed[:1] == ["x"] and len(got.files) == 2 * bg.FIRST_HINT - 1


def test_an_error_while_warming_ends_the_child(tmp_path, no_leftovers, monkeypatch):
    _tree(tmp_path)

    def boom():
        raise RuntimeError("a query failed to compile")

    with pytest.raises(RuntimeError, match="failed to compile"):
        bg.discover_while([str(tmp_path)], ConfigResolver(), lambda suffix: None, prepare=boom)


def test_answers_found_ahead_come_back_when_ready_and_are_never_waited_for(tmp_path, no_leftovers):
    import time

    _tree(tmp_path)

    def slow_warm(suffix):
        time.sleep(0.3)

    got = bg.discover_while([str(tmp_path)], ConfigResolver(), slow_warm, ahead=lambda files: ("ahead", len(files)))
    assert got.known == ("ahead", len(got.files))

    def slow_ahead(files):
        time.sleep(3)
        return "late"

    started = time.monotonic()
    got = bg.discover_while([str(tmp_path)], ConfigResolver(), lambda suffix: None, ahead=slow_ahead)
    assert got.known is None and len(got.files) == 41 and time.monotonic() - started < 2

    def broken(files):
        raise RuntimeError("boom")

    got = bg.discover_while([str(tmp_path)], ConfigResolver(), slow_warm, ahead=broken)
    assert got.known is None and len(got.files) == 41


def test_the_first_hint_is_warmed_even_after_the_walk_ended(tmp_path, no_leftovers, monkeypatch):
    """The main grammar's query is compiled here before the run goes on, whether or not
    the child finished first (then the later hints are dropped)."""
    _tree(tmp_path)
    monkeypatch.setattr(bg, "_ready", lambda fd: True)  # as if the child were always done
    warmed: list[str] = []
    got = bg.discover_while([str(tmp_path)], ConfigResolver(), warmed.append)
    assert warmed == [".py"] and len(got.files) == 41


def test_a_cold_parallel_run_defines_its_types_without_dataclasses(tmp_path):
    """The parent of a batch run is its serial path: the engine's records are plain
    classes (analyzers/records.py), so neither dataclasses nor inspect (~5 ms, plus
    ~0.6 ms a decorated class) is imported there, nor in the discovery child."""
    import subprocess
    import sys

    for i in range(40):
        (tmp_path / f"m{i}.py").write_text(f"def f{i}():\n    print({i})\n")
    probe = (
        "import os, sys\n"
        "from reviewlens.server import runner\n"
        "runner.PARALLEL_MIN_BYTES = 0\n"
        "from reviewlens.server.entry import main\n"
        "code = main(sys.argv[1:])\n"
        "print(sorted(m for m in ('dataclasses', 'inspect') if m in sys.modules), file=sys.stderr)\n"
        "sys.exit(code)\n"
    )
    proc = subprocess.run([sys.executable, "-c", probe, "check", "--no-cache", "--jobs", "2", "--output-format", "json",
                           "--no-progress", str(tmp_path)], capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.strip().splitlines()[-1] == "[]", proc.stderr
