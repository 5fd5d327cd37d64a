"""Install the peer tools at pinned versions into bench/.cache (never committed).

    python bench/peers.py      # idempotent
"""

from __future__ import annotations

import importlib.metadata
import json
import shutil
import subprocess
import sys
import venv
from pathlib import Path

HERE = Path(__file__).resolve().parent
CACHE = HERE / ".cache"
VENV = CACHE / "venv"
NODE = CACHE / "node"

PIP_PEERS = ["ruff==0.17.6", "semgrep==1.182.0"]
NPM_PEERS = ["eslint@9.39.5", "@typescript-eslint/parser@8.73.0", "typescript@5.9.3", "@ast-grep/cli@0.51.1"]


def bin_path(name: str) -> Path:
    if name in ("ruff", "semgrep", "pysemgrep"):
        return VENV / "bin" / name
    return NODE / "node_modules" / ".bin" / name


def ensure() -> None:
    CACHE.mkdir(exist_ok=True)
    if not (VENV / "bin" / "semgrep").exists():
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
        subprocess.run([str(VENV / "bin" / "pip"), "install", "-q", *PIP_PEERS], check=True)
    if not bin_path("eslint").exists() or not bin_path("ast-grep").exists():
        NODE.mkdir(exist_ok=True)
        (NODE / "package.json").write_text('{"name": "reviewlens-bench-peers", "private": true, "type": "module"}\n')
        subprocess.run(["npm", "install", "-q", "--no-audit", "--no-fund", *NPM_PEERS], cwd=NODE, check=True)
    for peer in ("eslint.config.mjs",):
        shutil.copy(HERE / "peers" / peer, NODE / peer)


def versions() -> dict[str, str]:
    def run(cmd: list[str]) -> str:
        try:
            out = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
            return (out.stdout or out.stderr).strip().splitlines()[0]
        except Exception as exc:  # reported, not fatal
            return f"unavailable ({exc})"

    def npm_version(package: str) -> str:
        try:
            return json.loads((NODE / "node_modules" / package / "package.json").read_text())["version"]
        except (OSError, ValueError, KeyError):
            return "unavailable"

    def py_version(dist: str) -> str:
        try:
            return importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            return "unavailable"

    return {
        "reviewlens": py_version("reviewlens"),
        "py-tree-sitter": py_version("tree-sitter"),
        "tree-sitter-python": py_version("tree-sitter-python"),
        "tree-sitter-typescript": py_version("tree-sitter-typescript"),
        "ruff": run([str(bin_path("ruff")), "--version"]),
        "semgrep": run([str(bin_path("semgrep")), "--version", "--disable-version-check"]),
        "eslint": run([str(bin_path("eslint")), "--version"]),
        "@typescript-eslint/parser": npm_version("@typescript-eslint/parser"),
        "typescript": npm_version("typescript"),
        "ast-grep": run([str(bin_path("ast-grep")), "--version"]),
        "node": run(["node", "--version"]),
    }


if __name__ == "__main__":
    ensure()
    for k, v in versions().items():
        print(f"{k}: {v}")
    sys.exit(0)
