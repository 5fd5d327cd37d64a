"""SARIF output checked against the official SARIF 2.1.0 schema and Microsoft's validator.

Both come from the npm package `@microsoft/sarif-multitool-linux`, which `.ci/run` installs
into `.ci/node/` (gitignored). Set REVIEWLENS_SARIF_MULTITOOL_DIR to use another copy.
Under CI (CI=true) a missing package is a failure, never a skip.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from reviewlens.analyzers import registry
from reviewlens.server.cli import main, version

REPO = Path(__file__).resolve().parents[1]
PKG = Path(os.environ.get("REVIEWLENS_SARIF_MULTITOOL_DIR",
                          REPO / ".ci" / "node" / "node_modules" / "@microsoft" / "sarif-multitool-linux"))
SCHEMA = PKG / "sarif-2.1.0.json"
MULTITOOL = PKG / "Sarif.Multitool"


def _require(path: Path) -> None:
    if path.is_file():
        return
    msg = f"{path} is missing: run .ci/run (npm install @microsoft/sarif-multitool-linux into .ci/node)"
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(msg)
    pytest.skip(msg)


@pytest.fixture(scope="module")
def sarif_file(tmp_path_factory) -> Path:
    """SARIF of the bundled examples (findings with fixes, several rules and languages)."""
    import contextlib
    import io

    buf = io.StringIO()
    old = os.getcwd()
    os.chdir(REPO)
    try:
        with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(io.StringIO()):
            code = main(["check", "examples/", "--output-format", "sarif", "--unsafe-fixes"])
    finally:
        os.chdir(old)
    assert code == 1
    out = tmp_path_factory.mktemp("sarif") / "examples.sarif"
    out.write_text(buf.getvalue(), encoding="utf-8")
    return out


def test_sarif_matches_official_schema(sarif_file):
    _require(SCHEMA)
    import jsonschema

    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator_cls = jsonschema.validators.validator_for(schema)
    errors = sorted(validator_cls(schema).iter_errors(json.loads(sarif_file.read_text())), key=str)
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])


def test_sarif_passes_microsoft_validator(sarif_file, tmp_path):
    _require(MULTITOOL)
    if not os.access(MULTITOOL, os.X_OK):
        MULTITOOL.chmod(MULTITOOL.stat().st_mode | 0o100)
    log = tmp_path / "validation.sarif"
    proc = subprocess.run(
        [str(MULTITOOL), "validate", str(sarif_file), "-o", str(log), "--level", "Error", "Warning"],
        capture_output=True, text=True, timeout=300,
        env={**os.environ, "DOTNET_CLI_TELEMETRY_OPTOUT": "1", "DOTNET_SYSTEM_GLOBALIZATION_INVARIANT": "1"},
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    results = [r for run in json.loads(log.read_text())["runs"] for r in run.get("results", [])]
    problems = [f"{r.get('ruleId')}: {r.get('message')}" for r in results]
    assert not problems, "\n".join(problems)


def test_sarif_content(sarif_file):
    doc = json.loads(sarif_file.read_text())
    assert doc["version"] == "2.1.0"
    run = doc["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "reviewlens" and driver["version"] == version()
    assert driver["informationUri"].startswith("https://")
    codes = [r["id"] for r in driver["rules"]]
    assert codes == registry.all_codes()
    rl101 = driver["rules"][codes.index("RL101")]
    assert rl101["name"] == "debug-print"
    assert rl101["helpUri"] == registry.get("RL101")[0].docs_url()
    assert "## Why is this bad?" in rl101["help"]["markdown"] and "Why is this bad?" in rl101["help"]["text"]
    assert rl101["defaultConfiguration"]["level"] == "warning"
    assert rl101["fullDescription"]["text"].startswith("Flags calls to the builtin `print`")
    assert run["columnKind"] == "unicodeCodePoints"
    results = run["results"]
    assert results
    for res in results:
        assert codes[res["ruleIndex"]] == res["ruleId"]
        region = res["locations"][0]["physicalLocation"]["region"]
        assert {"startLine", "startColumn", "endLine", "endColumn"} <= set(region)
    prints = [r for r in results if r["ruleId"] == "RL101"
              and r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "examples/backend/app/main.py"]
    assert prints, "the example's print() must be reported"
    loc = prints[0]["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
    assert loc["region"]["startColumn"] == 5
    fix = prints[0]["fixes"][0]
    change = fix["artifactChanges"][0]
    assert change["artifactLocation"]["uri"] == "examples/backend/app/main.py"
    rep = change["replacements"][-1]
    assert rep["insertedContent"]["text"].startswith("logger.debug(")
    assert rep["deletedRegion"]["startLine"] == loc["region"]["startLine"]
    assert fix["properties"]["applicability"] == "unsafe"
