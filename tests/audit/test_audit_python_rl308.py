"""Audit of RL308 unauthenticated-user-param (Python) against the catalog text."""

from __future__ import annotations

import pytest

from ._py_audit import assert_fixes_sound, assert_runs_everywhere, cases, check, lines

CODE = "RL308"
APP = "app/routers/users.py"
A = "from fastapi import FastAPI, Depends, Security\napp = FastAPI()\n"
R = "from fastapi import APIRouter, Depends, Query\nrouter = APIRouter()\n"

TABLE = [
    ("path-user-id", APP, A + '@app.get("/users/{user_id}")\nasync def get_user_data(user_id: int):\n    return {}\n', [4]),
    ("router-query-owner", APP, R + '@router.get("/items")\nasync def items(owner_id: int):\n    return []\n', [4]),
    ("router-delete-account", APP, R + '@router.delete("/accounts/{account_id}")\ndef delete(account_id: str):\n    pass\n', [4]),
    ("query-explicit", APP, R + '@router.get("/orders")\ndef orders(user_id: int = Query(...)):\n    pass\n', [4]),
    ("db-dependency-only", APP, R + 'from sqlalchemy.orm import Session\n@router.put("/users/{user_id}")\ndef upd(user_id: int, db: Session = Depends(get_db)):\n    pass\n', [5]),
    ("post-patch", APP, A + '@app.post("/users/{user_id}/x")\ndef a(user_id: int):\n    pass\n@app.patch("/users/{user_id}")\ndef b(user_id: int):\n    pass\n', [4, 7]),
    ("uuid-path", APP, R + 'from uuid import UUID\n@router.get("/users/{user_id}")\nasync def g(user_id: UUID):\n    pass\n', [5]),
    ("annotated-path", APP, R + 'from typing import Annotated\nfrom fastapi import Path\n@router.get("/users/{user_id}")\nasync def g(user_id: Annotated[int, Path()]):\n    pass\n', [6]),
    ("optional-query", APP, R + '@router.get("/orders")\nasync def g(user_id: int | None = None):\n    pass\n', [4]),
    ("aliased-fastapi", APP, 'from fastapi import FastAPI as F\napi = F()\n@api.get("/users/{user_id}")\nasync def g(user_id: int):\n    pass\n', [4]),
    # must not flag
    ("template-current-user-alias", APP, R + 'import uuid\nfrom app.api.deps import CurrentUser, SessionDep\n@router.get("/users/{user_id}")\ndef read_user_by_id(user_id: uuid.UUID, session: SessionDep, current_user: CurrentUser):\n    pass\n', []),
    ("route-dependencies", APP, R + '@router.get("/users/{user_id}", dependencies=[Depends(verify_token)])\nasync def g(user_id: int):\n    pass\n', []),
    ("router-dependencies", APP, 'from fastapi import APIRouter, Depends\nrouter = APIRouter(dependencies=[Depends(get_current_user)])\n@router.get("/users/{user_id}")\nasync def g(user_id: int):\n    pass\n', []),
    ("request-state-user", APP, R + 'from fastapi import Request\n@router.get("/users/{user_id}")\nasync def g(user_id: int, request: Request):\n    me = request.state.user\n', []),
    ("current-user", APP, R + '@router.get("/users/{user_id}")\ndef g(user_id: int, current_user=Depends(get_current_user)):\n    pass\n', []),
    ("get-user", APP, R + '@router.get("/users/{user_id}")\ndef g(user_id: int, user=Depends(get_user)):\n    pass\n', []),
    ("verify-token", APP, R + '@router.get("/users/{user_id}")\ndef g(user_id: int, _=Depends(verify_token)):\n    pass\n', []),
    ("auth-dep", APP, R + '@router.get("/users/{user_id}")\ndef g(user_id: int, principal=Depends(require_auth)):\n    pass\n', []),
    ("token-dep", APP, R + '@router.get("/users/{user_id}")\ndef g(user_id: int, token: str = Depends(oauth2_scheme_token)):\n    pass\n', []),
    ("security", APP, A + '@app.get("/users/{user_id}")\ndef g(user_id: int, creds=Security(bearer)):\n    pass\n', []),
    ("annotated-current-user", APP, R + 'from typing import Annotated\n@router.get("/users/{user_id}")\ndef g(user_id: int, me: Annotated[User, Depends(get_current_user)]):\n    pass\n', []),
    ("other-param-name", APP, R + '@router.get("/items/{item_id}")\ndef g(item_id: int):\n    pass\n', []),
    ("not-a-route", APP, "def get_user_data(user_id: int):\n    return {}\n", []),
    ("body-model", APP, R + 'from fastapi import Body\n@router.post("/x")\ndef g(user_id: int = Body(...)):\n    pass\n', []),
]


@pytest.mark.parametrize("path, src, expected", cases(TABLE))
def test_rl308(path, src, expected):
    assert lines(src, check(src, CODE, path)) == expected


def test_message_names_parameter_and_no_fix():
    (f,) = check(TABLE[0][2], CODE, APP)
    assert "user_id" in f.message and f.fix is None


def test_not_exempt_in_test_or_script_paths():
    # Not in the catalog's list of rules with default exempt paths: runs everywhere.
    assert_runs_everywhere('from fastapi import FastAPI\napp = FastAPI()\n@app.get("/u/{user_id}")\ndef g(user_id: int):\n    pass\n', CODE)


def test_api_route_message_names_its_methods():
    src = R + '@router.api_route("/users/{user_id}", methods=["GET", "DELETE"])\nasync def g(user_id: int):\n    pass\n'
    (f,) = check(src, CODE, APP)
    assert "`GET|DELETE /users/{user_id}`" in f.message


def test_fixes_of_flagged_rows_parse_and_converge():
    assert_fixes_sound(TABLE, CODE)
