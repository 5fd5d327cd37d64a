"""Fetch the pinned benchmark corpus from the package registries (cached, never committed).

Python half: sdists from PyPI (`pip download --no-binary :all:`); TypeScript half: npm
tarballs that ship their TypeScript sources (`npm pack`). Everything lands in
bench/.corpus/{python,typescript}/<name>/ and is reused on later runs.

    python bench/corpus.py          # fetch (idempotent) and print line counts
"""

from __future__ import annotations

import subprocess
import sys
import tarfile
import zipfile
import re
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
CORPUS = HERE / ".corpus"

PYPI = [
    "fastapi==0.115.12",
    "starlette==0.46.2",
    "httpx==0.28.1",
    "pydantic-settings==2.9.1",
    "uvicorn==0.34.2",
]
NPM = [
    "@reduxjs/toolkit@2.8.1",
    "@tanstack/query-core@5.75.0",
    "@tanstack/react-query@5.75.0",
    "@trpc/server@11.1.2",
    "@trpc/client@11.1.2",
    "@trpc/react-query@11.1.2",
    "@tanstack/table-core@8.21.3",
    "zod@4.1.12",
]
# Not part of the batch benchmark: real FastAPI application code (wheels; the Python
# files only), where the rules find far more than in the libraries above. Fetched by
# `python bench/corpus.py --apps` into bench/.corpus-apps/; `bench/profile_rules.py
# --half apps` profiles it.
APPS = [
    "open-webui==0.12.4",
    "litellm==1.109.1",
    "langflow-base==1.13.0",
    "chainlit==2.12.0",
    "khoj==1.42.10",
]
APPS_CORPUS = HERE / ".corpus-apps"
PY_SUFFIXES = {".py"}
TS_SUFFIXES = {".ts", ".tsx", ".mts", ".cts"}
# Compiled output and type declarations are not sources: every linter skips them.
SKIP_DIRS = {"dist", "build", "node_modules"}


def is_source(rel: Path, suffixes: set[str]) -> bool:
    if rel.suffix not in suffixes or SKIP_DIRS.intersection(rel.parts[:-1]):
        return False
    return not re.search(r"\.d\.[mc]?ts$", rel.name)


def _safe_extract(archive: Path, dest: Path) -> None:
    with tarfile.open(archive) as tar:
        tar.extractall(dest, filter="data")


def fetch_pypi(spec: str) -> Path:
    name = spec.split("==")[0]
    dest = CORPUS / "python" / name
    if dest.exists():
        return dest
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-binary", ":all:", spec, "-d", tmp],
            check=True,
        )
        (archive,) = list(Path(tmp).glob("*.tar.gz"))
        staging = Path(tmp) / "x"
        _safe_extract(archive, staging)
        (top,) = list(staging.iterdir())
        dest.parent.mkdir(parents=True, exist_ok=True)
        top.rename(dest)
    return dest


def fetch_npm(spec: str) -> Path:
    name = spec.rsplit("@", 1)[0].replace("@", "").replace("/", "-")
    dest = CORPUS / "typescript" / name
    if dest.exists():
        return dest
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["npm", "pack", "-q", spec, "--pack-destination", tmp], check=True, capture_output=True)
        (archive,) = list(Path(tmp).glob("*.tgz"))
        staging = Path(tmp) / "x"
        _safe_extract(archive, staging)
        package = staging / "package"
        dest.mkdir(parents=True, exist_ok=True)
        # Keep only the TypeScript sources (not the compiled JS nor .d.ts): the half we measure.
        for path in package.rglob("*"):
            if path.is_file() and is_source(path.relative_to(package), TS_SUFFIXES):
                target = dest / path.relative_to(package)
                target.parent.mkdir(parents=True, exist_ok=True)
                path.rename(target)
    return dest


def fetch_app(spec: str) -> Path:
    """A wheel's Python files in APPS_CORPUS/<name>/."""
    dest = APPS_CORPUS / spec.split("==")[0]
    if dest.exists():
        return dest
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", spec, "-d", tmp], check=True)
        (archive,) = list(Path(tmp).glob("*.whl"))
        staging = Path(tmp) / "x"
        with zipfile.ZipFile(archive) as whl:
            for member in whl.namelist():
                if member.endswith(".py") and ".." not in Path(member).parts:
                    whl.extract(member, staging)
        dest.parent.mkdir(parents=True, exist_ok=True)
        staging.rename(dest)
    return dest


def ensure_apps() -> int:
    APPS_CORPUS.mkdir(parents=True, exist_ok=True)
    (APPS_CORPUS / "reviewlens.toml").write_text(CORPUS_CONFIG)
    for spec in APPS:
        fetch_app(spec)
    return line_count(files("apps"))


def files(half: str) -> list[Path]:
    suffixes = TS_SUFFIXES if half == "typescript" else PY_SUFFIXES
    root = APPS_CORPUS if half == "apps" else CORPUS / half
    return sorted(p for p in root.rglob("*") if p.is_file() and is_source(p.relative_to(root), suffixes))


def line_count(paths: list[Path]) -> int:
    return sum(p.read_bytes().count(b"\n") for p in paths)


CORPUS_CONFIG = """\
# Written by bench/corpus.py. The repository's .gitignore lists bench/.corpus/, so
# reviewlens would skip it; the benchmark wants every file checked.
respect-gitignore = false
"""


def ensure() -> dict[str, int]:
    CORPUS.mkdir(parents=True, exist_ok=True)
    (CORPUS / "reviewlens.toml").write_text(CORPUS_CONFIG)
    # semgrep's built-in ignore list skips tests/ folders unless a .semgrepignore exists.
    (CORPUS / ".semgrepignore").write_text("# checked in full by the benchmark\n")
    for spec in PYPI:
        fetch_pypi(spec)
    for spec in NPM:
        fetch_npm(spec)
    return {half: line_count(files(half)) for half in ("python", "typescript")}


if __name__ == "__main__":
    if "--apps" in sys.argv[1:]:
        n = ensure_apps()
        print(f"      apps: {len(files('apps')):5d} files {n:8d} lines")
        sys.exit(0)
    counts = ensure()
    for half, n in counts.items():
        print(f"{half:>10}: {len(files(half)):5d} files {n:8d} lines")
    print(f"{'total':>10}: {sum(counts.values()):8d} lines")
