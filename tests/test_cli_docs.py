"""Generated docs stay in step with the registry; README keeps its promises."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from reviewlens.analyzers import config, registry
from reviewlens.server import ruledocs

REPO = Path(__file__).resolve().parents[1]


def test_rules_md_and_readme_list_are_up_to_date():
    stale = [p.relative_to(REPO).as_posix() for p in ruledocs.stale_files(REPO)]
    assert not stale, f"{stale} out of date: run `python scripts/gen_docs.py`"


def test_gen_docs_check_mode():
    proc = subprocess.run([sys.executable, "scripts/gen_docs.py", "--check"], cwd=REPO, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_rules_md_documents_every_code_with_its_anchor():
    text = (REPO / "docs" / "rules.md").read_text(encoding="utf-8")
    for code, impls in registry.by_code().items():
        heading = f"## {code} {impls[0].name}"
        assert heading in text
        # The docs URL every finding carries points at this heading's GitHub anchor.
        assert impls[0].docs_url().endswith("#" + heading[3:].lower().replace(" ", "-"))
        for impl in impls:
            for section in ("What it does", "Why is this bad?", "Fix safety"):
                assert section in text


def test_readme_commands_and_configuration_reference():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "pip install -e . && reviewlens check examples/" in readme
    assert "pip install -e '.[test]' && python -m pytest -q" in readme
    for key in config._KNOWN_KEYS:
        assert f"| `{key}` |" in readme, f"README configuration reference lacks `{key}`"
    for form in ("# noqa: RL101", "# noqa\n", "# reviewlens: noqa", "reviewlens-disable-next-line",
                 "reviewlens-disable-line", "/* reviewlens-disable RL101 */"):
        assert form in readme
    block = readme[readme.index(ruledocs.README_START):readme.index(ruledocs.README_END)]
    assert re.findall(r"\[(RL\d{3})\]", block) == registry.all_codes()


def test_ci_script_runs_the_readme_test_command():
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert ci.startswith("#!/usr/bin/env bash") and "set -euo pipefail" in ci
    assert "pip install -e '.[test]'" in ci and "python -m pytest -q" in ci
    assert "@microsoft/sarif-multitool-linux" in ci
