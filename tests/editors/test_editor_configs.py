"""The documented editor configurations parse, and agree with the server and the VS Code
extension on languages and settings (the behaviour itself is proven in test_neovim.py and
test_vscode.py)."""

from __future__ import annotations

import json
import re
import subprocess
import tomllib

import pytest

from ._support import REPO, server_env
from .test_neovim import nvim_binary

pytestmark = pytest.mark.editors

NVIM = REPO / "editors" / "nvim"
VSCODE = REPO / "editors" / "vscode"
LANGUAGES = ["python", "typescript", "typescriptreact", "javascript", "javascriptreact"]


def test_neovim_config_files_load(tmp_path) -> None:
    """lsp/reviewlens.lua evaluates to a vim.lsp.Config; lspconfig.lua compiles."""
    nvim = nvim_binary()
    script = tmp_path / "check.lua"
    out = tmp_path / "out.json"
    script.write_text(
        f"""
local cfg = dofile({json.dumps(str(NVIM / 'lsp' / 'reviewlens.lua'))})
assert(loadfile({json.dumps(str(NVIM / 'lspconfig.lua'))}))
local f = assert(io.open({json.dumps(str(out))}, 'w'))
f:write(vim.json.encode({{ cmd = cfg.cmd, filetypes = cfg.filetypes, root_markers = cfg.root_markers,
  init_options = cfg.init_options, has_on_attach = type(cfg.on_attach) == 'function' }}))
f:close()
"""
    )
    proc = subprocess.run([nvim, "--headless", "--clean", "-l", str(script)], capture_output=True, text=True, timeout=60,
                          env=server_env(), stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stderr
    cfg = json.loads(out.read_text())
    assert cfg["cmd"] == ["reviewlens", "serve"]
    assert cfg["filetypes"] == LANGUAGES
    assert cfg["has_on_attach"] is True
    settings = cfg["init_options"]["settings"]
    # `select` must be absent: an empty list would select no rule at all.
    assert "select" not in settings
    assert settings["severity"] == {} and settings["debounce"] == 150 and settings["enable"] is True


def test_vscode_manifest_mirrors_server_settings() -> None:
    manifest = json.loads((VSCODE / "package.json").read_text())
    events = manifest["activationEvents"]
    assert all(f"onLanguage:{lang}" in events for lang in LANGUAGES)
    props = manifest["contributes"]["configuration"]["properties"]
    for key in ("enable", "path", "select", "extendSelect", "ignore", "severity", "debounce", "trace.server"):
        assert f"reviewlens.{key}" in props, key
    assert props["reviewlens.select"]["default"] is None  # unset = the project's selection
    assert props["reviewlens.debounce"]["default"] == 150
    commands = {c["command"] for c in manifest["contributes"]["commands"]}
    assert commands == {"reviewlens.restart", "reviewlens.executeAutofix", "reviewlens.showOutput"}
    # vscode-languageclient registers the server's LSP commands as VS Code commands of the
    # same name: the extension's own commands must not collide with them.
    from reviewlens.server.lsp import COMMANDS

    server_commands = set(COMMANDS)
    assert server_commands
    assert not commands & server_commands
    # Nothing but the bundle and the marketplace files go into the .vsix.
    ignore = (VSCODE / ".vscodeignore").read_text()
    assert "!dist/extension.js" in ignore and "\n**\n" in ignore
    lock = json.loads((VSCODE / "package-lock.json").read_text())
    assert lock["lockfileVersion"] >= 3


def test_helix_snippet_is_valid_toml() -> None:
    readme = (NVIM / "README.md").read_text()
    blocks = re.findall(r"```toml\n(.*?)```", readme, re.S)
    assert blocks, "editors/nvim/README.md has no toml block"
    doc = tomllib.loads(blocks[0])
    assert doc["language-server"]["reviewlens"]["command"] == "reviewlens"
    assert doc["language-server"]["reviewlens"]["args"] == ["serve"]
    assert {lang["name"] for lang in doc["language"]} == {"python", "typescript", "tsx", "javascript", "jsx"}
    assert all("reviewlens" in lang["language-servers"] for lang in doc["language"])
