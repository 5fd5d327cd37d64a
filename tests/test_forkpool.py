"""The batch run's fork pool (server/forkpool.py): every item once, errors and crashes
reported with the item at fault, and no worker left behind whatever happens."""

from __future__ import annotations

import os
import signal

import pytest

from reviewlens.server import forkpool

pytestmark = pytest.mark.skipif(not forkpool.available(), reason="the fork pool is Linux-only")

_SETUP = {}


def _init(tag: str) -> None:
    _SETUP["tag"] = tag  # runs in each worker, after the fork


def _work(item: int) -> tuple:
    return item, item * item, _SETUP.get("tag"), os.getpid()


@pytest.mark.parametrize("count,jobs,chunksize", [(0, 2, 4), (1, 2, 4), (3, 4, 1), (100, 2, 7), (257, 3, 32), (50, 1, 5)])
def test_every_item_once_with_its_result(count, jobs, chunksize, no_leftovers):
    got = list(forkpool.run(list(range(count)), _work, jobs, chunksize, _init, ("set",)))
    assert sorted(at for at, _ in got) == list(range(count))
    assert all(r[:3] == (at, at * at, "set") for at, r in got)
    pids = {r[3] for _, r in got}
    assert os.getpid() not in pids and len(pids) <= jobs
    if count >= jobs * chunksize * 3:
        assert len(pids) == jobs  # the work was shared


def test_results_are_delivered_as_chunks_finish_not_all_at_the_end(no_leftovers):
    stream = forkpool.run(list(range(40)), _work, 2, 4, _init, ("x",))
    first = next(stream)
    assert 0 <= first[0] < 40
    assert len(list(stream)) == 39


class Unlucky(ValueError):
    pass


def _raise_on_13(item: int) -> int:
    if item == 13:
        raise Unlucky(f"item {item}")
    return item


def test_an_exception_in_a_worker_is_raised_in_the_parent(no_leftovers):
    with pytest.raises(Unlucky, match="item 13"):
        list(forkpool.run(list(range(60)), _raise_on_13, 2, 3, _init, ("x",)))


def _unpicklable_error(item: int) -> int:
    if item == 5:
        error = RuntimeError("cannot travel")
        error.payload = lambda: None  # a lambda does not pickle
        raise error
    return item


def test_an_exception_that_does_not_pickle_arrives_as_its_text(no_leftovers):
    with pytest.raises(RuntimeError, match="cannot travel"):
        list(forkpool.run(list(range(20)), _unpicklable_error, 2, 2, _init, ("x",)))


def _exit_on_42(item: int) -> int:
    if item == 42:
        os._exit(7)
    return item


def _kill_on_42(item: int) -> int:
    if item == 42:
        os.kill(os.getpid(), signal.SIGKILL)
    return item


@pytest.mark.parametrize("work,status", [(_exit_on_42, "exit code 7"), (_kill_on_42, "killed by SIGKILL")])
def test_a_dead_worker_names_the_item_it_was_working_on(work, status, no_leftovers):
    items = [f"file{i}.py" for i in range(100)]

    def by_name(name: str) -> str:
        return name if work(int(name[4:-3])) is not None else name

    with pytest.raises(forkpool.WorkerDied) as died:
        list(forkpool.run(items, by_name, 2, 5, _init, ("x",)))
    assert died.value.item == "file42.py"
    assert died.value.status == status


def _slow(item: int) -> int:
    import time

    time.sleep(0.01)
    return item


def test_leaving_the_loop_early_stops_the_workers(no_leftovers):
    stream = forkpool.run(list(range(400)), _slow, 2, 2, _init, ("x",))
    for _ in range(3):
        next(stream)
    stream.close()  # what an exception in the consumer does


def _failing_init(tag: str) -> None:
    raise LookupError(f"no setup for {tag}")


def _dying_init(tag: str) -> None:
    os._exit(9)


def test_a_failing_initializer_is_raised_in_the_parent(no_leftovers):
    with pytest.raises(LookupError, match="no setup for x"):
        list(forkpool.run(list(range(30)), _work, 2, 3, _failing_init, ("x",)))


def test_a_worker_dying_in_its_initializer_names_no_item(no_leftovers):
    with pytest.raises(forkpool.WorkerDied) as died:
        list(forkpool.run(list(range(30)), _work, 2, 3, _dying_init, ("x",)))
    assert died.value.item is None and died.value.status == "exit code 9"


# --- lanes -------------------------------------------------------------------------------

def _init_lane(tag: str, lane: int) -> None:
    _SETUP["tag"], _SETUP["lane"] = tag, lane


def _work_in_lane(item: int) -> tuple:
    if _SETUP["lane"] == 1:
        import time

        time.sleep(0.002)  # the long lane: the other lane's worker runs dry and helps
    return item, _SETUP["lane"], os.getpid()


@pytest.mark.parametrize("lanes,jobs", [
    ([(0, 30, 1), (30, 100, 1)], 2),
    ([(0, 2, 1), (2, 120, 1)], 2),
    ([(0, 50, 2), (50, 60, 1)], 3),
    ([(0, 40, 2), (40, 90, 2)], 3),  # fewer jobs than lane workers: lane 1 is only helped
    ([(0, 0, 1), (0, 25, 1)], 2),  # an empty lane
])
def test_lanes_every_item_once_each_worker_told_its_lane(lanes, jobs, no_leftovers):
    count = lanes[-1][1]
    got = list(forkpool.run(list(range(count)), _work_in_lane, jobs, 5, _init_lane, ("x",), lanes=lanes))
    assert sorted(at for at, _ in got) == list(range(count))
    assert all(at == value[0] for at, value in got)
    lane_of_pid: dict[int, int] = {}
    for _, (_, lane, pid) in got:
        assert lane_of_pid.setdefault(pid, lane) == lane  # one lane per worker, for its lifetime
    expected = [n for n, (_, _, workers) in enumerate(lanes) for _ in range(workers)][:jobs]
    assert sorted(lane_of_pid.values()) == sorted(expected)[:len(lane_of_pid)]


def test_a_worker_starts_on_its_own_lane_and_helps_once_it_runs_dry(no_leftovers):
    lanes = [(0, 10, 1), (10, 200, 1)]
    got = dict(forkpool.run(list(range(200)), _work_in_lane, 2, 5, _init_lane, ("x",), lanes=lanes))
    helper = got[0][2]  # the lane-0 worker took the lane's first chunk ...
    assert got[10][1] == 1 and got[10][2] != helper  # ... the lane-1 worker its own
    assert all(got[i][2] == helper for i in range(10))  # the short lane: its own worker only
    helped = [i for i in range(10, 200) if got[i][2] == helper]
    assert helped and min(helped) > 10  # then it took lane 1's chunks, after the first
