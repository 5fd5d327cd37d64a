"""Edge cases of RL306/RL307/RL308/RL401/RL501/RL502 beyond the fixture files:
the RL401 lifespan rewrite's refusals and argument-list shapes, shared fixes, tags."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from reviewlens.analyzers.config import Settings
from reviewlens.analyzers.engine import check_source
from reviewlens.analyzers.fixes import fix_until_stable, select_fixes
from reviewlens.analyzers.model import Applicability

from .rule_harness import all_fixtures, run


def check(src: str, code: str, path: str = "app/main.py"):
    return check_source(src.encode(), path, Settings(root=Path(".")), rel_path=path, only=frozenset({code})).findings


def fixed(src: str, code: str, minimum=Applicability.SAFE) -> str:
    result, _ = fix_until_stable(src.encode(), lambda s: check(s.decode(), code), minimum)
    return result.source.decode()


# --- RL401 ------------------------------------------------------------------------------------

def test_rl401_no_fix_cases_carry_a_reason_and_the_deprecated_tag():
    fx = next(f for f in all_fixtures() if f.code == "RL401" and f.path.name == "flag_no_fix.py")
    findings = run(fx).findings
    assert len(findings) == 8
    for f in findings:
        assert f.fix is None and f.deprecated
        assert "no automatic fix:" in f.message
    reasons = " ".join(f.message for f in findings)
    for expected in ("router event handlers are ignored", "built in another module", "already has a `lifespan`",
                     "sync or async is unknown", "not a literal", "inside another block", "not a `FastAPI(...)` app"):
        assert expected in reasons


def test_rl401_findings_of_one_app_share_one_fix_applied_once():
    fx = next(f for f in all_fixtures() if f.code == "RL401" and f.path.name == "fix_mixed.py")
    findings = run(fx).findings
    assert len(findings) == 5 and all(f.deprecated for f in findings)
    assert len({f.fix for f in findings}) == 1
    assert len(select_fixes(findings, Applicability.SAFE)) == 1
    result, after = fix_until_stable(fx.path.read_bytes(), lambda s: run(fx, s).findings)
    assert result.passes == 1 and after == []
    ast.parse(result.source)


LIFESPAN = "@asynccontextmanager\nasync def lifespan(app: FastAPI):\n    await up()\n    yield\n"


@pytest.mark.parametrize(
    "ctor, expected",
    [
        ("FastAPI()", "FastAPI(lifespan=lifespan)"),
        ("FastAPI(title='x')", "FastAPI(title='x', lifespan=lifespan)"),
        ("FastAPI(title='x',)", "FastAPI(title='x', lifespan=lifespan)"),
        ("FastAPI(\n    title='x',\n)", "FastAPI(\n    title='x',\n    lifespan=lifespan,\n)"),
        ("FastAPI(\n    title='x'\n)", "FastAPI(\n    title='x',\n    lifespan=lifespan\n)"),
        ("FastAPI(\n    title='x',  # the name\n)", "FastAPI(\n    title='x',  # the name\n    lifespan=lifespan,\n)"),
        ("FastAPI(\n    title='x'  # the name\n)", "FastAPI(\n    title='x',  # the name\n    lifespan=lifespan\n)"),
        ("FastAPI(title='x',\n        debug=True)", "FastAPI(title='x',\n        debug=True, lifespan=lifespan)"),
    ],
)
def test_rl401_lifespan_argument_shapes(ctor, expected):
    src = f"from fastapi import FastAPI\n\napp = {ctor}\n\n\n@app.on_event('startup')\nasync def up():\n    pass\n"
    out = fixed(src, "RL401")
    assert f"app = {expected}\n" in out
    assert LIFESPAN in out and "from contextlib import asynccontextmanager\n" in out
    assert "@app.on_event" not in out
    ast.parse(out)
    assert check(out, "RL401") == []


def test_rl401_crlf_and_unique_lifespan_name():
    src = (
        "from fastapi import FastAPI\r\n\r\nlifespan = None\r\napp = FastAPI()\r\n\r\n\r\n"
        "@app.on_event('shutdown')\r\ndef down():\r\n    pass\r\n"
    )
    out = fixed(src, "RL401")
    assert "async def app_lifespan(app: FastAPI):\r\n    yield\r\n    down()\r\n" in out
    assert "app = FastAPI(lifespan=app_lifespan)" in out and "\n" not in out.replace("\r\n", "")
    ast.parse(out)


@pytest.mark.parametrize(
    "src",
    [
        # a router in the same file registers handlers too: they would be ignored
        "from fastapi import APIRouter, FastAPI\napp = FastAPI()\nrouter = APIRouter()\n\n@app.on_event('startup')\ndef a():\n    pass\n\n@router.on_event('startup')\ndef b():\n    pass\n",
        # `**kwargs` may hold a lifespan
        "from fastapi import FastAPI\napp = FastAPI(**settings)\n\n@app.on_event('startup')\ndef a():\n    pass\n",
        # on_startup= already given
        "from fastapi import FastAPI\napp = FastAPI(on_startup=[x])\n\n@app.on_event('startup')\ndef a():\n    pass\n",
        # the handler name is defined twice
        "from fastapi import FastAPI\napp = FastAPI()\n\n@app.on_event('startup')\ndef a():\n    pass\n\n@app.on_event('shutdown')\ndef a():\n    pass\n",
        # on_event is not the outermost decorator
        "from fastapi import FastAPI\napp = FastAPI()\n\n@timed\n@app.on_event('startup')\ndef a():\n    pass\n",
        # the app is assigned twice
        "from fastapi import FastAPI\napp = FastAPI()\napp = FastAPI(debug=True)\n\n@app.on_event('startup')\ndef a():\n    pass\n",
        # built conditionally
        "from fastapi import FastAPI\nif DEBUG:\n    app = FastAPI()\n\n@app.on_event('startup')\ndef a():\n    pass\n",
    ],
)
def test_rl401_refused_rewrites_are_still_flagged(src):
    findings = check(src, "RL401")
    assert findings and all(f.fix is None for f in findings)


def test_rl401_async_handler_awaited_sync_called_lambda_inlined():
    src = (
        "import fastapi as fa\n\n\nasync def a():\n    pass\n\n\ndef b():\n    pass\n\n\n"
        "app = fa.FastAPI()\napp.add_event_handler('startup', a)\napp.add_event_handler('startup', b)\n"
        "app.add_event_handler('shutdown', lambda: print(\n    'bye',\n))\n"
    )
    out = fixed(src, "RL401")
    assert "async def lifespan(app: fa.FastAPI):\n    await a()\n    b()\n    yield\n    print(\n        'bye',\n    )\n" in out
    assert "add_event_handler" not in out
    ast.parse(out)


# --- RL501 / RL502 ----------------------------------------------------------------------------

def test_rl501_bare_except_fix_keeps_reraise_semantics():
    src = "def f():\n    try:\n        g()\n    except:\n        cleanup()\n        raise\n"
    assert "except BaseException:" in fixed(src, "RL501")
    src = "def f():\n    try:\n        g()\n    except:\n        return None\n"
    assert "except Exception:" in fixed(src, "RL501")


def test_rl501_only_a_peer_suppression_marks_a_swallow_deliberate():
    src = "try:\n    g()\nexcept Exception:  # pragma: no cover\n    pass\n"
    assert len(check(src, "RL501")) == 1
    src = "try:\n    g()\nexcept Exception:  # the cache is optional\n    pass\n"
    assert len(check(src, "RL501")) == 1
    src = "try:\n    g()\nexcept Exception:  # noqa: BLE001\n    pass\n"
    assert check(src, "RL501") == []


def test_rl502_picks_a_free_name_and_bare_except_has_no_fix():
    src = "def f(exc, err):\n    try:\n        g()\n    except KeyError:\n        raise ValueError('x')\n"
    out = fixed(src, "RL502")
    assert "except KeyError as error:\n        raise ValueError('x') from error\n" in out
    (finding,) = check("try:\n    g()\nexcept:\n    raise ValueError('x')\n", "RL502")
    assert finding.fix is None


# --- RL307 / RL306 / RL308 -----------------------------------------------------------------

def test_rl307_resolves_aliases_and_shadowing():
    assert check("from subprocess import run as sh\nsh(f'ls {p}', shell=True)\n", "RL307")
    assert check("import os as o\no.system('rm ' + p)\n", "RL307")
    assert check("def system(c):\n    pass\nsystem('rm ' + p)\n", "RL307") == []
    assert check("import asyncio\nasyncio.create_subprocess_exec('sh', '-c', cmd)\n", "RL307")


def test_rl306_is_exempt_in_tests_and_scripts():
    src = "import requests\nrequests.get(f'https://x.example.com/a?token={t}')\n"
    assert check(src, "RL306", "app/client.py")
    assert check(src, "RL306", "tests/test_client.py") == []
    assert check(src, "RL306", "scripts/seed.py") == []


def test_rl308_param_sources():
    head = "from fastapi import APIRouter, Body, Depends, Header\nrouter = APIRouter()\n"
    assert check(head + "@router.get('/x')\ndef f(user_id: int = Body(...)):\n    pass\n", "RL308") == []
    assert check(head + "@router.get('/x')\ndef f(user_id: int = Header(...)):\n    pass\n", "RL308") == []
    assert check(head + "@router.get('/x')\ndef f(user_id: int = Depends(current_user_id)):\n    pass\n", "RL308") == []
    assert check(head + "@router.get('/x')\ndef f(user_id: int, user=Depends(load_user)):\n    pass\n", "RL308") == []
    assert check(head + "@router.get('/x/{user_id}')\ndef f(user_id: UserId):\n    pass\n", "RL308")
    assert check(head + "@router.websocket('/x/{user_id}')\nasync def f(user_id: int):\n    pass\n", "RL308") == []
