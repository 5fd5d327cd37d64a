"""The Python security rules (issue 6: RL102, RL301, RL303, RL304, RL305) through
`reviewlens serve`: one realistic FastAPI module, its pushed diagnostics, the unsafe quick
fixes of RL301 and RL305 applied as an editor would, and suppression for a rule without a fix.
"""

from __future__ import annotations

from .conftest import open_session

MAIN = '''import logging

import jwt as pyjwt
from fastapi import FastAPI, HTTPException
from fastapi.middleware.cors import CORSMiddleware as Cors

logger = logging.getLogger(__name__)
SECRET_KEY = "changeme"
app = FastAPI()
app.add_middleware(Cors, allow_origins=["*"], allow_credentials=True)


@app.get("/me")
async def me(token: str):
    logger.info(f"checking token {token}")
    claims = pyjwt.decode(token, options={"verify_signature": False})
    try:
        return await load_user(claims["sub"])
    except Exception as e:
        raise HTTPException(status_code=500, detail=f"Failed to load user: {e}")
'''


def _line(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines()) if needle in line)


async def test_python_security_rules_publish_fix_and_suppress(tmp_path):
    async with open_session(tmp_path) as s:
        main = s.open("app/main.py", MAIN, "python")
        diags = await s.diagnostics(main, 1)
        by_code = {d.code: d for d in diags}
        assert {"RL102", "RL301", "RL303", "RL304", "RL305"} <= set(by_code), [d.code for d in diags]
        assert by_code["RL102"].range.start.line == _line(MAIN, "checking token")
        assert by_code["RL301"].range.start.line == _line(MAIN, '"changeme"')
        assert by_code["RL303"].range.start.line == _line(MAIN, "pyjwt.decode")
        assert by_code["RL304"].range.start.line == _line(MAIN, "allow_origins")
        assert by_code["RL305"].range.start.line == _line(MAIN, "Failed to load user")

        # RL305's unsafe fix: a generic detail and logger.exception(...) before the raise.
        actions = {a.title: a for a in await s.code_actions(main, [by_code["RL305"]])}
        fix = next(a for t, a in actions.items() if "generic message" in t)
        assert not fix.is_preferred  # unsafe fixes are never preferred
        assert s.buffers.apply(fix.edit)
        text = s.buffers.text[main]
        assert '        logger.exception("Failed to load user")\n' in text
        assert 'detail="Failed to load user")' in text
        v = s.sync_buffer(main)
        diags = await s.diagnostics(main, v)
        assert "RL305" not in {d.code for d in diags}

        # RL301's unsafe fix reads the secret from the environment (adding `import os`).
        rl301 = next(d for d in diags if d.code == "RL301")
        actions = {a.title: a for a in await s.code_actions(main, [rl301])}
        fix = next(a for t, a in actions.items() if "SECRET_KEY" in t)
        assert s.buffers.apply(fix.edit)
        assert 'SECRET_KEY = os.environ["SECRET_KEY"]\n' in s.buffers.text[main]
        assert "import os\n" in s.buffers.text[main]
        v = s.sync_buffer(main)
        diags = await s.diagnostics(main, v)
        assert "RL301" not in {d.code for d in diags}

        # RL303 has no fix: only suppression, and disabling it for the line works.
        rl303 = next(d for d in diags if d.code == "RL303")
        actions = {a.title: a for a in await s.code_actions(main, [rl303])}
        assert "Disable RL303 for this line" in actions
        assert not any("RL303" in t and "unsafe" in t.lower() for t in actions)
        assert s.buffers.apply(actions["Disable RL303 for this line"].edit)
        v = s.sync_buffer(main)
        codes = {d.code for d in await s.diagnostics(main, v)}
        assert "RL303" not in codes and {"RL102", "RL304"} <= codes
