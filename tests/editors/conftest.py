"""Fixtures for the tests that drive real editors (helpers live in _support.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ._support import FIXTURE_WORKSPACE


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A fresh copy of tests/editors/fixtures/workspace."""
    dest = tmp_path / "workspace"
    shutil.copytree(FIXTURE_WORKSPACE, dest)
    return dest
