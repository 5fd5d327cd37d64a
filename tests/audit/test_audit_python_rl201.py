"""Audit of RL201 blocking-call-in-async (Python) against the catalog text."""

from __future__ import annotations

import pytest
from reviewlens.analyzers.model import Applicability

from ._py_audit import (
    apply_fixes,
    assert_exempt_paths,
    assert_fixes_sound,
    cases,
    check,
    lines,
)

CODE = "RL201"
APP = "app/routes.py"
R = "from fastapi import APIRouter\nrouter = APIRouter()\n"

TABLE = [
    ("time-sleep", APP, "import time\nasync def f():\n    time.sleep(1)\n", [3]),
    ("sleep-alias", APP, "from time import sleep as nap\nasync def f():\n    nap(1)\n", [3]),
    ("requests-alias", APP, "import requests as rq\nasync def f(url):\n    return rq.get(url).json()\n", [3]),
    ("requests-post", APP, "import requests\nasync def f(url):\n    requests.post(url, json={})\n", [3]),
    ("requests-session", APP, "import requests\nasync def f(url):\n    s = requests.Session()\n    return s.get(url)\n", [4]),
    ("urlopen", APP, "from urllib.request import urlopen\nasync def f(u):\n    return urlopen(u).read()\n", [3]),
    ("httpx-sync", APP, "import httpx\nasync def f(u):\n    return httpx.get(u)\n", [3]),
    ("httpx-client", APP, "import httpx\nasync def f(u):\n    with httpx.Client() as c:\n        return c.get(u)\n", [4]),
    ("open-builtin", APP, "async def f(p):\n    with open(p) as fh:\n        return fh.read()\n", [2]),
    ("io-open", APP, "import io\nasync def f(p):\n    return io.open(p).read()\n", [3]),
    ("path-read-text", APP, "from pathlib import Path\nasync def f():\n    return Path('a.txt').read_text()\n", [3]),
    ("path-write-bytes", APP, "from pathlib import Path\nasync def f(p: Path, b):\n    p.write_bytes(b)\n", [3]),
    ("os-system", APP, "import os\nasync def f():\n    os.system('ls')\n", [3]),
    ("subprocess-run-from", APP, "from subprocess import run\nasync def f():\n    run(['ls'])\n", [3]),
    ("subprocess-check-output", APP, "import subprocess\nasync def f():\n    return subprocess.check_output(['ls'])\n", [3]),
    ("subprocess-popen", APP, "import subprocess\nasync def f():\n    subprocess.Popen(['ls'])\n", [3]),
    ("input", APP, "async def f():\n    return input('name? ')\n", [2]),
    ("shutil-copy", APP, "import shutil\nasync def f(a, b):\n    shutil.copyfile(a, b)\n    shutil.rmtree(a)\n", [3, 4]),
    ("os-listdir-walk", APP, "import os\nasync def f(d):\n    os.listdir(d)\n    for x in os.walk(d):\n        pass\n", [3, 4]),
    ("pandas-read-to", APP, "import pandas as pd\nasync def f(p):\n    df = pd.read_csv(p)\n    df.to_parquet('out.parquet')\n", [3, 4]),
    ("socket", APP, "import socket\nasync def f():\n    s = socket.create_connection(('h', 1))\n    s.recv(10)\n", [3, 4]),
    ("redis-module-level", APP, "import redis\nr = redis.Redis()\nasync def f(k):\n    return r.get(k)\n", [4]),
    ("redis-self-client", APP, "import redis\nclass Cache:\n    def __init__(self):\n        self.client = redis.Redis(host='x')\n    async def get(self, k):\n        return self.client.hgetall(k)\n", [6]),
    ("redis-param", APP, "import redis\nasync def f(r: redis.Redis, k):\n    r.set(k, 1)\n", [3]),
    ("strict-redis", APP, "from redis import StrictRedis\ncache = StrictRedis()\nasync def f(k):\n    cache.delete(k)\n", [4]),
    ("psycopg2", APP, "import psycopg2\nasync def f():\n    conn = psycopg2.connect('dsn')\n    cur = conn.cursor()\n    cur.execute('select 1')\n", [3, 5]),
    ("sqlite3", APP, "import sqlite3\nasync def f():\n    conn = sqlite3.connect('x.db')\n    conn.execute('select 1')\n", [3, 4]),
    ("pymongo", APP, "from pymongo import MongoClient\nclient = MongoClient()\nasync def f():\n    return client.db.users.find_one({})\n", [4]),
    ("boto3", APP, "import boto3\ns3 = boto3.client('s3')\nasync def f(b, k):\n    s3.get_object(Bucket=b, Key=k)\n", [4]),
    ("session-depends", APP, R + "from sqlalchemy.orm import Session\nfrom fastapi import Depends\nfrom .db import get_db\n@router.get('/u')\nasync def f(db: Session = Depends(get_db)):\n    u = db.query(User).first()\n    db.execute(q)\n    db.add(u)\n    db.commit()\n    db.refresh(u)\n    return u\n", [8, 9, 11, 12]),
    ("session-scalar-get-merge-flush", APP, "from sqlalchemy.orm import Session\nasync def f(db: Session):\n    db.scalar(q)\n    db.scalars(q)\n    db.get(User, 1)\n    db.merge(u)\n    db.flush()\n", [3, 4, 5, 6, 7]),
    ("sqlmodel-session-dep-only-import", APP, "from typing import Annotated\nfrom fastapi import Depends\nfrom sqlmodel import Session, select\nSessionDep = Annotated[Session, Depends(get_session)]\nasync def f(session: SessionDep):\n    return session.exec(select(User)).all()\n", [6]),
    ("sqlmodel-session-depends", APP, "from fastapi import Depends\nfrom sqlmodel import Session\nasync def f(session: Session = Depends(get_session)):\n    session.commit()\n", [4]),
    ("requests-session-module-level", APP, "import requests\nsession = requests.Session()\nasync def f(u):\n    return session.get(u)\n", [4]),
    ("requests-from-import-get", APP, "from requests import get\nasync def f(u):\n    return get(u)\n", [3]),
    ("redis-from-url", APP, "import redis\nr = redis.from_url('redis://x')\nasync def f(k):\n    return r.get(k)\n", [4]),
    ("boto3-self-client", APP, "import boto3\nclass Store:\n    def __init__(self):\n        self.s3 = boto3.client('s3')\n    async def put(self, b):\n        self.s3.put_object(Bucket='x', Key='k', Body=b)\n", [6]),
    ("async-method", APP, "import time\nclass S:\n    async def m(self):\n        time.sleep(1)\n", [4]),
    # must not flag
    ("sync-def", APP, "import time\ndef f():\n    time.sleep(1)\n", []),
    ("nested-sync-def", APP, "import time\nasync def f():\n    def g():\n        time.sleep(1)\n    return g\n", []),
    ("lambda", APP, "import time\nasync def f():\n    return lambda: time.sleep(1)\n", []),
    ("class-in-async", APP, "import time\nasync def f():\n    class X:\n        y = time.sleep(0)\n    return X\n", []),
    ("asyncio-sleep", APP, "import asyncio\nasync def f():\n    await asyncio.sleep(1)\n", []),
    ("redis-asyncio", APP, "import redis.asyncio as redis\nr = redis.Redis()\nasync def f(k):\n    return await r.get(k)\n", []),
    ("httpx-async", APP, "import httpx\nasync def f(u):\n    async with httpx.AsyncClient() as c:\n        return await c.get(u)\n", []),
    ("aiofiles", APP, "import aiofiles\nasync def f(p):\n    async with aiofiles.open(p) as fh:\n        return await fh.read()\n", []),
    ("to-thread-ref", APP, "import asyncio, time\nasync def f():\n    await asyncio.to_thread(time.sleep, 1)\n", []),
    ("run-in-executor-ref", APP, "import asyncio, requests\nasync def f(u):\n    loop = asyncio.get_running_loop()\n    await loop.run_in_executor(None, requests.get, u)\n", []),
    ("run-in-threadpool-ref", APP, "from starlette.concurrency import run_in_threadpool\nimport requests\nasync def f(u):\n    await run_in_threadpool(requests.get, u)\n", []),
    ("path-functions", APP, "import os\nasync def f(p):\n    os.path.join(p, 'a')\n    os.path.dirname(p)\n    os.path.abspath(p)\n    os.path.exists(p)\n", []),
    ("metadata-calls", APP, "import os\nfrom pathlib import Path\nasync def f(p: Path):\n    p.exists()\n    p.is_dir()\n    p.stat()\n    p.mkdir()\n    os.makedirs('d')\n    os.remove('x')\n    p.unlink()\n    os.rename('a', 'b')\n", []),
    ("session-add-only", APP, "from sqlalchemy.orm import Session\nasync def f(db: Session, u):\n    db.add(u)\n", []),
    ("async-session", APP, "from sqlalchemy.ext.asyncio import AsyncSession\nasync def f(db: AsyncSession):\n    await db.execute(q)\n    await db.commit()\n", []),
    ("pandas-to-csv-no-target", APP, "import pandas as pd\nasync def f(df: pd.DataFrame):\n    return df.to_csv()\n", []),
    ("redis-from-import-param", APP, "from redis import Redis\nasync def f(r: Redis, k):\n    return r.get(k)\n", [3]),
    ("redis-asyncio-param", APP, "from redis.asyncio import Redis\nasync def f(r: Redis, k):\n    return await r.get(k)\n", []),
    ("sync-and-async-redis-side-by-side", APP, "import redis\nimport redis.asyncio as aioredis\nsync_r = redis.Redis()\nr = aioredis.Redis()\nasync def f(k):\n    await r.set(k, 1)\n    return sync_r.get(k)\n", [7]),
    ("background-task-reference", APP, "import time\nfrom fastapi import BackgroundTasks\nasync def f(bg: BackgroundTasks):\n    bg.add_task(time.sleep, 1)\n", []),
    ("executor-lambda", APP, "import asyncio, requests\nasync def f(u):\n    loop = asyncio.get_running_loop()\n    return await loop.run_in_executor(None, lambda: requests.get(u))\n", []),
    ("dict-get", APP, "async def f(d: dict):\n    return d.get('k')\n", []),
    ("tests-exempt", "tests/test_x.py", "import time\nasync def f():\n    time.sleep(1)\n", []),
    ("scripts-exempt", "scripts/load.py", "import time\nasync def f():\n    time.sleep(1)\n", []),
]


@pytest.mark.parametrize("path, src, expected", cases(TABLE))
def test_rl201(path, src, expected):
    assert lines(src, check(src, CODE, path)) == expected


def test_message_names_call_and_function():
    (f,) = check("import time\nasync def handler():\n    time.sleep(1)\n", CODE, APP)
    assert "time.sleep" in f.message and "handler" in f.message


def test_safe_fix_time_sleep_adds_asyncio():
    out = apply_fixes("import time\n\n\nasync def f():\n    time.sleep(0.5)\n", CODE, minimum=Applicability.SAFE)
    assert "await asyncio.sleep(0.5)" in out and "import asyncio" in out
    assert check(out, CODE, APP) == []


def test_safe_fix_aliased_sleep():
    out = apply_fixes("import asyncio\nfrom time import sleep as nap\n\n\nasync def f():\n    nap(2)\n", CODE, minimum=Applicability.SAFE)
    assert "await asyncio.sleep(2)" in out and out.count("import asyncio") == 1


def test_unsafe_fix_to_thread():
    out = apply_fixes("import asyncio\nimport requests as rq\n\n\nasync def f(url):\n    r = rq.get(url, timeout=5)\n    return r\n", CODE)
    assert "r = await asyncio.to_thread(rq.get, url, timeout=5)" in out


def test_unsafe_fix_session_chain():
    src = "import asyncio\nfrom sqlalchemy.orm import Session\n\n\nasync def f(db: Session):\n    return db.query(User).filter(User.id == 1).first()\n"
    out = apply_fixes(src, CODE)
    assert "await asyncio.to_thread(lambda: db.query(User).filter(User.id == 1).first())" in out


def test_default_exempt_paths():
    assert_exempt_paths('import time\nasync def f():\n    time.sleep(1)\n', CODE)


def test_fixes_of_flagged_rows_parse_and_converge():
    assert_fixes_sound(TABLE, CODE)
