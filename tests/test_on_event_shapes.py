"""RL401 matches one bare attribute pattern and reads the registration's shape from the
parents (`_shape`): the three shapes the nested patterns spelled, and nothing else."""

from __future__ import annotations

import textwrap

import pytest

from reviewlens.analyzers import engine
from reviewlens.analyzers.config import Settings

HEAD = "from fastapi import FastAPI\n\napp = FastAPI()\n\n"


def rl401(body: str) -> int:
    source = (HEAD + textwrap.dedent(body)).encode()
    result = engine.check_source(source, "app/main.py", Settings(), only=frozenset({"RL401"}))
    assert not result.errors
    return sum(1 for f in result.findings if f.code == "RL401")


@pytest.mark.parametrize(
    "body",
    [
        '@app.on_event("startup")\nasync def start():\n    pass\n',
        'async def start():\n    pass\n\napp.add_event_handler("startup", start)\n',
        'async def stop():\n    pass\n\napp.on_event("shutdown")(stop)\n',
    ],
)
def test_the_three_registrations_are_flagged(body):
    assert rl401(body) == 1


@pytest.mark.parametrize(
    "body",
    [
        "register = app.on_event\n",  # a reference, not a call
        'handler = app.add_event_handler("startup", start)\n',  # not a statement of its own
        "app.add_event_handler()\n",  # no event
        'app.on_event("startup")()\n',  # no handler
        'print(app.on_event)\n',
    ],
)
def test_other_uses_of_the_names_are_not(body):
    assert rl401(body) == 0
