"""runner._language_lanes: when a parallel run puts its Python and its TypeScript files
in lanes of their own (server/forkpool.py), and that the findings do not change."""

from __future__ import annotations

import json

import pytest

from reviewlens.server import cli, forkpool, runner

pytestmark = pytest.mark.skipif(not forkpool.available(), reason="lanes are a fork-pool feature")


def _paths(py: int, ts: int, tsx: int = 0) -> list[str]:
    return [f"/p/m{i}.py" for i in range(py)] + [f"/w/c{i}.ts" for i in range(ts)] + [f"/w/v{i}.tsx" for i in range(tsx)]


def test_both_languages_in_earnest_get_a_lane_each_largest_first():
    paths = _paths(40, 30, 20)
    sizes = [(i * 37) % 101 + 1 for i in range(len(paths))]
    lanes = runner._language_lanes(paths, sizes, 2)
    assert lanes is not None
    assert sorted(lanes.order) == list(range(len(paths)))
    (s0, e0, w0), (s1, e1, w1) = lanes.ranges
    assert (s0, e0, s1, e1, w0 + w1) == (0, 40, 40, 90, 2) and w0 == w1 == 1
    python, typescript = lanes.order[:40], lanes.order[40:]
    assert all(paths[i].endswith(".py") for i in python)
    assert all(paths[i].endswith((".ts", ".tsx")) for i in typescript)
    for lane in (python, typescript):
        assert [sizes[i] for i in lane] == sorted((sizes[i] for i in lane), reverse=True)
    assert lanes.grammars == (("python",), ("typescript", "tsx"))


def test_workers_in_proportion_to_the_bytes_at_least_one_a_lane():
    paths = _paths(30, 30)
    three_to_one = [3] * 30 + [1] * 30
    assert [w for _, _, w in runner._language_lanes(paths, three_to_one, 4).ranges] == [3, 1]
    assert [w for _, _, w in runner._language_lanes(paths, three_to_one, 2).ranges] == [1, 1]
    assert [w for _, _, w in runner._language_lanes(paths, [1] * 60, 5).ranges] in ([2, 3], [3, 2])


@pytest.mark.parametrize("paths,sizes,jobs", [
    (_paths(60, 0), [1] * 60, 2),  # one language
    (_paths(0, 60), [1] * 60, 2),
    (_paths(40, 40), [1] * 80, 1),  # one worker
    (_paths(40, 40), [9] * 40 + [1] * 40, 2),  # TypeScript a tenth of the bytes
    (_paths(40, 10), [1] * 50, 2),  # too few TypeScript files
])
def test_no_lanes_for_a_run_mostly_of_one_language(paths, sizes, jobs):
    assert runner._language_lanes(paths, sizes, jobs) is None
    assert runner._language_lanes(paths, sizes, jobs, runner._grammar_counts(paths)) is None


def test_the_grammar_counts_give_the_same_lanes():
    for paths in (_paths(40, 30, 20), _paths(30, 30), _paths(40, 23, 1)):
        sizes = [(i * 37) % 101 + 1 for i in range(len(paths))]
        plain = runner._language_lanes(paths, sizes, 2)
        counted = runner._language_lanes(paths, sizes, 2, runner._grammar_counts(paths))
        assert (plain is None) == (counted is None)
        if plain is not None:
            assert (plain.order, plain.ranges, plain.grammars) == (counted.order, counted.ranges, counted.grammars)


def test_lanes_can_be_turned_off(monkeypatch):
    monkeypatch.setattr(runner, "LANES", False)
    assert runner._language_lanes(_paths(40, 40), [1] * 80, 2) is None


PY = b"import os\n\nasync def handler():\n    print('debug', os.getenv('X'))\n    try:\n        pass\n    except:\n        pass\n"
TS = "export async function load() {{\n  console.log({i});\n  try {{ await fetch('/api/{i}'); }} catch (e) {{}}\n}}\n"


@pytest.mark.parametrize("lanes_on", [True, False])
def test_a_mixed_tree_gives_the_same_report_with_and_without_lanes(tmp_path, capsys, monkeypatch, lanes_on):
    monkeypatch.setattr(runner, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(runner, "LANES", lanes_on)
    for i in range(runner.PARALLEL_THRESHOLD + 10):
        (tmp_path / f"m{i}.py").write_bytes(PY + f"print({i})\n".encode())
        (tmp_path / f"c{i}.ts").write_text(TS.format(i=i))
    used = []
    real = runner._language_lanes
    monkeypatch.setattr(runner, "_language_lanes", lambda *a: used.append(real(*a)) or used[-1])
    reports = []
    for jobs in ("1", "2"):
        monkeypatch.chdir(tmp_path)
        code = cli.main(["check", "--no-cache", "--output-format", "json", "--jobs", jobs])
        reports.append((code, capsys.readouterr().out))
    assert reports[0] == reports[1]
    assert json.loads(reports[0][1])["summary"]["findings"] > 100
    assert (used[-1] is not None) == lanes_on  # the parallel run went the way asked
