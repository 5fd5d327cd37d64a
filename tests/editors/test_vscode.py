"""The VS Code extension in the real workbench: the .vsix is built and packaged here
(esbuild + @vscode/vsce), installed into code-server, and driven in headless Chromium
through playwright-core (tests/editors/vscode_e2e.mjs)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest

from ._support import ARTIFACTS, REPO, expected_after_fix, expected_after_fix_all, require, reviewlens_on_path, server_env

pytestmark = pytest.mark.editors

EXTENSION = REPO / "editors" / "vscode"
DRIVER = Path(__file__).parent / "vscode_e2e.mjs"
FAKE_PYTHON = Path(__file__).parent / "fake_python_extension"
CHROMIUM = os.environ.get("REVIEWLENS_CHROMIUM", "/usr/bin/chromium")
# Where .ci/run installs code-server (a project-local npm install; see its editors section).
CODE_SERVER_HOME = Path(os.environ.get("REVIEWLENS_TOOLS", "/opt/reviewlens-tools")) / "code-server"


def code_server_binary() -> str:
    candidates = [
        os.environ.get("REVIEWLENS_CODE_SERVER"),
        str(CODE_SERVER_HOME / "node_modules" / ".bin" / "code-server"),
        shutil.which("code-server"),
    ]
    found = next((c for c in candidates if c and os.access(c, os.X_OK)), None)
    require(found is not None, "code-server", "npm install code-server@4.100.x")
    return found  # type: ignore[return-value]


def run(cmd: list[str], **kwargs) -> subprocess.CompletedProcess:
    proc = subprocess.run(cmd, capture_output=True, text=True, stdin=subprocess.DEVNULL, **kwargs)
    if proc.returncode != 0:
        pytest.fail(f"{' '.join(cmd)} exited {proc.returncode}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}", pytrace=False)
    return proc


@pytest.fixture(scope="module")
def vsix(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Type-check, bundle (esbuild) and package (@vscode/vsce) the extension, from its lockfile."""
    require(shutil.which("node") is not None and shutil.which("npm") is not None, "Node.js and npm", "apt-get install nodejs npm")
    lock = EXTENSION / "package-lock.json"
    installed = EXTENSION / "node_modules" / ".package-lock.json"
    if not installed.exists() or installed.stat().st_mtime < lock.stat().st_mtime:
        run(["npm", "ci", "--no-audit", "--no-fund"], cwd=EXTENSION, timeout=600)
    out = tmp_path_factory.mktemp("vsix") / "reviewlens.vsix"
    # `npm run package`: vscode:prepublish type-checks and bundles, then @vscode/vsce packages.
    run(["npm", "run", "package", "--", "--out", str(out)], cwd=EXTENSION, timeout=300)
    with zipfile.ZipFile(out) as zf:
        names = set(zf.namelist())
        manifest = json.loads(zf.read("extension/package.json"))
        readme = zf.read("extension/readme.md").decode()
    assert "extension/dist/extension.js" in names
    assert not any(n.startswith("extension/node_modules/") or n.startswith("extension/src/") for n in names), sorted(names)
    assert manifest["main"] == "./dist/extension.js"
    assert "extension/media/screenshot.png" in names
    assert "/editors/vscode/media/screenshot.png)" in readme  # marketplace-resolvable image link
    return out


@pytest.fixture(scope="module")
def fake_python_vsix(vsix: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A stand-in for ms-python.python (which cannot be installed offline) exposing the
    `environments` API, so the interpreter step of the server lookup runs for real."""
    src = tmp_path_factory.mktemp("fake-python") / "ext"
    shutil.copytree(FAKE_PYTHON, src)
    out = src.parent / "ms-python.python.vsix"
    run([str(EXTENSION / "node_modules" / ".bin" / "vsce"), "package", "--no-dependencies", "--skip-license",
         "--allow-missing-repository", "--out", str(out)], cwd=src, timeout=120)
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop_group(proc: subprocess.Popen) -> None:
    """Stop code-server and everything it started (extension host, language server)."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # stragglers in the group
    except ProcessLookupError:
        pass
    proc.wait(timeout=10)


USER_SETTINGS = {
    "workbench.startupEditor": "none",
    "workbench.tips.enabled": False,
    "workbench.enableExperiments": False,
    "workbench.welcomePage.walkthroughs.openOnInstall": False,
    "security.workspace.trust.enabled": False,
    "extensions.ignoreRecommendations": True,
    "extensions.autoCheckUpdates": False,
    "extensions.autoUpdate": False,
    "telemetry.telemetryLevel": "off",
    "update.mode": "none",
    "editor.minimap.enabled": False,
    "chat.commandCenter.enabled": False,
    "window.commandCenter": False,
}


def test_vscode_workbench_quick_fix(vsix: Path, fake_python_vsix: Path, workspace: Path, tmp_path: Path) -> None:
    code_server = code_server_binary()
    require(os.access(CHROMIUM, os.X_OK), f"Chromium ({CHROMIUM})", "apt-get install chromium")
    playwright_dir = EXTENSION  # playwright-core is a devDependency of the extension
    require((playwright_dir / "node_modules" / "playwright-core").is_dir(), "playwright-core", "npm ci in editors/vscode")
    reviewlens = reviewlens_on_path()

    relpath = "app/orders.py"
    target = workspace / relpath
    expected_title, expected_text = expected_after_fix(target, "RL101", "Replace with `logger.debug")
    fixall_target = workspace / "app" / "storage.py"
    _, fixall_expected = expected_after_fix_all(fixall_target)
    flagged_line = next(i for i, line in enumerate(target.read_text().splitlines(), 1) if "print(" in line)

    # Everything code-server and Chromium write lives under tmp_path.
    home = tmp_path / "cs"
    user_data, extensions, xdg = home / "user-data", home / "extensions", home / "xdg"
    (user_data / "User").mkdir(parents=True)
    extensions.mkdir()
    settings = dict(USER_SETTINGS, **{"python.defaultInterpreterPath": sys.executable})
    (user_data / "User" / "settings.json").write_text(json.dumps(settings, indent=2))
    config = home / "config.yaml"
    config.write_text("auth: none\ncert: false\n")
    env = server_env()
    env.update(
        XDG_CONFIG_HOME=str(xdg / "config"),
        XDG_DATA_HOME=str(xdg / "data"),
        XDG_CACHE_HOME=str(xdg / "cache"),
        CS_DISABLE_GETTING_STARTED_OVERRIDE="1",
    )
    common = ["--user-data-dir", str(user_data), "--extensions-dir", str(extensions), "--config", str(config)]

    t_install = time.monotonic()
    installed = run(
        [code_server, *common, "--install-extension", str(vsix), "--install-extension", str(fake_python_vsix)],
        env=env,
        timeout=180,
    )
    listed = run([code_server, *common, "--list-extensions", "--show-versions"], env=env, timeout=120).stdout
    assert "reviewlens.reviewlens@0.1.0" in listed and "ms-python.python@0.0.1" in listed, installed.stdout + listed
    install_seconds = time.monotonic() - t_install

    port = free_port()
    log = (tmp_path / "code-server.log").open("w")
    proc = subprocess.Popen(
        [
            code_server,
            *common,
            "--bind-addr", f"127.0.0.1:{port}",
            "--auth", "none",
            "--disable-telemetry",
            "--disable-update-check",
            "--disable-workspace-trust",
            "--disable-getting-started-override",
            "--ignore-last-opened",
            str(workspace),
        ],
        env=env,
        cwd=workspace,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,  # its own process group, stopped as a whole below
    )
    ARTIFACTS.mkdir(exist_ok=True)
    for old in ARTIFACTS.glob("vscode-*.png"):
        old.unlink()
    result_file = tmp_path / "vscode-result.json"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                pass
            assert proc.poll() is None, f"code-server exited {proc.returncode}: {(tmp_path / 'code-server.log').read_text()[-3000:]}"
            assert time.monotonic() < deadline, "code-server did not answer /healthz within 60 s"
            time.sleep(0.2)

        driver_env = dict(os.environ)
        driver_env.update(
            RL_URL=f"http://127.0.0.1:{port}/?folder={workspace}",
            RL_WORKSPACE=str(workspace),
            RL_FILE=relpath,
            RL_SECOND_FILE="web/src/lib/api.ts",
            RL_FIXALL_FILE="app/storage.py",
            RL_FIXALL_MARKER="except Exception:",
            RL_LINE=str(flagged_line),
            RL_COLUMN="10",
            RL_FIXED_MARKER="logger.debug(",
            RL_REVIEWLENS=reviewlens,
            RL_ARTIFACTS=str(ARTIFACTS),
            RL_PROFILE=str(tmp_path / "chromium-profile"),
            RL_CHROMIUM=CHROMIUM,
            RL_PLAYWRIGHT=str(playwright_dir),
            RL_RESULT=str(result_file),
            RL_TIMEOUT_MS="45000",
        )
        driver = subprocess.run(
            ["node", str(DRIVER)], env=driver_env, capture_output=True, text=True, timeout=240, stdin=subprocess.DEVNULL
        )
    finally:
        stop_group(proc)
        log.close()

    report = json.loads(result_file.read_text()) if result_file.exists() else {}
    if driver.returncode != 0 or not report.get("ok"):
        ext_logs = "\n".join(
            p.read_text(errors="replace")[-3000:] for p in (user_data / "logs").rglob("*reviewlens*.log")
        )
        pytest.fail(
            f"VS Code driver exited {driver.returncode}\nstdout:\n{driver.stdout[-3000:]}\nstderr:\n{driver.stderr[-3000:]}\n"
            f"report:\n{json.dumps(report, indent=2)[:6000]}\nreviewlens output channel:\n{ext_logs}\n"
            f"code-server log:\n{(tmp_path / 'code-server.log').read_text()[-3000:]}\n"
            f"screenshot: {ARTIFACTS / 'vscode-failure.png'}",
            pytrace=False,
        )

    # What the user saw: squiggle, Problems panel row, status-bar item, the quick fix menu.
    assert report["squiggles_before"] >= 1
    [problem] = [row for row in report["problems_before"] if "RL101" in row]
    assert "`print` left in application code" in problem and "reviewlens" in problem, problem
    assert "reviewlens" in report["status_bar"]
    # Found through the interpreter selected in the Python extension (before PATH).
    assert "**reviewlens** running" in report["status_tooltip"], report["status_tooltip"]
    assert sys.executable in report["status_tooltip"] and "selected" in report["status_tooltip"], report["status_tooltip"]
    menu = report["menu"]
    assert menu[0].startswith(expected_title), menu
    assert report["focused"].startswith(expected_title), report["focused"]
    for entry in ("Disable RL101 for this line", "Disable RL101 for this file", "Show documentation for RL101"):
        assert any(item.startswith(entry) for item in menu), menu
    # After Enter and Ctrl+S: exactly the server's edit on disk, and the diagnostic gone.
    assert target.read_text() == expected_text
    assert report["squiggles_after"] == 0
    assert (ARTIFACTS / "vscode-quickfix-menu.png").stat().st_size > 10_000
    # A wrong reviewlens.path: a notification that names the setting and offers the fix.
    note = report["not_found_notification"]
    assert "/nonexistent/bin/reviewlens" in note and "Open Settings" in note, note
    assert "not running" in (report["status_after_bad_path"] or ""), report["status_after_bad_path"]
    # ... and a correct one is used in preference to PATH.
    assert reviewlens in report["status_with_path_setting"], report["status_with_path_setting"]
    # Settings changed while running reach the server (severity override, then ignore).
    assert report["squiggles_with_ignore"] == 0
    # The fix-all command: every safe fix, exactly as the engine computes it.
    assert fixall_target.read_text() == fixall_expected
    print(f"vsix install {install_seconds:.1f}s; driver timings {report['timings_ms']}")
