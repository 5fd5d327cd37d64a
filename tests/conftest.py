"""Fixtures shared by the test modules."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


def child_pids() -> set[int]:
    """This process's children (Linux /proc)."""
    found: set[int] = set()
    for task in Path(f"/proc/{os.getpid()}/task").iterdir():
        found.update(int(pid) for pid in (task / "children").read_text().split())
    return found


@pytest.fixture
def no_leftovers():
    """Every process the test forked has exited and been reaped by its end."""
    before = child_pids()
    yield
    assert child_pids() == before
