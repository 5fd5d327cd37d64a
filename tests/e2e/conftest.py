"""End-to-end harness: a real `reviewlens serve` over stdio, driven by pytest-lsp's client.

`open_session(...)` starts the server with a chosen client capability set (pytest-lsp's
recorded VS Code / Neovim capabilities, optionally patched), initializationOptions and
workspace folders. The client applies `workspace/applyEdit` like VS Code does: a
TextDocumentEdit whose version is not the buffer's current version is refused.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
from pathlib import Path
from typing import Any

from lsprotocol import types as lsp
from lsprotocol.converters import get_converter
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
from concurrent.futures import Future

from pygls.protocol import default_converter
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

SERVER = [sys.executable, "-m", "reviewlens.server", "serve"]
converter = get_converter()


def caps(name: str = "visual-studio-code", **patch: Any) -> lsp.ClientCapabilities:
    """Recorded client capabilities, with dotted-path patches (`None` deletes)."""
    raw = converter.unstructure(client_capabilities(name))
    for dotted, value in patch.items():
        node = raw
        *parents, last = dotted.split("__")
        for key in parents:
            node = node.setdefault(key, {})
        if value is None:
            node.pop(last, None)
        else:
            node[last] = value
    return converter.structure(raw, lsp.ClientCapabilities)


class Buffers:
    """The editor's view of open documents: text + version, edits applied like VS Code."""

    def __init__(self) -> None:
        self.text: dict[str, str] = {}
        self.version: dict[str, int] = {}
        self.refused: list[str] = []

    def apply(self, edit: lsp.WorkspaceEdit) -> bool:
        changes: list[tuple[str, int | None, list]] = []
        for dc in edit.document_changes or []:
            changes.append((dc.text_document.uri, dc.text_document.version, list(dc.edits)))
        for uri, edits in (edit.changes or {}).items():
            changes.append((uri, None, list(edits)))
        for uri, version, _ in changes:
            if version is not None and version != self.version.get(uri):
                self.refused.append(uri)
                return False
        for uri, _, edits in changes:
            self.text[uri] = apply_text_edits(self.text[uri], edits)
        return True


def apply_text_edits(text: str, edits: list) -> str:
    """Apply LSP TextEdits (UTF-16 positions) to `text`, last edit first."""
    def offset(pos: lsp.Position) -> int:
        lines = text.splitlines(keepends=True)
        base = sum(len(l) for l in lines[: pos.line])
        line = lines[pos.line] if pos.line < len(lines) else ""
        units = 0
        for i, ch in enumerate(line):
            if units >= pos.character or ch in "\r\n":
                return base + i
            units += 2 if ord(ch) > 0xFFFF else 1
        return base + len(line)

    spans = sorted(((offset(e.range.start), offset(e.range.end), e.new_text) for e in edits), reverse=True)
    for start, end, new in spans:
        text = text[:start] + new + text[end:]
    return text


class Session:
    def __init__(self, client: LanguageClient, root: Path, buffers: Buffers) -> None:
        self.client = client
        self.root = root
        self.buffers = buffers
        self.registrations: list[lsp.Registration] = []
        self.init_result: lsp.InitializeResult | None = None

    def uri(self, name: str) -> str:
        return (self.root / name).as_uri()

    def open(self, name: str, text: str, language_id: str = "python", version: int = 1) -> str:
        uri = self.uri(name)
        self.buffers.text[uri] = text
        self.buffers.version[uri] = version
        self.client.text_document_did_open(lsp.DidOpenTextDocumentParams(
            text_document=lsp.TextDocumentItem(uri=uri, language_id=language_id, version=version, text=text)))
        return uri

    def change(self, uri: str, text: str, range_: lsp.Range | None = None) -> int:
        """Send one change (whole text, or `text` replacing `range_`); returns the new version."""
        version = self.buffers.version[uri] + 1
        if range_ is None:
            change: Any = lsp.TextDocumentContentChangeWholeDocument(text=text)
            self.buffers.text[uri] = text
        else:
            change = lsp.TextDocumentContentChangePartial(range=range_, text=text)
            self.buffers.text[uri] = apply_text_edits(self.buffers.text[uri], [lsp.TextEdit(range=range_, new_text=text)])
        self.buffers.version[uri] = version
        self.client.text_document_did_change(lsp.DidChangeTextDocumentParams(
            text_document=lsp.VersionedTextDocumentIdentifier(uri=uri, version=version), content_changes=[change]))
        return version

    def sync_buffer(self, uri: str) -> int:
        """After an applied edit, tell the server like an editor does (a new version)."""
        text = self.buffers.text[uri]
        return self.change(uri, text)

    async def diagnostics(self, uri: str, version: int | None = None, timeout: float = 10) -> list[lsp.Diagnostic]:
        """Wait until diagnostics for `uri` (and `version`, when given) were published."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            got = self.published.get(uri)
            if got is not None and (version is None or got.version == version):
                return list(got.diagnostics)
            if loop.time() > deadline:
                raise TimeoutError(f"no diagnostics for {uri} v{version}; last: {got}")
            await asyncio.sleep(0.01)

    @property
    def published(self) -> dict[str, lsp.PublishDiagnosticsParams]:
        return self.client.published  # type: ignore[attr-defined]

    async def code_actions(self, uri: str, diagnostics: list[lsp.Diagnostic], only: list[str] | None = None,
                           rng: lsp.Range | None = None) -> list[lsp.CodeAction]:
        rng = rng or (diagnostics[0].range if diagnostics else lsp.Range(lsp.Position(0, 0), lsp.Position(0, 0)))
        params = lsp.CodeActionParams(
            text_document=lsp.TextDocumentIdentifier(uri=uri), range=rng,
            context=lsp.CodeActionContext(diagnostics=diagnostics, only=only))
        # lsprotocol's client-side converter reads a CodeAction that carries a `command` as a
        # Command; decode the raw JSON the way VS Code does (`typeof command === "string"`).
        result = await self.raw_request(lsp.TEXT_DOCUMENT_CODE_ACTION, converter.unstructure(params))
        return [converter.structure(item, lsp.CodeAction) for item in (result or [])
                if not isinstance(item.get("command"), str)]

    def raw_notify(self, method: str, params: Any) -> None:
        self.client.protocol._send_data({"jsonrpc": "2.0", "method": method, "params": params})

    async def raw_request(self, method: str, params: Any) -> Any:
        """A request sent and answered as plain JSON (no client-side checks or typing)."""
        proto = self.client.protocol
        msg_id = f"raw-{id(params)}-{asyncio.get_running_loop().time()}"
        fut: Future = Future()
        proto._request_futures[msg_id] = fut
        proto._result_types[msg_id] = None
        proto._send_data({"jsonrpc": "2.0", "id": msg_id, "method": method, "params": params})
        response = await asyncio.wait_for(asyncio.wrap_future(fut), 20)
        return response


def _client_factory(buffers: Buffers, registrations: list) -> Any:
    def factory() -> LanguageClient:
        client = LanguageClient(converter_factory=default_converter)
        register_lsp_features(client, {k: v for k, v in DEFAULT_CLIENT_FEATURES.items()
                                       if k != lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS})
        client.published = {}  # type: ignore[attr-defined]

        @client.feature(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def publish(client: LanguageClient, params: lsp.PublishDiagnosticsParams) -> None:
            client.diagnostics[params.uri] = params.diagnostics
            client.published[params.uri] = params  # type: ignore[attr-defined]
            client.publish_log = getattr(client, "publish_log", []) + [params]  # type: ignore[attr-defined]

        @client.feature(lsp.WORKSPACE_APPLY_EDIT)
        def apply_edit(client: LanguageClient, params: lsp.ApplyWorkspaceEditParams) -> lsp.ApplyWorkspaceEditResult:
            ok = buffers.apply(params.edit)
            return lsp.ApplyWorkspaceEditResult(applied=ok, failure_reason=None if ok else "version mismatch")

        @client.feature(lsp.CLIENT_REGISTER_CAPABILITY)
        def register(client: LanguageClient, params: lsp.RegistrationParams) -> None:
            registrations.extend(params.registrations)

        return client

    return factory


@contextlib.asynccontextmanager
async def open_session(root: Path, capabilities: lsp.ClientCapabilities | None = None,
                       init_options: Any = None, folders: list[Path] | None = None,
                       configuration: dict | None = None, command: list[str] | None = None):
    buffers = Buffers()
    registrations: list[lsp.Registration] = []
    config = ClientServerConfig(server_command=command or SERVER, client_factory=_client_factory(buffers, registrations))
    client = await config.start()
    if configuration is not None:
        client._configuration.update(configuration)  # type: ignore[attr-defined]
    session = Session(client, root, buffers)
    session.registrations = registrations
    folders = folders if folders is not None else [root]
    try:
        session.init_result = await client.initialize_session(lsp.InitializeParams(
            capabilities=capabilities or caps(),
            root_uri=root.as_uri(),
            workspace_folders=[lsp.WorkspaceFolder(uri=f.as_uri(), name=f.name) for f in folders],
            initialization_options=init_options if init_options is not None else {"debounce": 0},
        ))
        yield session
        await asyncio.wait_for(client.shutdown_session(), 15)
    finally:
        proc = getattr(client, "_server", None)
        if proc is not None and proc.returncode is None:
            proc.kill()  # a failed test must not leave the server (or the test) hanging
        with contextlib.suppress(Exception):
            await asyncio.wait_for(client.stop(), 10)


def full_range(text: str) -> lsp.Range:
    lines = text.split("\n")
    return lsp.Range(lsp.Position(0, 0), lsp.Position(len(lines) - 1, len(lines[-1])))


def dump(obj: Any) -> str:
    return json.dumps(converter.unstructure(obj), indent=1)
