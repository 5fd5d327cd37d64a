"""Helpers for the tests that drive real editors (marker `editors`).

Under CI=true a missing editor or browser is a failure, never a skip: `.ci/run` installs
them (section `# --- editors ---`). Outside CI a test skips only when the tool itself is
absent, and says which install step provides it.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

from reviewlens.analyzers.config import ConfigResolver
from reviewlens.analyzers.engine import check_source
from reviewlens.analyzers.fixes import apply_edits, fix_until_stable
from reviewlens.analyzers.model import Applicability

REPO = Path(__file__).resolve().parents[2]
FIXTURE_WORKSPACE = Path(__file__).parent / "fixtures" / "workspace"
ARTIFACTS = REPO / "test-artifacts"


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("true", "1", "yes")


def require(condition: bool, what: str, how: str) -> None:
    """Fail under CI, skip elsewhere, when a tool the test drives is missing."""
    if condition:
        return
    message = f"{what} is not installed ({how}; see the '# --- editors ---' section of .ci/run)"
    if in_ci():
        pytest.fail(f"CI=true and {message}", pytrace=False)
    pytest.skip(message)


def server_env(base: dict[str, str] | None = None) -> dict[str, str]:
    """An environment whose PATH finds this interpreter's `reviewlens` first."""
    env = dict(os.environ if base is None else base)
    bindir = str(Path(sys.executable).parent)
    env["PATH"] = bindir + os.pathsep + env.get("PATH", "")
    return env


def reviewlens_on_path() -> str:
    found = shutil.which("reviewlens", path=server_env()["PATH"])
    require(found is not None, "the `reviewlens` console script", "pip install -e .")
    return found  # type: ignore[return-value]


def expected_after_fix(path: Path, code: str, title_prefix: str) -> tuple[str, str]:
    """(title, text) of `path` after applying the first `code` fix whose title starts with
    `title_prefix`, computed by the engine itself, so the editor test proves the editor applied
    exactly the server's edit."""
    source = path.read_bytes()
    settings = ConfigResolver().for_path(path)
    result = check_source(source, str(path), settings)
    for finding in sorted(result.findings, key=lambda f: f.start):
        if finding.code != code:
            continue
        for fix in (finding.fix, *finding.alternatives):
            if fix is not None and fix.title.startswith(title_prefix):
                return fix.title, apply_edits(source, fix.edits).decode("utf-8")
    raise AssertionError(f"the engine offers no {code} fix titled {title_prefix!r} for {path}")


def expected_after_fix_all(path: Path) -> tuple[list[str], str]:
    """(codes fixed, text) of `path` after every safe fix, applied until stable, as the
    server's fix-all does."""
    source = path.read_bytes()
    settings = ConfigResolver().for_path(path)
    result, _ = fix_until_stable(
        source, lambda src: check_source(src, str(path), settings).findings, Applicability.SAFE
    )
    assert result.changed, f"the engine has no safe fix for {path}"
    return sorted(result.applied), result.source.decode("utf-8")
