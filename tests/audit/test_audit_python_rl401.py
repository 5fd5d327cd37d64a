"""Audit of RL401 fastapi-on-event (Python) against the catalog text."""

from __future__ import annotations

import pytest
from reviewlens.analyzers.model import Applicability

from ._py_audit import (
    apply_fixes,
    assert_fixes_sound,
    assert_runs_everywhere,
    cases,
    check,
    lines,
)

CODE = "RL401"
APP = "app/main.py"
A = "from fastapi import FastAPI, APIRouter\napp = FastAPI()\nrouter = APIRouter()\n"

TABLE = [
    ("on-event-startup", APP, A + '@app.on_event("startup")\nasync def up():\n    pass\n', [4]),
    ("on-event-shutdown", APP, A + '@app.on_event("shutdown")\ndef down():\n    pass\n', [4]),
    ("router-on-event", APP, A + '@router.on_event("startup")\nasync def up():\n    pass\n', [4]),
    ("add-event-handler", APP, A + 'async def up():\n    pass\napp.add_event_handler("startup", up)\n', [6]),
    ("aliased-fastapi", APP, 'from fastapi import FastAPI as F\napi = F()\n@api.on_event("startup")\nasync def up():\n    pass\n', [3]),
    ("tests-not-exempt", "tests/test_app.py", A + '@app.on_event("startup")\nasync def up():\n    pass\n', [4]),
    # must not flag
    ("lifespan", APP, 'from contextlib import asynccontextmanager\nfrom fastapi import FastAPI\n@asynccontextmanager\nasync def lifespan(app):\n    yield\napp = FastAPI(lifespan=lifespan)\n', []),
    ("local-class-startup-event", APP, 'class Bus:\n    def on_event(self, name):\n        return lambda f: f\nbus = Bus()\n@bus.on_event("startup")\ndef f():\n    pass\n', []),
    ("fastapi-subclass", APP, 'from fastapi import FastAPI\nclass App(FastAPI):\n    pass\napp = App()\n@app.on_event("startup")\nasync def up():\n    pass\n', [5]),
    ("other-on-event", APP, 'class Bus:\n    def on_event(self, name):\n        return lambda f: f\nbus = Bus()\n@bus.on_event("order_created")\ndef f():\n    pass\n', []),
]


@pytest.mark.parametrize("path, src, expected", cases(TABLE))
def test_rl401(path, src, expected):
    assert lines(src, check(src, CODE, path)) == expected


def test_findings_are_tagged_deprecated():
    (f,) = check(TABLE[0][2], CODE, APP)
    assert f.deprecated and "lifespan" in f.message


MERGE = '''from fastapi import FastAPI

app = FastAPI(title="orders")


@app.on_event("startup")
async def connect_db():
    await database.connect()


@app.on_event("shutdown")
def close_files():
    files.close()


@app.on_event("startup")
def warm_cache():
    cache.warm()


async def disconnect_db():
    await database.disconnect()


app.add_event_handler("shutdown", disconnect_db)
'''


def test_safe_fix_merges_in_order():
    out = apply_fixes(MERGE, CODE, minimum=Applicability.SAFE)
    assert "from contextlib import asynccontextmanager" in out
    assert 'app = FastAPI(title="orders", lifespan=lifespan)' in out
    body = out[out.index("async def lifespan(app: FastAPI):"):]
    order = ["await connect_db()", "warm_cache()", "yield", "close_files()", "await disconnect_db()"]
    positions = [body.index(s) for s in order]
    assert positions == sorted(positions), body
    assert "on_event" not in out and "add_event_handler" not in out
    # the lifespan is defined before the app that uses it
    assert out.index("async def lifespan") < out.index("app = FastAPI(")
    assert check(out, CODE, APP) == []
    import ast

    ast.parse(out)


def test_no_fix_when_app_already_has_lifespan():
    src = 'from fastapi import FastAPI\napp = FastAPI(lifespan=ls)\n@app.on_event("startup")\nasync def up():\n    pass\n'
    (f,) = check(src, CODE, APP)
    assert f.fix is None


def test_no_fix_when_app_built_elsewhere():
    src = 'from .app import app\n@app.on_event("startup")\nasync def up():\n    pass\n'
    findings = check(src, CODE, APP)
    assert len(findings) == 1 and findings[0].fix is None


def test_not_exempt_in_test_or_script_paths():
    # Not in the catalog's list of rules with default exempt paths: runs everywhere.
    assert_runs_everywhere('from fastapi import FastAPI\napp = FastAPI()\n@app.on_event("startup")\nasync def up():\n    pass\n', CODE)


def test_fixes_of_flagged_rows_parse_and_converge():
    assert_fixes_sound(TABLE, CODE)
