"""Audit of RL305 error-detail-leak (Python) against the catalog text."""

from __future__ import annotations

import pytest

from ._py_audit import (
    apply_fixes,
    assert_fixes_sound,
    assert_runs_everywhere,
    cases,
    check,
    lines,
)

CODE = "RL305"
APP = "app/routes.py"
H = "from fastapi import FastAPI, HTTPException\nfrom fastapi.responses import JSONResponse\nimport traceback\napp = FastAPI()\n"


def route(body: str) -> str:
    return H + "@app.post('/orders')\nasync def create():\n    try:\n        return await do()\n" + body


TABLE = [
    ("str-e", APP, route("    except Exception as e:\n        raise HTTPException(status_code=500, detail=str(e))\n"), [10]),
    ("repr-e", APP, route("    except Exception as e:\n        raise HTTPException(500, repr(e))\n"), [10]),
    ("fstring-e", APP, route("    except Exception as e:\n        raise HTTPException(status_code=500, detail=f\"Failed: {e}\")\n"), [10]),
    ("e-message", APP, route("    except Exception as e:\n        raise HTTPException(status_code=500, detail=e.message)\n"), [10]),
    ("traceback", APP, route("    except Exception:\n        raise HTTPException(status_code=500, detail=traceback.format_exc())\n"), [10]),
    ("json-response", APP, route("    except Exception as exc:\n        return JSONResponse(status_code=500, content={\"error\": str(exc)})\n"), [10]),
    ("via-local", APP, route("    except Exception as e:\n        msg = f\"db error: {e}\"\n        raise HTTPException(status_code=500, detail=msg)\n"), [11]),
    ("via-local-traceback", APP, route("    except Exception:\n        tb = traceback.format_exc()\n        return JSONResponse({\"trace\": tb}, status_code=500)\n"), [11]),
    ("dict-from-route", APP, route("    except Exception as e:\n        return {\"error\": str(e)}\n"), [10]),
    ("concat-detail", APP, route("    except Exception as e:\n        raise HTTPException(500, detail=\"Error: \" + str(e))\n"), [10]),
    ("dict-detail", APP, route("    except Exception as e:\n        raise HTTPException(status_code=500, detail={\"error\": str(e)})\n"), [10]),
    ("format-method", APP, route("    except Exception as e:\n        raise HTTPException(status_code=500, detail=\"Failed: {}\".format(e))\n"), [10]),
    ("with-from-still-leaks", APP, route("    except Exception as e:\n        raise HTTPException(status_code=500, detail=str(e)) from e\n"), [10]),
    ("library-error-4xx", APP, route("    except SQLAlchemyError as e:\n        raise HTTPException(status_code=400, detail=str(e))\n"), [10]),
    # must not flag
    # documented judgment: a 4xx echoing a client-input error's message tells the client what was wrong
    ("value-error-400", APP, route("    except ValueError as e:\n        raise HTTPException(status_code=400, detail=str(e))\n"), []),
    ("reraise-detail", APP, route("    except HTTPException as e:\n        raise HTTPException(status_code=e.status_code, detail=e.detail)\n"), []),
    ("generic", APP, route("    except Exception:\n        raise HTTPException(status_code=500, detail=\"Internal error\")\n"), []),
    ("logged-not-sent", APP, route("    except Exception as e:\n        logger.error(str(e))\n        raise HTTPException(status_code=500, detail=\"Internal error\")\n"), []),
    ("outside-except", APP, H + "def f(e):\n    raise HTTPException(status_code=500, detail=str(e))\n", []),
    ("type-name", APP, route("    except Exception as e:\n        raise HTTPException(status_code=500, detail=type(e).__name__)\n"), []),
]


@pytest.mark.parametrize("path, src, expected", cases(TABLE))
def test_rl305(path, src, expected):
    assert lines(src, check(src, CODE, path)) == expected


def test_runs_in_test_paths():
    src = TABLE[0][2]
    assert len(check(src, CODE, "tests/test_x.py")) == 1


def test_fix_generic_message_and_logger_exception():
    src = route("    except Exception as e:\n        raise HTTPException(status_code=500, detail=f\"Failed to create order: {e}\")\n")
    out = apply_fixes(src, CODE)
    assert "logger.exception(" in out
    assert "{e}" not in out
    assert "import logging" in out and "logger = logging.getLogger(__name__)" in out
    assert out.index("logger.exception(") < out.index("raise HTTPException")


def test_fix_reuses_module_logger():
    src = "import logging\n" + route("    except Exception as e:\n        raise HTTPException(status_code=500, detail=str(e))\n").replace(
        "app = FastAPI()\n", "app = FastAPI()\nlog = logging.getLogger(__name__)\n"
    )
    out = apply_fixes(src, CODE)
    assert "log.exception(" in out and out.count("getLogger") == 1


def test_not_exempt_in_test_or_script_paths():
    # Not in the catalog's list of rules with default exempt paths: runs everywhere.
    assert_runs_everywhere('from fastapi import HTTPException\ndef f():\n    try:\n        g()\n    except Exception as e:\n        raise HTTPException(500, str(e))\n', CODE)


def test_fixes_of_flagged_rows_parse_and_converge():
    assert_fixes_sound(TABLE, CODE)
