"""`reviewlens serve` end to end over stdio (pytest-lsp): every capability of issue 3.

Rules used: RL101 (debug-print) for most cases; RL501 (bare-except, safe fix) for fix-all;
RL401 (deprecated API) for the Deprecated tag.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time

import pytest
from lsprotocol import types as lsp

from .conftest import caps, open_session

PRINT_APP = "import logging\n\nlogger = logging.getLogger(__name__)\n\n\ndef handler(x):\n    print(x)\n    return x\n"
BARE_EXCEPT = "def load(path):\n    try:\n        return open(path).read()\n    except:\n        return None\n"


def codes(diags):
    return sorted(d.code for d in diags)


def rl(diags, code="RL101"):
    return [d for d in diags if d.code == code]


# --- lifecycle and capabilities ---------------------------------------------------------------

async def test_initialize_capabilities_and_clean_shutdown(tmp_path):
    async with open_session(tmp_path) as s:
        c = s.init_result.capabilities
        assert s.init_result.server_info.name == "reviewlens"
        assert c.position_encoding in ("utf-16", lsp.PositionEncodingKind.Utf16)
        assert c.text_document_sync.change == lsp.TextDocumentSyncKind.Incremental
        assert c.hover_provider
        assert "source.fixAll.reviewlens" in c.code_action_provider.code_action_kinds
        assert set(c.execute_command_provider.commands) >= {"reviewlens.applyAutofix", "reviewlens.fixAll", "reviewlens.showDocumentation"}
        assert c.diagnostic_provider is None  # VS Code 1.65 has no pull diagnostics: push
    # shutdown_session() waited for the process: exit code 0 after shutdown + exit
    assert s.client._server.returncode == 0


@pytest.mark.parametrize("client", ["visual-studio-code", "neovim"])
async def test_fast_start_advertises_what_pygls_computes(tmp_path, client):
    results = []
    for extra in ([], ["--no-fast-start"]):
        async with open_session(tmp_path, caps(client), command=[sys.executable, "-m", "reviewlens.server", "serve", *extra]) as s:
            results.append(json.dumps(s.client.protocol._converter.unstructure(s.init_result), sort_keys=True))
            assert not [m for m in s.client.log_messages if "differ" in m.message]
    assert results[0] == results[1]


async def test_utf8_negotiated_when_offered(tmp_path):
    text = "x = '😀'; print(x)\n"
    async with open_session(tmp_path, caps("neovim")) as s:
        assert s.init_result.capabilities.position_encoding in ("utf-8", lsp.PositionEncodingKind.Utf8)
        # Neovim pulls diagnostics (textDocument/diagnostic)
        uri = s.open("enc.py", text)
        report = await s.client.text_document_diagnostic_async(
            lsp.DocumentDiagnosticParams(text_document=lsp.TextDocumentIdentifier(uri=uri)))
        (d,) = rl(report.items)
        start = text.encode().index(b"print")
        assert (d.range.start.line, d.range.start.character) == (0, start)  # bytes
        assert d.range.end.character == start + len("print(x)")


async def test_utf16_positions_on_a_line_with_emoji_and_cjk(tmp_path):
    text = "名 = '😀🎉'; print(名)\r\nprint('é')\n"
    async with open_session(tmp_path) as s:
        uri = s.open("emoji.py", text)
        diags = rl(await s.diagnostics(uri, 1))
        first = text.split("\r\n")[0]
        col = first.index("print")
        utf16 = col + 2  # two astral characters take two UTF-16 units each
        assert [(d.range.start.line, d.range.start.character) for d in diags] == [(0, utf16), (1, 0)]
        assert diags[0].range.end.character == utf16 + len("print(名)")
        # an edit addressed in UTF-16 lands where the client means it (after the emoji)
        v = s.change(uri, "#", lsp.Range(lsp.Position(0, utf16), lsp.Position(0, utf16)))
        diags = rl(await s.diagnostics(uri, v))
        assert [(d.range.start.line, d.range.start.character) for d in diags] == [(1, 0)]


# --- push diagnostics -------------------------------------------------------------------------

async def test_push_diagnostics_fields_on_open_change_and_save(tmp_path):
    async with open_session(tmp_path) as s:
        uri = s.open("app.py", PRINT_APP)
        (d,) = await s.diagnostics(uri, 1)
        assert d.code == "RL101" and d.source == "reviewlens"
        assert d.severity == lsp.DiagnosticSeverity.Warning
        assert d.code_description.href.endswith("#rl101-debug-print")
        assert (d.range.start.line, d.range.start.character, d.range.end.character) == (6, 4, 12)
        assert d.data["version"] == 1 and d.data["fix"]["applicability"] == "unsafe"
        assert s.published[uri].version == 1
        v = s.change(uri, "", lsp.Range(lsp.Position(6, 0), lsp.Position(7, 0)))  # delete the print line
        assert await s.diagnostics(uri, v) == []
        (tmp_path / "app.py").write_text(PRINT_APP)
        s.client.text_document_did_save(lsp.DidSaveTextDocumentParams(text_document=lsp.TextDocumentIdentifier(uri=uri)))
        await asyncio.sleep(0.3)
        assert s.published[uri].version == v  # saved: re-checked, still the current version


async def test_typescript_tsx_and_js_documents(tmp_path):
    async with open_session(tmp_path) as s:
        uris = [
            s.open("lib/util.ts", "export function f(x: number) {\n  console.log(x);\n}\n", "typescript"),
            s.open("components/Box.tsx", "export const Box = () => { console.debug('r'); return <div/>; };\n", "typescriptreact"),
            s.open("lib/legacy.js", "function g() { console.info('x'); }\n", "javascript"),
        ]
        for uri in uris:
            assert codes(await s.diagnostics(uri, 1)) == ["RL101"], uri


async def test_deprecated_tag(tmp_path):
    src = "from fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.on_event('startup')\nasync def up():\n    pass\n"
    async with open_session(tmp_path) as s:
        uri = s.open("main.py", src)
        (d,) = rl(await s.diagnostics(uri, 1), "RL401")
        assert list(d.tags) == [lsp.DiagnosticTag.Deprecated]


async def test_close_clears_diagnostics(tmp_path):
    async with open_session(tmp_path) as s:
        uri = s.open("app.py", PRINT_APP)
        assert rl(await s.diagnostics(uri, 1))
        s.client.text_document_did_close(lsp.DidCloseTextDocumentParams(text_document=lsp.TextDocumentIdentifier(uri=uri)))
        for _ in range(200):
            if not s.published[uri].diagnostics:
                break
            await asyncio.sleep(0.01)
        assert list(s.published[uri].diagnostics) == []


async def test_burst_of_30_edits_publishes_the_final_version_only(tmp_path):
    async with open_session(tmp_path, init_options={"debounce": 150}) as s:
        uri = s.open("burst.py", "def f():\n    pass\n")
        await s.diagnostics(uri, 1)
        s.client.publish_log = []
        line = "    print('hello')"
        for i, ch in enumerate(line):  # 18 single-character insertions...
            s.change(uri, ch, lsp.Range(lsp.Position(2, i), lsp.Position(2, i)))
        for i in range(12):  # ...and 12 more edits on another line
            s.change(uri, "x" if i % 2 == 0 else "", lsp.Range(lsp.Position(0, 0), lsp.Position(0, 0 if i % 2 == 0 else 1)))
        final = s.buffers.version[uri]
        assert final == 31
        diags = await s.diagnostics(uri, final)
        assert codes(diags) == ["RL101"] and diags[0].range.start.line == 2
        await asyncio.sleep(0.3)
        assert [p.version for p in s.client.publish_log] == [final]  # debounced: one publication


async def test_never_publishes_an_older_version(tmp_path):
    async with open_session(tmp_path, init_options={"debounce": 0}) as s:
        uri = s.open("order.py", PRINT_APP)
        await s.diagnostics(uri, 1)
        s.client.publish_log = []
        for i in range(20):
            s.change(uri, f"# {i}\n", lsp.Range(lsp.Position(0, 0), lsp.Position(0, 0)))
        await s.diagnostics(uri, 21)
        versions = [p.version for p in s.client.publish_log]
        assert versions == sorted(versions) and versions[-1] == 21


# --- pull diagnostics -------------------------------------------------------------------------

async def test_pull_diagnostics_when_the_client_supports_them(tmp_path):
    c = caps(textDocument__diagnostic={"dynamicRegistration": False}, workspace__diagnostics={"refreshSupport": True})
    async with open_session(tmp_path, c) as s:
        assert s.init_result.capabilities.diagnostic_provider.identifier == "reviewlens"
        uri = s.open("app.py", PRINT_APP)
        params = lsp.DocumentDiagnosticParams(text_document=lsp.TextDocumentIdentifier(uri=uri))
        report = await s.client.text_document_diagnostic_async(params)
        assert report.kind == "full" and codes(report.items) == ["RL101"]
        params.previous_result_id = report.result_id
        again = await s.client.text_document_diagnostic_async(params)
        assert again.kind == "unchanged"
        s.change(uri, "", lsp.Range(lsp.Position(6, 0), lsp.Position(7, 0)))
        after = await s.client.text_document_diagnostic_async(params)
        assert after.kind == "full" and list(after.items) == []
        await asyncio.sleep(0.2)
        assert uri not in s.published  # pull clients get no pushes
        # a settings change asks the client to pull again
        s.client.workspace_did_change_configuration(lsp.DidChangeConfigurationParams(settings={"reviewlens": {"ignore": ["RL101"]}}))
        for _ in range(200):
            if s.client.diagnostic_refresh_count:
                break
            await asyncio.sleep(0.01)
        assert s.client.diagnostic_refresh_count >= 1


async def test_diagnostic_mode_push_overrides_pull(tmp_path):
    c = caps(textDocument__diagnostic={"dynamicRegistration": False})
    async with open_session(tmp_path, c, init_options={"diagnosticMode": "push", "debounce": 0}) as s:
        assert s.init_result.capabilities.diagnostic_provider is None
        uri = s.open("app.py", PRINT_APP)
        assert codes(await s.diagnostics(uri, 1)) == ["RL101"]


# --- code actions -----------------------------------------------------------------------------

async def test_code_actions_in_eslint_order_and_each_applied(tmp_path):
    async with open_session(tmp_path) as s:
        uri = s.open("app.py", PRINT_APP)
        diags = await s.diagnostics(uri, 1)
        actions = await s.code_actions(uri, diags, only=None)
        titles = [a.title for a in actions]
        assert titles == [
            "Replace with `logger.debug(...)` (RL101) (unsafe)",
            "Delete the debug output (RL101) (unsafe)",
            "Disable RL101 for this line",
            "Disable RL101 for this file",
            "Show documentation for RL101",
        ]
        assert all(a.kind == lsp.CodeActionKind.QuickFix for a in actions)
        assert not actions[0].is_preferred  # unsafe fixes are never preferred
        expected = [
            PRINT_APP.replace("print(x)", 'logger.debug("%s", x)'),
            PRINT_APP.replace("    print(x)\n", ""),
            PRINT_APP.replace("print(x)", "print(x)  # noqa: RL101"),
            "# reviewlens: noqa: RL101\n" + PRINT_APP,
        ]
        for action, want in zip(actions[:4], expected):
            s.buffers.text[uri] = PRINT_APP
            dc = action.edit.document_changes[0]
            assert dc.text_document.version == 1
            assert s.buffers.apply(action.edit)
            assert s.buffers.text[uri] == want, action.title
        # each applied result is clean for RL101 when the server checks it
        for i, want in enumerate(expected):
            u = s.open(f"applied_{i}.py", want)
            assert rl(await s.diagnostics(u, 1)) == [], want
        # "Show documentation" runs a server command that opens the docs URL in the client
        cmd = actions[4].command
        result = await s.client.workspace_execute_command_async(
            lsp.ExecuteCommandParams(command=cmd.command, arguments=cmd.arguments))
        assert result["shown"] is True
        assert s.client.shown_documents[-1].uri.endswith("#rl101-debug-print")
        assert s.client.shown_documents[-1].external is True


async def test_disable_actions_for_typescript(tmp_path):
    src = "export function f(x: number) {\n  console.log(x);\n}\n"
    async with open_session(tmp_path) as s:
        uri = s.open("lib/util.ts", src, "typescript")
        diags = await s.diagnostics(uri, 1)
        actions = {a.title: a for a in await s.code_actions(uri, diags)}
        s.buffers.apply(actions["Disable RL101 for this line"].edit)
        assert s.buffers.text[uri] == "export function f(x: number) {\n  // reviewlens-disable-next-line RL101\n  console.log(x);\n}\n"
        v = s.sync_buffer(uri)
        assert rl(await s.diagnostics(uri, v)) == []


async def test_safe_fix_is_preferred_and_fix_all_applies_safe_fixes_only(tmp_path):
    src = BARE_EXCEPT + "\n\ndef save(path):\n    try:\n        open(path, 'w')\n    except:\n        return False\n    print(path)\n"
    async with open_session(tmp_path) as s:
        uri = s.open("io_utils.py", src)
        diags = await s.diagnostics(uri, 1)
        assert codes(diags) == ["RL101", "RL501", "RL501"]
        first = rl(diags, "RL501")[0]
        actions = await s.code_actions(uri, [first])
        assert actions[0].title == "Replace with `except Exception:` (RL501)" and actions[0].is_preferred
        # source.fixAll.reviewlens, as editors request it on save
        fix_all = await s.code_actions(uri, [], only=["source.fixAll.reviewlens"])
        (action,) = fix_all
        assert action.kind == "source.fixAll.reviewlens"
        assert s.buffers.apply(action.edit)
        fixed = s.buffers.text[uri]
        assert fixed.count("except Exception:") == 2 and "print(path)" in fixed  # unsafe RL101 fix not applied
        v = s.sync_buffer(uri)
        assert codes(await s.diagnostics(uri, v)) == ["RL101"]
        # the lightbulb offers fix-all too, resolved lazily (VS Code supports resolving `edit`)
        s.buffers.text[uri] = src
        v = s.change(uri, src)
        diags = await s.diagnostics(uri, v)
        lazy = [a for a in await s.code_actions(uri, diags) if a.kind == "source.fixAll.reviewlens"]
        assert lazy and lazy[0].edit is None
        resolved = await s.client.code_action_resolve_async(lazy[0])
        assert s.buffers.apply(resolved.edit) and s.buffers.text[uri] == fixed


async def test_apply_autofix_command_and_stale_version_refusal(tmp_path):
    async with open_session(tmp_path) as s:
        uri = s.open("io_utils.py", BARE_EXCEPT)
        diags = await s.diagnostics(uri, 1)
        (quick,) = [a for a in await s.code_actions(uri, diags) if a.is_preferred]
        # the user types before choosing the fix: the versioned edit is refused, not misapplied
        v = s.change(uri, "# edited\n", lsp.Range(lsp.Position(0, 0), lsp.Position(0, 0)))
        before = s.buffers.text[uri]
        assert quick.edit.document_changes[0].text_document.version == 1
        assert not s.buffers.apply(quick.edit) and s.buffers.text[uri] == before
        # the command refuses a stale version too, and applies for the current one
        stale = await s.client.workspace_execute_command_async(lsp.ExecuteCommandParams(
            command="reviewlens.applyAutofix", arguments=[{"uri": uri, "version": 1}]))
        assert stale["applied"] is False and stale["reason"] == "stale"
        assert any("changed since" in m.message for m in s.client.messages)
        ok = await s.client.workspace_execute_command_async(lsp.ExecuteCommandParams(
            command="reviewlens.fixAll", arguments=[{"uri": uri, "version": v}]))
        assert ok["applied"] is True
        assert s.buffers.text[uri] == before.replace("except:", "except Exception:")


# --- hover ------------------------------------------------------------------------------------

async def test_hover_shows_rule_docs_as_markdown(tmp_path):
    async with open_session(tmp_path) as s:
        uri = s.open("app.py", PRINT_APP)
        await s.diagnostics(uri, 1)
        hover = await s.client.text_document_hover_async(lsp.HoverParams(
            text_document=lsp.TextDocumentIdentifier(uri=uri), position=lsp.Position(6, 6)))
        assert hover.contents.kind == lsp.MarkupKind.Markdown
        assert "**RL101**" in hover.contents.value and "What it does" in hover.contents.value
        assert "rl101-debug-print" in hover.contents.value
        assert (hover.range.start.line, hover.range.start.character) == (6, 4)
        nothing = await s.client.text_document_hover_async(lsp.HoverParams(
            text_document=lsp.TextDocumentIdentifier(uri=uri), position=lsp.Position(0, 1)))
        assert nothing is None


# --- settings and configuration ---------------------------------------------------------------

async def test_settings_from_initialization_options(tmp_path):
    opts = {"debounce": 0, "severity": {"RL101": "error"}}
    async with open_session(tmp_path, init_options=opts) as s:
        uri = s.open("app.py", PRINT_APP)
        (d,) = await s.diagnostics(uri, 1)
        assert d.severity == lsp.DiagnosticSeverity.Error
    async with open_session(tmp_path, init_options={"enable": False}) as s:
        uri = s.open("app.py", PRINT_APP)
        assert await s.diagnostics(uri, 1) == []


async def test_did_change_configuration_rechecks_open_documents(tmp_path):
    async with open_session(tmp_path) as s:
        uri = s.open("app.py", PRINT_APP)
        assert rl(await s.diagnostics(uri, 1))
        s.client.workspace_did_change_configuration(lsp.DidChangeConfigurationParams(settings={"reviewlens": {"ignore": ["RL101"]}}))
        for _ in range(300):
            if not rl(s.published[uri].diagnostics):
                break
            await asyncio.sleep(0.01)
        assert rl(s.published[uri].diagnostics) == []
        # bad values are reported once and ignored
        s.client.workspace_did_change_configuration(lsp.DidChangeConfigurationParams(settings={"reviewlens": {"select": ["RL999x"], "debounce": "soon"}}))
        for _ in range(300):
            if s.client.messages:
                break
            await asyncio.sleep(0.01)
        assert "RL999x" in s.client.messages[-1].message and "debounce" in s.client.messages[-1].message


async def test_per_root_settings_in_a_multi_root_workspace(tmp_path):
    a, b = tmp_path / "api", tmp_path / "web"
    a.mkdir()
    b.mkdir()
    config = {"": {"reviewlens": {"debounce": 0}}, b.as_uri(): {"reviewlens": {"debounce": 0, "ignore": ["RL101"]}}}
    async with open_session(tmp_path, folders=[a, b], configuration=config) as s:
        ua = s.open("api/app.py", PRINT_APP)
        ub = s.open("web/app.py", PRINT_APP)
        assert rl(await s.diagnostics(ua, 1))
        await asyncio.sleep(0.3)  # workspace/configuration arrives after initialized
        s.change(ub, PRINT_APP + "\n")
        assert rl(await s.diagnostics(ub, 2)) == []


async def test_project_config_file_is_watched(tmp_path):
    async with open_session(tmp_path) as s:
        for _ in range(200):
            if s.registrations:
                break
            await asyncio.sleep(0.01)
        (reg,) = s.registrations
        assert reg.method == "workspace/didChangeWatchedFiles"
        globs = [w["globPattern"] for w in reg.register_options["watchers"]]
        assert "**/pyproject.toml" in globs and "**/reviewlens.toml" in globs
        uri = s.open("app.py", PRINT_APP)
        assert rl(await s.diagnostics(uri, 1))
        cfg = tmp_path / "reviewlens.toml"
        cfg.write_text('ignore = ["RL101"]\n')
        s.client.workspace_did_change_watched_files(lsp.DidChangeWatchedFilesParams(
            changes=[lsp.FileEvent(uri=cfg.as_uri(), type=lsp.FileChangeType.Created)]))
        for _ in range(300):
            if not rl(s.published[uri].diagnostics):
                break
            await asyncio.sleep(0.01)
        assert rl(s.published[uri].diagnostics) == []


async def test_broken_config_shows_one_message_and_uses_defaults(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.reviewlens]\nselect = [\"RL101\"\n")  # unclosed list
    async with open_session(tmp_path) as s:
        u1 = s.open("app.py", PRINT_APP)
        u2 = s.open("other.py", PRINT_APP)
        assert rl(await s.diagnostics(u1, 1)) and rl(await s.diagnostics(u2, 1))  # defaults
        s.change(u1, PRINT_APP + "\n")
        await s.diagnostics(u1, 2)
        errors = [m for m in s.client.messages if m.type == lsp.MessageType.Error]
        assert len(errors) == 1
        assert "pyproject.toml" in errors[0].message and "invalid TOML" in errors[0].message


# --- robustness -------------------------------------------------------------------------------

async def test_half_typed_file_and_invalid_utf8_never_crash(tmp_path):
    raw = b"def f(:\n    print('a'\nx = b'\xff\xfe'\n"
    (tmp_path / "bad.py").write_bytes(raw)
    async with open_session(tmp_path) as s:
        uri = s.open("bad.py", raw.decode("utf-8", "surrogateescape"))  # lone surrogates over JSON
        await s.diagnostics(uri, 1)
        half = "def handler(x):\n    if x:\n        print(x\n    return [\n"
        u2 = s.open("half.py", half)
        await s.diagnostics(u2, 1)
        for i, ch in enumerate(")\n"):
            s.change(u2, ch, lsp.Range(lsp.Position(2, 15 + i), lsp.Position(2, 15 + i)))
        assert rl(await s.diagnostics(u2, 3))
        ok = s.open("ok.py", PRINT_APP)
        assert rl(await s.diagnostics(ok, 1))


async def test_large_file_is_skipped_with_a_log_line(tmp_path):
    big = "x = 1\n" * 900_000 + "print(x)\n"  # ~5.4 MB
    async with open_session(tmp_path) as s:
        uri = s.open("big.py", big)
        assert await s.diagnostics(uri, 1) == []
        assert any("maxFileSize" in m.message for m in s.client.log_messages)
        small = s.open("small.py", PRINT_APP)
        assert rl(await s.diagnostics(small, 1))  # still responsive
    async with open_session(tmp_path, init_options={"debounce": 0, "maxFileSize": 50}) as s:
        uri = s.open("app.py", PRINT_APP)
        assert await s.diagnostics(uri, 1) == []


async def test_unknown_methods_and_malformed_params(tmp_path):
    async with open_session(tmp_path) as s:
        with pytest.raises(Exception) as err:
            await s.raw_request("reviewlens/noSuchMethod", {"x": 1})
        assert "noSuchMethod" in str(err.value)
        s.raw_notify("reviewlens/noSuchNotification", {"x": 1})
        s.raw_notify("$/setTrace", {"value": "verbose"})
        # malformed: wrong types inside known methods
        with pytest.raises(Exception) as err:
            await s.raw_request("textDocument/hover", {"textDocument": 5, "position": "here"})
        assert "invalid params for textDocument/hover" in str(err.value)
        with pytest.raises(Exception) as err:
            await s.raw_request("textDocument/codeAction", {"textDocument": {"uri": "file:///x.py"}})
        assert "invalid params" in str(err.value)
        s.raw_notify("textDocument/didChange", {"textDocument": {"uri": 7}, "contentChanges": "x"})
        s.raw_notify("textDocument/didOpen", {"textDocument": None})
        s.raw_notify("textDocument/didChange", {"textDocument": {"uri": "file:///nowhere.py", "version": 3},
                                                "contentChanges": [{"text": "x"}]})
        with pytest.raises(Exception):
            await s.client.workspace_execute_command_async(lsp.ExecuteCommandParams(command="reviewlens.applyAutofix", arguments=[42]))
        with pytest.raises(Exception):
            await s.client.workspace_execute_command_async(lsp.ExecuteCommandParams(command="reviewlens.showDocumentation", arguments=["NOPE"]))
        # requests about unknown documents answer with nothing
        missing = lsp.TextDocumentIdentifier(uri=(tmp_path / "missing.py").as_uri())
        assert await s.client.text_document_hover_async(lsp.HoverParams(text_document=missing, position=lsp.Position(0, 0))) is None
        # still alive and correct
        uri = s.open("app.py", PRINT_APP)
        assert rl(await s.diagnostics(uri, 1))
        info = await s.client.workspace_execute_command_async(lsp.ExecuteCommandParams(command="reviewlens.printDebugInformation"))
        assert "open documents: 1" in info


async def test_nothing_but_lsp_on_stdout_and_logs_go_to_log_message(tmp_path):
    async with open_session(tmp_path) as s:
        uri = s.open("app.py", PRINT_APP)
        await s.diagnostics(uri, 1)
        assert any("ready in" in m.message for m in s.client.log_messages)
        assert s.client.error is None  # any non-LSP byte on stdout would have broken the client


async def test_client_vanishing_ends_the_server(tmp_path):
    import subprocess

    proc = subprocess.Popen([sys.executable, "-m", "reviewlens.server", "serve"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "initialize",
                       "params": {"processId": None, "rootUri": tmp_path.as_uri(), "capabilities": {}}}).encode()
    proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    proc.stdin.flush()
    header = proc.stdout.readline()
    assert header.startswith(b"Content-Length")
    started = time.monotonic()
    proc.stdin.close()  # the editor is gone
    proc.stdout.close()
    rc = proc.wait(timeout=20)
    assert time.monotonic() - started < 20
    stderr = proc.stderr.read().decode()
    assert "Traceback" not in stderr, stderr
    assert rc in (0, 1)


async def test_tcp_mode_for_debugging(tmp_path):
    import socket
    import subprocess

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "reviewlens.server", "serve", "--tcp", f"127.0.0.1:{port}"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        for _ in range(300):
            try:
                conn = socket.create_connection(("127.0.0.1", port), timeout=5)
                break
            except OSError:
                await asyncio.sleep(0.05)
        else:
            raise AssertionError("server did not listen")
        with conn:
            body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "initialize",
                               "params": {"processId": None, "rootUri": tmp_path.as_uri(), "capabilities": {}}}).encode()
            conn.sendall(b"Content-Length: %d\r\n\r\n" % len(body) + body)
            reply = b""
            while b"serverInfo" not in reply:
                chunk = conn.recv(65536)
                assert chunk, reply
                reply += chunk
            assert b'"name": "reviewlens"' in reply or b'"name":"reviewlens"' in reply
    finally:
        proc.kill()
        proc.wait(10)
    assert proc.stdout.read() == b""  # nothing on stdout in TCP mode either


async def test_neovim_gets_unversioned_changes_in_utf8_for_the_current_version(tmp_path):
    # Neovim 0.11 does not announce workspaceEdit.documentChanges: fixes come as `changes`,
    # offered only for the version the diagnostics were computed for.
    text = "def f(x):\n    s = '😀'; print(x)\n    return s\n"
    async with open_session(tmp_path, caps("neovim")) as s:
        uri = s.open("nv.py", text)
        report = await s.client.text_document_diagnostic_async(
            lsp.DocumentDiagnosticParams(text_document=lsp.TextDocumentIdentifier(uri=uri)))
        (d,) = rl(report.items)
        actions = await s.code_actions(uri, [d])
        delete = next(a for a in actions if a.title.startswith("Disable RL101 for this line"))
        assert delete.edit.document_changes is None and list(delete.edit.changes) == [uri]
        (edit,) = delete.edit.changes[uri]
        line = text.splitlines()[1].encode()
        assert (edit.range.start.line, edit.range.start.character) == (1, len(line))  # UTF-8 bytes
        s.change(uri, text + "\n")
        assert await s.code_actions(uri, [d]) == []  # stale and unversioned: not offered
