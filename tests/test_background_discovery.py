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

    def answer(walk, found, resolver, *rest):
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


def _when_published(answers, seconds: float = 5.0):
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = answers()
        if value is not None:
            return value
        time.sleep(0.01)
    return None


def test_answers_found_ahead_are_published_for_later_forks_and_never_waited_for(tmp_path, no_leftovers):
    import pickle
    import time

    _tree(tmp_path)
    got = bg.discover_while([str(tmp_path)], ConfigResolver(), lambda suffix: None, ahead=lambda files: ("ahead", len(files)))
    try:
        # A process forked after discovery (as the run's workers are) sees them too.
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.write(write_end, pickle.dumps(_when_published(got.known)))
            os._exit(0)
        os.close(write_end)
        assert pickle.loads(os.read(read_end, 1 << 16)) == ("ahead", 41)
        os.close(read_end)
        os.waitpid(pid, 0)
        assert _when_published(got.known) == ("ahead", len(got.files))
        assert pickle.loads(pickle.dumps(got.known)) == ("ahead", 41)  # for a pool that pickles its arguments
    finally:
        got.known.close()

    def slow_ahead(files):
        time.sleep(3)
        return "late"

    started = time.monotonic()
    got = bg.discover_while([str(tmp_path)], ConfigResolver(), lambda suffix: None, ahead=slow_ahead)
    assert got.known() is None and len(got.files) == 41
    got.known.close()  # ends the child still at them
    assert time.monotonic() - started < 2

    def broken(files):
        raise RuntimeError("boom")

    got = bg.discover_while([str(tmp_path)], ConfigResolver(), lambda suffix: None, ahead=broken)
    assert _when_published(got.known, 0.5) is None and len(got.files) == 41
    got.known.close()


def test_a_small_tree_has_no_answers_ahead(tmp_path, no_leftovers):
    (tmp_path / "m.py").write_text("x = 1\n")
    got = bg.discover_while([str(tmp_path)], ConfigResolver(), lambda suffix: None, ahead=lambda files: "never")
    assert got.known is None and len(got.files) == 1


def test_published_answers_are_trusted_only_whole():
    answers = bg.AheadAnswers()
    try:
        assert answers() is None
        answers.publish({"a": [1, 2]})
        header = bytes(answers._page[:answers._HEADER.size])
        answers._page[answers._HEADER.size] ^= 0xFF  # a page whose payload is not the one announced
        assert answers() is None
        answers._page[answers._HEADER.size] ^= 0xFF
        assert bytes(answers._page[:answers._HEADER.size]) == header and answers() == {"a": [1, 2]}
    finally:
        answers.close()
    too_big = bg.AheadAnswers()
    try:
        too_big.publish(b"x" * too_big.SIZE)
        assert too_big() is None
    finally:
        too_big.close()
    assert too_big() is None  # closed: nothing


def test_a_workspace_takes_answers_that_come_later(tmp_path):
    from reviewlens.analyzers.workspace import FileSystemWorkspace, known_ahead

    for i in range(3):
        (tmp_path / f"m{i}.py").write_text("app.include_router(r)\n" if i == 1 else "x = 1\n")
    real = known_ahead([str(tmp_path)], [bg_scan()])
    fake = ({k: v + [str(tmp_path / "only-known.py")] for k, v in real[0].items()}, dict(real[1]))
    box: list = [None]
    ws = FileSystemWorkspace([str(tmp_path)], stable=True, known=lambda: box[0])
    (key,) = fake[0]
    box[0] = fake  # published now: taken at the first listing the workspace does not know
    assert ws.list_files(*key) == fake[0][key] and ws._pending is None
    ws2 = FileSystemWorkspace([str(tmp_path)], stable=True, known=lambda: None)
    assert ws2.list_files(*key) == real[0][key] and ws2._pending is not None  # not there: walked here
    assert ws2.contains_all(str(tmp_path / "m1.py"), ("include_router",)) is True
    ws2.invalidate()
    assert ws2._pending is None


def bg_scan():
    from reviewlens.analyzers.project_scans import INCLUDE_ROUTER

    return INCLUDE_ROUTER


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


def test_a_long_file_list_does_not_hold_the_child_back(tmp_path, no_leftovers):
    """The answer is written whole into the pipe (bigger than its default 64 KiB): the
    child goes on with its `ahead` scans while the parent is still busy warming."""
    import fcntl
    import time

    folder = tmp_path / ("deep_" * 20)
    folder.mkdir()
    for i in range(700):
        (folder / f"module_with_a_long_name_{'x' * 60}_{i}.py").write_text("x = 1\n")

    def slow_warm(suffix):
        time.sleep(0.3)

    def scan(files):
        time.sleep(0.1)
        return len(files)

    got = bg.discover_while([str(tmp_path)], ConfigResolver(), slow_warm, ahead=scan)
    try:
        assert len(got.files) == 700 and sum(len(f) for f in got.files) > 1 << 16
        assert got.known() == 700  # published while this process was still warming
    finally:
        got.known.close()
    read_end, write_end = os.pipe()
    try:
        bg._widen(write_end)
        limit = int(Path("/proc/sys/fs/pipe-max-size").read_text())
        assert fcntl.fcntl(write_end, fcntl.F_GETPIPE_SZ) == (bg.PIPE_BYTES if limit >= bg.PIPE_BYTES else 1 << 16)
    finally:
        os.close(read_end)
        os.close(write_end)


def test_the_walk_reads_config_names_from_listings_and_never_lists_an_excluded_folder(tmp_path, monkeypatch):
    """Folders' config files are known from the listing just made (no stat each), and a
    folder excluded by the config over it is judged before it is listed (it may be huge);
    a folder with its own config is judged by that one, as before."""
    listed: list[str] = []
    real_scandir = os.scandir
    monkeypatch.setattr(os, "scandir", lambda p: listed.append(str(p)) or real_scandir(p))
    asked: list[str] = []
    real_stat = os.stat
    monkeypatch.setattr(os, "stat", lambda p, *a, **k: asked.append(str(p)) or real_stat(p, *a, **k))

    def tree(root: Path, root_config: str) -> list[str]:
        root.mkdir()
        (root / "reviewlens.toml").write_text(root_config)
        for folder in ("app/deep", "legacy/big", "own", "plain/inner/gen", "plain/inner"):
            (root / folder).mkdir(parents=True, exist_ok=True)
            (root / folder / "m.py").write_text("x = 1\n")
        (root / "own" / "reviewlens.toml").write_text("")  # its own config: not excluded by the root's
        (root / "plain" / "reviewlens.toml").write_text('exclude = ["inner/gen/"]\n')
        (root / "plain" / "inner" / "pyproject.toml").write_text("[project]\nname = 'x'\n")  # not ours
        listed.clear()
        asked.clear()
        return sorted(os.path.relpath(f, root) for f in discover([str(root)], ConfigResolver()).files)

    got = tree(tmp_path / "a", 'exclude = ["legacy/", "own/"]\n')
    assert got == ["app/deep/m.py", "own/m.py", "plain/inner/m.py"]
    assert str(tmp_path / "a" / "legacy") not in listed and str(tmp_path / "a" / "plain" / "inner" / "gen") not in listed

    got = tree(tmp_path / "b", "")  # no excludes over the folders outside plain/: no stat for their configs
    assert got == ["app/deep/m.py", "legacy/big/m.py", "own/m.py", "plain/inner/m.py"]
    b = str(tmp_path / "b")
    stated = {os.path.relpath(os.path.dirname(p), b) for p in asked
              if os.path.basename(p) in ("reviewlens.toml", "pyproject.toml") and p.startswith(b + os.sep)}
    assert stated == {".", "plain/inner", "plain/inner/gen"}  # the root (asked before the walk), and under plain's excludes
    assert str(tmp_path / "b" / "plain" / "inner" / "gen") not in listed  # plain's own config excludes it


def test_no_shared_page_means_no_answers_ahead_and_nothing_else(tmp_path, no_leftovers, monkeypatch):
    _tree(tmp_path)

    def refuse(*args):
        raise OSError(12, "Cannot allocate memory")

    monkeypatch.setattr(bg.mmap, "mmap", refuse)
    got = bg.discover_while([str(tmp_path)], ConfigResolver(), lambda suffix: None, ahead=lambda files: "x")
    assert got.known is None and len(got.files) == 41
