"""Audit of RL304 cors-wildcard-credentials (Python) against the catalog text."""

from __future__ import annotations

import pytest

from ._py_audit import assert_fixes_sound, assert_runs_everywhere, cases, check, lines

CODE = "RL304"
APP = "app/main.py"
H = "from fastapi import FastAPI\nfrom fastapi.middleware.cors import CORSMiddleware\napp = FastAPI()\n"

TABLE = [
    ("literal-wildcard", APP, H + 'app.add_middleware(\n    CORSMiddleware,\n    allow_origins=["*"],\n    allow_credentials=True,\n    allow_methods=["*"],\n)\n', [6]),
    ("alias", APP, 'from fastapi import FastAPI\nfrom fastapi.middleware.cors import CORSMiddleware as C\napp = FastAPI()\napp.add_middleware(C, allow_origins=["*"], allow_credentials=True)\n', [4]),
    ("starlette-import", APP, 'from starlette.middleware.cors import CORSMiddleware\napp.add_middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=True)\n', [2]),
    ("regex-any", APP, H + 'app.add_middleware(CORSMiddleware, allow_origin_regex=".*", allow_credentials=True)\n', [4]),
    ("regex-any-https", APP, H + 'app.add_middleware(CORSMiddleware, allow_origin_regex="https://.*", allow_credentials=True)\n', [4]),
    ("string-wildcard", APP, H + 'app.add_middleware(CORSMiddleware, allow_origins="*", allow_credentials=True)\n', [4]),
    ("env-default-wildcard", APP, 'import os\n' + H + 'origins = os.getenv("CORS_ORIGINS", "*").split(",")\napp.add_middleware(CORSMiddleware, allow_origins=origins, allow_credentials=True)\n', [6]),
    ("settings-through-intermediate-base", APP, 'from pydantic_settings import BaseSettings\n' + H + 'class Base(BaseSettings):\n    cors_origins: list[str] = ["*"]\nclass Settings(Base):\n    pass\nsettings = Settings()\napp.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_credentials=True)\n', [10]),
    ("constant", APP, H + 'origins = ["*"]\napp.add_middleware(CORSMiddleware, allow_origins=origins, allow_credentials=True)\n', [5]),
    ("settings-field", APP, 'from pydantic_settings import BaseSettings\n' + H + 'class Settings(BaseSettings):\n    CORS_ORIGINS: list[str] = ["*"]\nsettings = Settings()\napp.add_middleware(CORSMiddleware, allow_origins=settings.CORS_ORIGINS, allow_credentials=True)\n', [8]),
    ("middleware-list", APP, 'from fastapi import FastAPI\nfrom starlette.middleware import Middleware\nfrom fastapi.middleware.cors import CORSMiddleware\napp = FastAPI(middleware=[Middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=True)])\n', [4]),
    ("wildcard-among-others", APP, H + 'app.add_middleware(CORSMiddleware, allow_origins=["https://a.example", "*"], allow_credentials=True)\n', [4]),
    # must not flag
    ("no-credentials", APP, H + 'app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["*"])\n', []),
    ("credentials-false", APP, H + 'app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=False)\n', []),
    ("explicit-origins", APP, H + 'app.add_middleware(CORSMiddleware, allow_origins=["https://app.example.com"], allow_credentials=True)\n', []),
    ("constant-explicit", APP, H + 'ORIGINS = ["http://localhost:3000"]\napp.add_middleware(CORSMiddleware, allow_origins=ORIGINS, allow_credentials=True)\n', []),
    ("specific-regex", APP, H + 'app.add_middleware(CORSMiddleware, allow_origin_regex=r"https://.*\\.example\\.com", allow_credentials=True)\n', []),
    ("localhost-regex", APP, H + 'app.add_middleware(CORSMiddleware, allow_origin_regex=r"http://localhost:.*", allow_credentials=True)\n', []),
    ("settings-from-other-module", APP, H + 'from .config import settings\napp.add_middleware(CORSMiddleware, allow_origins=settings.origins, allow_credentials=True)\n', []),
    ("other-middleware", APP, 'from fastapi import FastAPI\nfrom myapp.cors import CORSMiddleware\napp = FastAPI()\napp.add_middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=True)\n', []),
]


@pytest.mark.parametrize("path, src, expected", cases(TABLE))
def test_rl304(path, src, expected):
    assert lines(src, check(src, CODE, path)) == expected


def test_runs_in_test_paths_and_has_no_fix():
    src = H + 'app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=True)\n'
    (f,) = check(src, CODE, "tests/test_app.py")
    assert f.fix is None and "credentials" in f.message.lower()


def test_not_exempt_in_test_or_script_paths():
    # Not in the catalog's list of rules with default exempt paths: runs everywhere.
    assert_runs_everywhere('from fastapi.middleware.cors import CORSMiddleware\napp.add_middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=True)\n', CODE)


def test_fixes_of_flagged_rows_parse_and_converge():
    assert_fixes_sound(TABLE, CODE)
