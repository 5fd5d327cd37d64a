"""The pygls server behind `reviewlens serve` (imported lazily by server/lsp.py).

Threading: everything runs on the asyncio loop (document updates, analysis, replies), so
there are no races on trees or documents; analysis is debounced per document and bounded
by `maxFileSize`. Diagnostics are pushed (`textDocument/publishDiagnostics`), or pulled
(`textDocument/diagnostic`) when the client supports that, never both (like ruff).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import threading
import time
import traceback
from typing import Any

from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcInternalError, JsonRpcInvalidParams
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.language_server import lsp_method

from reviewlens.analyzers import registry
from reviewlens.analyzers.config import ALWAYS_EXCLUDED_DIRS, ConfigError, ConfigResolver, Settings
from reviewlens.analyzers.engine import check_source
from reviewlens.analyzers.workspace import FileSystemWorkspace

from . import code_actions, convert
from . import settings as settings_mod
from .documents import Analysis, Document, DocumentStore, Overlay
from .incremental import region_findings
from .lsp import COMMANDS, FIX_ALL_KIND, SERVER_NAME, VERSION, WATCH_GLOBS, WATCHED_CONFIG_FILES, capabilities_json, choose_encoding, supports_pull

log = logging.getLogger("reviewlens")
LEVELS = {"error": logging.ERROR, "warning": logging.WARNING, "info": logging.INFO, "debug": logging.DEBUG}


class _Malformed:
    """A message whose params could not be read: answered with InvalidParams, never fatal."""

    jsonrpc = "2.0"

    def __init__(self, data: dict, problem: str) -> None:
        self.id = data.get("id")
        self.method = data.get("method")
        self.problem = problem


class ReviewlensProtocol(LanguageServerProtocol):
    preanswered_id: Any = None
    preanswered_caps: dict | None = None

    @lsp_method(lsp.INITIALIZE)
    def lsp_initialize(self, params: lsp.InitializeParams):
        # Position encoding: UTF-8 whenever offered, else UTF-16 (pygls would follow the
        # client's order of preference).
        general = params.capabilities.general
        if general is not None and general.position_encodings:
            offered = [getattr(e, "value", e) for e in general.position_encodings]
            general.position_encodings = [lsp.PositionEncodingKind.Utf8 if "utf-8" in offered else lsp.PositionEncodingKind.Utf16]
        return (yield from super().lsp_initialize(params))

    @lsp_method(lsp.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params: lsp.DidChangeTextDocumentParams):
        # The server keeps its own bytes (server/documents.py); skipping pygls' copy saves
        # a split of the whole text per keystroke.
        if (handler := self.fm.features.get(lsp.TEXT_DOCUMENT_DID_CHANGE)) is not None:
            yield handler, (params,), None

    def structure_message(self, data: dict):
        try:
            return super().structure_message(data)
        except (JsonRpcInvalidParams, JsonRpcInternalError) as exc:
            if isinstance(data, dict) and "method" in data:
                cause = exc.__cause__ or exc
                return _Malformed(data, f"{type(cause).__name__}: {str(cause).splitlines()[0] if str(cause) else ''}")
            raise

    def handle_message(self, message):
        if isinstance(message, _Malformed):
            log.warning("ignoring %s with malformed params (%s)", message.method, message.problem)
            if message.id is not None:
                self._send_response(
                    message.id,
                    error=lsp.ResponseError(code=lsp.ErrorCodes.InvalidParams, message=f"invalid params for {message.method}: {message.problem}"),
                )
            return
        return super().handle_message(message)

    def _send_response(self, msg_id, result=None, error=None):
        if self.preanswered_id is not None and msg_id == self.preanswered_id:
            self.preanswered_id = None  # already answered by the fast start
            try:
                ours = self._converter.unstructure(result.capabilities) if result is not None else None
                ours = json.loads(json.dumps(ours, default=lambda o: getattr(o, "value", str(o))))
                if ours != self.preanswered_caps:
                    log.warning("fast-start capabilities differ from pygls': %s vs %s", self.preanswered_caps, ours)
            except Exception:  # pragma: no cover
                log.debug("could not compare capabilities", exc_info=True)
            return
        return super()._send_response(msg_id, result=result, error=error)


class LspLogHandler(logging.Handler):
    """Python logging -> window/logMessage (never stdout); re-entrancy safe."""

    _MAP = {logging.ERROR: lsp.MessageType.Error, logging.WARNING: lsp.MessageType.Warning,
            logging.INFO: lsp.MessageType.Info, logging.DEBUG: lsp.MessageType.Log}

    def __init__(self, server: "ReviewlensServer") -> None:
        super().__init__()
        self.server = server
        self._busy = threading.local()

    def emit(self, record: logging.LogRecord) -> None:
        if getattr(self._busy, "on", False) or self.server.protocol.writer is None:
            return
        self._busy.on = True
        try:
            level = max(k for k in self._MAP if k <= max(record.levelno, logging.DEBUG))
            self.server.window_log_message(lsp.LogMessageParams(type=self._MAP[level], message=self.format(record)))
        except Exception:  # noqa: RL501 - a log handler must never raise, and this is the log channel
            pass
        finally:
            self._busy.on = False


class ReviewlensServer(LanguageServer):
    def __init__(self, log_level: str | None = None) -> None:
        super().__init__(SERVER_NAME, VERSION, protocol_cls=ReviewlensProtocol,
                         text_document_sync_kind=lsp.TextDocumentSyncKind.Incremental, max_workers=2)
        self.documents = DocumentStore()
        self.settings = settings_mod.SettingsStore()
        self.encoding = "utf-16"
        self.pull = False
        self.client = code_actions.Client(encoding="utf-16")
        self.generation = 0  # bumped whenever settings or project config change
        self._timers: dict[str, asyncio.TimerHandle] = {}
        self._full_timers: dict[str, asyncio.TimerHandle] = {}
        self._resolver = ConfigResolver()
        self._config_cache: dict[str, Settings] = {}
        self._reported: set[str] = set()
        self._large_logged: set[str] = set()
        self.workspace_fs = FileSystemWorkspace([], Overlay(self.documents))
        self.started_at = time.monotonic()
        self.log_level = log_level
        self._watchdog: asyncio.TimerHandle | None = None
        self.caps: lsp.ClientCapabilities | None = None

    @property
    def exit_code(self) -> int:
        return 0 if self.protocol._shutdown else 1

    def shutdown(self):
        # pygls waits for its reader thread, which may sit in a blocking stdin read.
        if self._stop_event is not None:
            self._stop_event.set()
        if self._thread_pool:
            self._thread_pool.shutdown(wait=False, cancel_futures=True)
        if self._server:
            self._server.close()

    def report_server_error(self, error: Exception, source) -> None:
        # Out-of-band failures are logged, not popped up at the user on every keystroke.
        from pygls.exceptions import FeatureRequestError

        if source is FeatureRequestError:  # the client got an error response already
            log.warning("request failed: %s", error)
        else:
            log.error("internal error (%s): %s", getattr(source, "__name__", source), error)

    # --- messages --------------------------------------------------------------------
    def show(self, kind: lsp.MessageType, text: str) -> None:
        try:
            self.window_show_message(lsp.ShowMessageParams(type=kind, message=text))
        except Exception:
            log.debug("could not show message", exc_info=True)

    # --- settings and project config ---------------------------------------------------
    def folders(self) -> list[str]:
        try:
            folders = self.workspace.folders
        except RuntimeError:
            return []
        out = []
        for f in folders.values():
            path = settings_mod.uri_to_path(f.uri)
            if path:
                out.append(path)
        root = getattr(self.workspace, "root_path", None)
        if root and not out:
            out.append(root)
        return out

    def report_problems(self, problems: list[str], where: str) -> None:
        if problems:
            text = f"reviewlens: invalid {where}: " + "; ".join(problems)
            if text not in self._reported:
                self._reported.add(text)
                self.show(lsp.MessageType.Warning, text)
            log.warning(text)

    def project_settings(self, path: str | None) -> Settings:
        if path is None:
            return Settings()
        folder = os.path.dirname(os.path.abspath(path))
        cached = self._config_cache.get(folder)
        if cached is not None:
            return cached
        try:
            settings = self._resolver.for_path(path)
        except ConfigError as exc:
            message = f"reviewlens: configuration error in {exc.path}: {exc.problem}. Using the default settings."
            if message not in self._reported:
                self._reported.add(message)
                self.show(lsp.MessageType.Error, message)
                log.error(message)
            settings = Settings()
        except Exception as exc:  # unreadable folder, permissions...
            log.warning("could not resolve configuration for %s: %s", path, exc)
            settings = Settings()
        self._config_cache[folder] = settings
        return settings

    def config_changed(self) -> None:
        self._resolver = ConfigResolver()
        self._config_cache.clear()
        self._reported.clear()
        self.workspace_fs.invalidate()
        self.generation += 1
        self.recheck_all()

    def recheck_all(self) -> None:
        if self.pull:
            if self.caps and _cap(self.caps, "workspace", "diagnostics", "refresh_support"):
                try:
                    self.workspace_diagnostic_refresh(None)
                except Exception:
                    log.debug("refresh failed", exc_info=True)
            return
        for doc in self.documents:
            self.schedule(doc, 0)

    # --- analysis --------------------------------------------------------------------
    def rel_path(self, doc: Document, settings: Settings) -> str:
        path = doc.display_path
        if doc.path is None:
            return path
        if settings.root is not None:
            return settings.relative(path)
        root = self.workspace_fs.root_of(path)
        if root:
            return os.path.relpath(path, root).replace(os.sep, "/")
        return os.path.basename(path)

    REGION_MIN_BYTES = 16_000  # below this a full check is fast enough (a few ms)

    def analyse(self, doc: Document, full: bool = False) -> Analysis:
        """The analysis of the document's current version (cached per version + settings).
        Large Python documents edited inside one definition get a region re-check
        (server/incremental.py) unless `full`; a full check follows when typing pauses."""
        current = doc.analysis
        if (current is not None and current.version == doc.version and current.settings_key == self.generation
                and current.source is doc.source and not (full and current.partial)):
            return current
        editor = self.settings.for_path(doc.path)
        findings = []
        tree = None
        partial = False
        if editor.enable and doc.grammar is not None and not _always_excluded(doc.path):
            tree = doc.ensure_tree(editor.max_file_size)
            if tree is None and doc.too_large:
                if doc.uri not in self._large_logged:
                    self._large_logged.add(doc.uri)
                    log.warning("%s is %d bytes, above maxFileSize (%d): not analysed", doc.uri, len(doc.source), editor.max_file_size)
            elif tree is not None:
                self._large_logged.discard(doc.uri)
                settings = editor.apply(self.project_settings(doc.path))
                rel = self.rel_path(doc, settings)
                if not (doc.path and settings.is_excluded(rel)):
                    started = time.perf_counter()

                    def check(src: bytes, tree=None, prefilter: bool = True) -> list:
                        result = check_source(src, doc.display_path, settings, tree=tree, language_id=doc.language_id,
                                              workspace=self.workspace_fs, rel_path=rel, prefilter=prefilter)
                        for err in result.errors:
                            log.error("%s", err)
                        return result.findings

                    try:
                        region = None
                        if (not full and current is not None and current.settings_key == self.generation
                                and doc.dirty_valid and doc.dirty is not None and doc.grammar == "python"
                                and len(doc.source) >= self.REGION_MIN_BYTES):
                            try:
                                # No prefilters on the region: scanning the whole text for every
                                # rule's words costs more than the small tree's query.
                                region = region_findings(doc.source, tree, current.source, current.tree,
                                                         current.findings, doc.dirty,
                                                         lambda src, small: check(src, small, prefilter=False))
                            except Exception:
                                log.debug("region check failed, checking the whole file", exc_info=True)
                                region = None
                        if region is not None:
                            findings, partial = region, True
                        else:
                            findings = check(doc.source, tree)
                    except Exception:
                        log.error("analysis of %s failed:\n%s", doc.uri, traceback.format_exc())
                    log.debug("checked %s v%s in %.1f ms (%s)", doc.uri, doc.version,
                              (time.perf_counter() - started) * 1000, "region" if partial else "full")
        diagnostics = [convert.to_diagnostic(f, doc.lines, self.encoding, doc.uri, doc.version) for f in findings]
        analysis = Analysis(doc.version, doc.source, doc.lines, tree.copy() if tree is not None else None,
                            findings, diagnostics, self.generation)
        analysis.partial = partial
        doc.analysis = analysis
        doc.mark_analysed()
        return analysis

    def check_text(self, doc: Document, source: bytes) -> list:
        """Findings for other text of the same document (fix-all passes)."""
        editor = self.settings.for_path(doc.path)
        settings = editor.apply(self.project_settings(doc.path))
        rel = self.rel_path(doc, settings)
        return check_source(source, doc.display_path, settings, language_id=doc.language_id,
                            workspace=self.workspace_fs, rel_path=rel).findings

    def schedule(self, doc: Document, delay_ms: int | None = None) -> None:
        if self.pull:
            return
        uri = doc.uri
        for timers in (self._timers, self._full_timers):
            timer = timers.pop(uri, None)
            if timer is not None:
                timer.cancel()
        if delay_ms is None:
            delay_ms = self.settings.for_path(doc.path).debounce_ms
        loop = asyncio.get_running_loop()
        if delay_ms <= 0:
            self._timers[uri] = loop.call_soon(self._run, uri)  # type: ignore[assignment]
        else:
            self._timers[uri] = loop.call_later(delay_ms / 1000, self._run, uri)

    def _run(self, uri: str) -> None:
        self._timers.pop(uri, None)
        doc = self.documents.get(uri)
        if doc is None:
            return
        try:
            analysis = self.analyse(doc)
            self.publish(doc, analysis)
            if analysis.partial:
                delay = self.settings.for_path(doc.path).full_check_delay_ms
                self._full_timers[uri] = asyncio.get_running_loop().call_later(delay / 1000, self._run_full, uri, analysis.version)
        except BrokenPipeError:
            log.error("client went away")
            self.shutdown()
        except Exception:
            log.error("checking %s failed:\n%s", uri, traceback.format_exc())

    def _run_full(self, uri: str, version: int | None) -> None:
        self._full_timers.pop(uri, None)
        doc = self.documents.get(uri)
        if doc is None or doc.version != version or doc.analysis is None or not doc.analysis.partial:
            return
        try:
            quick = doc.analysis.diagnostics
            analysis = self.analyse(doc, full=True)
            if analysis.diagnostics != quick:
                log.info("full check of %s corrected the region check", uri)
                self.publish(doc, analysis)
        except Exception:
            log.error("checking %s failed:\n%s", uri, traceback.format_exc())

    def publish(self, doc: Document, analysis: Analysis) -> None:
        if analysis.version is not None and doc.published_version is not None and analysis.version < doc.published_version:
            return  # never go back to an older version's diagnostics
        doc.published_version = analysis.version
        doc.published = True
        self.text_document_publish_diagnostics(
            lsp.PublishDiagnosticsParams(uri=doc.uri, diagnostics=analysis.diagnostics, version=analysis.version)
        )

    # --- parent watchdog -------------------------------------------------------------
    def start_watchdog(self, pid: int | None) -> None:
        if not pid or pid == os.getpid():
            return

        def check() -> None:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                log.error("the client process %d is gone: exiting", pid)
                self.shutdown()
                os._exit(1)
            except PermissionError:
                pass
            self._watchdog = asyncio.get_running_loop().call_later(3.0, check)

        self._watchdog = asyncio.get_running_loop().call_later(3.0, check)



def _cap(obj: Any, *path: str) -> Any:
    for key in path:
        if obj is None:
            return None
        obj = getattr(obj, key, None)
    return obj


def _always_excluded(path: str | None) -> bool:
    if not path:
        return False
    parts = os.path.normpath(path).split(os.sep)
    return any(p in ALWAYS_EXCLUDED_DIRS for p in parts[:-1])


def build_server(log_level: str | None = None) -> ReviewlensServer:
    ls = ReviewlensServer(log_level)
    handler = LspLogHandler(ls)
    handler.setFormatter(logging.Formatter("%(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING)
    log.setLevel(LEVELS.get(log_level or "info", logging.INFO))

    # --- lifecycle ---------------------------------------------------------------------
    @ls.feature(lsp.INITIALIZE)
    def initialize(ls: ReviewlensServer, params: lsp.InitializeParams) -> None:
        ls.caps = params.capabilities
        ls.encoding = convert.encoding_of(ls.workspace.position_encoding)
        caps_json = ls.protocol._converter.unstructure(params.capabilities)
        ls.pull = supports_pull(caps_json, params.initialization_options)
        ls.client = code_actions.Client(
            encoding=ls.encoding,
            document_changes=bool(_cap(params.capabilities, "workspace", "workspace_edit", "document_changes")),
            resolve_edit="edit" in (_cap(params.capabilities, "text_document", "code_action", "resolve_support", "properties") or []),
        )
        if ls.pull and lsp.TEXT_DOCUMENT_DIAGNOSTIC not in ls.protocol.fm.features:
            ls.feature(lsp.TEXT_DOCUMENT_DIAGNOSTIC, lsp.DiagnosticOptions(
                inter_file_dependencies=False, workspace_diagnostics=False, identifier="reviewlens"))(pull_diagnostics)
        problems: list[str] = []
        ls.settings.set_global(params.initialization_options, problems)
        ls.report_problems(problems, "initializationOptions")
        ls.workspace_fs.roots = [os.path.abspath(p) for p in ls.folders()]
        ls.process_id = params.process_id

    @ls.feature(lsp.INITIALIZED)
    async def initialized(ls: ReviewlensServer, params: lsp.InitializedParams) -> None:
        log.info("reviewlens %s ready in %.0f ms (%s positions, %s diagnostics, %d rules)", VERSION,
                 (time.monotonic() - ls.started_at) * 1000, ls.encoding, "pull" if ls.pull else "push",
                 len(registry.all_codes()))
        ls.start_watchdog(ls.process_id)
        if _cap(ls.caps, "workspace", "did_change_watched_files", "dynamic_registration"):
            watchers = [lsp.FileSystemWatcher(glob_pattern=g) for g in WATCH_GLOBS]
            try:
                await ls.client_register_capability_async(lsp.RegistrationParams(registrations=[
                    lsp.Registration(id="reviewlens-watch", method=lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                                     register_options=lsp.DidChangeWatchedFilesRegistrationOptions(watchers=watchers))
                ]))
            except Exception as exc:
                log.warning("could not register file watchers: %s", exc)
        if await pull_configuration(ls):
            ls.generation += 1
            ls.recheck_all()

    @ls.feature(lsp.SHUTDOWN)
    def shutdown(ls: ReviewlensServer, params: Any) -> None:
        for timers in (ls._timers, ls._full_timers):
            for timer in timers.values():
                timer.cancel()
            timers.clear()
        if ls._watchdog is not None:
            ls._watchdog.cancel()

    # --- documents -----------------------------------------------------------------------
    @ls.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: ReviewlensServer, params: lsp.DidOpenTextDocumentParams) -> None:
        item = params.text_document
        doc = ls.documents.open(item.uri, item.language_id, item.version, item.text)
        ls.schedule(doc, 0)

    @ls.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: ReviewlensServer, params: lsp.DidChangeTextDocumentParams) -> None:
        doc = ls.documents.get(params.text_document.uri)
        if doc is None:
            log.warning("didChange for a document that is not open: %s", params.text_document.uri)
            return
        version = params.text_document.version
        if doc.version is not None and version is not None and version <= doc.version:
            log.warning("ignoring out-of-order change to %s (version %s after %s)", doc.uri, version, doc.version)
            return
        for change in params.content_changes:
            doc.apply_change(change, ls.encoding)
        doc.version = version
        ls.schedule(doc)

    @ls.feature(lsp.TEXT_DOCUMENT_DID_SAVE, lsp.SaveOptions(include_text=False))
    def did_save(ls: ReviewlensServer, params: lsp.DidSaveTextDocumentParams) -> None:
        uri = params.text_document.uri
        path = settings_mod.uri_to_path(uri)
        if path and os.path.basename(path) in WATCHED_CONFIG_FILES:
            ls.config_changed()
            return
        if path:
            ls.workspace_fs.invalidate(path)
        doc = ls.documents.get(uri)
        if doc is not None:
            ls.schedule(doc, 0)

    @ls.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: ReviewlensServer, params: lsp.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        for timers in (ls._timers, ls._full_timers):
            timer = timers.pop(uri, None)
            if timer is not None:
                timer.cancel()
        doc = ls.documents.close(uri)
        ls._large_logged.discard(uri)
        if doc is not None and not ls.pull:
            ls.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    # --- configuration -------------------------------------------------------------------
    @ls.feature(lsp.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def did_change_configuration(ls: ReviewlensServer, params: lsp.DidChangeConfigurationParams) -> None:
        problems: list[str] = []
        raw = settings_mod.unwrap(params.settings)
        if raw:
            ls.settings.set_global(raw, problems)
            ls.report_problems(problems, "settings")
        await pull_configuration(ls)
        ls.generation += 1
        ls.recheck_all()

    @ls.feature(lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched_files(ls: ReviewlensServer, params: lsp.DidChangeWatchedFilesParams) -> None:
        config = False
        for change in params.changes:
            path = settings_mod.uri_to_path(change.uri)
            if path is None:
                continue
            ls.workspace_fs.invalidate(path)
            if os.path.basename(path) in WATCHED_CONFIG_FILES:
                config = True
        if config:
            log.info("project configuration changed: re-checking %d open documents", len(ls.documents))
            ls.config_changed()
        else:
            ls.generation += 1
            ls.recheck_all()

    @ls.feature(lsp.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)
    async def did_change_folders(ls: ReviewlensServer, params: lsp.DidChangeWorkspaceFoldersParams) -> None:
        ls.workspace_fs.roots = [os.path.abspath(p) for p in ls.folders()]
        await pull_configuration(ls)
        ls.config_changed()

    # --- diagnostics (pull) ------------------------------------------------------------------
    def pull_diagnostics(ls: ReviewlensServer, params: lsp.DocumentDiagnosticParams):
        doc = ls.documents.get(params.text_document.uri)
        if doc is None:
            return lsp.RelatedFullDocumentDiagnosticReport(items=[])
        analysis = ls.analyse(doc, full=True)  # pull: no later correction, so always whole-file
        result_id = f"{analysis.version}:{analysis.settings_key}:{id(analysis)}"
        if params.previous_result_id == result_id:
            return lsp.RelatedUnchangedDocumentDiagnosticReport(result_id=result_id)
        return lsp.RelatedFullDocumentDiagnosticReport(items=analysis.diagnostics, result_id=result_id)

    # --- hover ---------------------------------------------------------------------------
    @ls.feature(lsp.TEXT_DOCUMENT_HOVER)
    def hover(ls: ReviewlensServer, params: lsp.HoverParams) -> lsp.Hover | None:
        doc = ls.documents.get(params.text_document.uri)
        if doc is None:
            return None
        analysis = ls.analyse(doc)
        offset = doc.lines.offset(params.position.line, params.position.character, ls.encoding)
        hits = [f for f in analysis.findings if f.start <= offset <= f.end]
        if not hits:
            return None
        start = min(f.start for f in hits)
        end = max(f.end for f in hits)
        return lsp.Hover(
            contents=lsp.MarkupContent(kind=lsp.MarkupKind.Markdown, value=convert.hover_markdown(hits)),
            range=convert.to_range(doc.lines, start, end, ls.encoding),
        )

    # --- code actions ----------------------------------------------------------------------
    @ls.feature(lsp.TEXT_DOCUMENT_CODE_ACTION, lsp.CodeActionOptions(
        code_action_kinds=[lsp.CodeActionKind.QuickFix, FIX_ALL_KIND], resolve_provider=True))
    def code_action(ls: ReviewlensServer, params: lsp.CodeActionParams) -> list[lsp.CodeAction] | None:
        doc = ls.documents.get(params.text_document.uri)
        if doc is None or not ls.settings.for_path(doc.path).enable:
            return None
        only = [getattr(k, "value", k) for k in params.context.only] if params.context.only else None
        ours = [d for d in params.context.diagnostics if d.source == convert.SOURCE]
        actions = code_actions.for_diagnostics(doc, ours, only, ls.client)
        wants_fix_all = only is not None and any(FIX_ALL_KIND.startswith(k) for k in only)
        if wants_fix_all or (only is None and ours):
            ls.analyse(doc)
            if wants_fix_all or code_actions.has_safe_fix(doc):
                lazy = ls.client.resolve_edit and not wants_fix_all
                edits = None if lazy else code_actions.fix_all_edits(doc, lambda src: ls.check_text(doc, src), ls.encoding)
                if lazy or edits:
                    actions.append(code_actions.fix_all_action(doc, edits, ls.client))
        return actions or None

    @ls.feature(lsp.CODE_ACTION_RESOLVE)
    def code_action_resolve(ls: ReviewlensServer, action: lsp.CodeAction) -> lsp.CodeAction:
        data = action.data if isinstance(action.data, dict) else {}
        if data.get("fixAll") and isinstance(data.get("uri"), str):
            doc = ls.documents.get(data["uri"])
            if doc is not None:
                if data.get("version") != doc.version:
                    # Fixes for text that has changed since: leave it to the client to refuse.
                    action.edit = code_actions.workspace_edit(doc.uri, data.get("version"), [], ls.client)
                    return action
                edits = code_actions.fix_all_edits(doc, lambda src: ls.check_text(doc, src), ls.encoding)
                action.edit = code_actions.workspace_edit(doc.uri, doc.version, edits, ls.client)
        return action

    # --- commands --------------------------------------------------------------------------
    async def apply_autofix(ls: ReviewlensServer, *args: Any) -> dict:
        uri, version = code_actions.parse_document_argument(list(args))
        doc = ls.documents.get(uri) if uri else None
        if doc is None:
            raise JsonRpcInvalidParams.of(ValueError(f"not an open document: {uri!r}"))
        if version is not None and version != doc.version:
            ls.show(lsp.MessageType.Warning, f"reviewlens: {os.path.basename(doc.display_path)} changed since the fix was requested; nothing applied.")
            return {"applied": False, "reason": "stale", "version": doc.version}
        edits = code_actions.fix_all_edits(doc, lambda src: ls.check_text(doc, src), ls.encoding)
        if not edits:
            return {"applied": False, "reason": "nothing to fix", "version": doc.version}
        result = await ls.workspace_apply_edit_async(lsp.ApplyWorkspaceEditParams(
            edit=code_actions.workspace_edit(doc.uri, doc.version, edits, ls.client),
            label="reviewlens: Fix all auto-fixable problems"))
        return {"applied": bool(result and result.applied), "version": doc.version}

    ls.command("reviewlens.applyAutofix")(apply_autofix)

    async def fix_all_command(ls: ReviewlensServer, *args: Any) -> dict:
        return await apply_autofix(ls, *args)

    ls.command("reviewlens.fixAll")(fix_all_command)

    async def show_documentation(ls: ReviewlensServer, *args: Any) -> dict:
        code = args[0] if args and isinstance(args[0], str) else None
        impls = registry.get(code) if code else ()
        if not impls:
            raise JsonRpcInvalidParams.of(ValueError(f"unknown rule {code!r}"))
        url = impls[0].docs_url()
        if _cap(ls.caps, "window", "show_document", "support"):
            result = await ls.window_show_document_async(lsp.ShowDocumentParams(uri=url, external=True))
            return {"shown": bool(result and result.success), "url": url}
        ls.show(lsp.MessageType.Info, f"{impls[0].code} {impls[0].name}: {impls[0].summary()} Documentation: {url}")
        return {"shown": False, "url": url}

    ls.command("reviewlens.showDocumentation")(show_documentation)

    def debug_information(ls: ReviewlensServer, *args: Any) -> str:
        lines = [
            f"reviewlens {VERSION} (pid {os.getpid()})",
            f"position encoding: {ls.encoding}; diagnostics: {'pull' if ls.pull else 'push'}",
            f"workspace folders: {', '.join(ls.folders()) or '-'}",
            f"rules: {', '.join(registry.all_codes())}",
            f"open documents: {len(ls.documents)}",
        ]
        for doc in ls.documents:
            a = doc.analysis
            lines.append(f"  {doc.uri} v{doc.version} {len(doc.source)} bytes, "
                         f"{len(a.findings) if a else 0} findings (analysed v{a.version if a else '-'})")
        return "\n".join(lines)

    ls.command("reviewlens.printDebugInformation")(debug_information)
    assert sorted(ls.protocol.fm.commands) == sorted(COMMANDS)
    return ls


async def pull_configuration(ls: ReviewlensServer) -> bool:
    """Per-folder settings through workspace/configuration, when the client has it.
    True when the client sent any settings."""
    if not _cap(ls.caps, "workspace", "configuration"):
        return False
    folders = ls.folders()
    items = [lsp.ConfigurationItem(section="reviewlens")] + [
        lsp.ConfigurationItem(section="reviewlens", scope_uri=_file_uri(f)) for f in folders
    ]
    try:
        values = await asyncio.wait_for(ls.workspace_configuration_async(lsp.ConfigurationParams(items=items)), 5)
    except Exception as exc:
        log.warning("workspace/configuration failed: %s", exc)
        return False
    if not isinstance(values, (list, tuple)):
        return False
    problems: list[str] = []
    if values and isinstance(values[0], dict):
        ls.settings.set_global(values[0], problems)
    for folder, value in zip(folders, values[1:]):
        if isinstance(value, dict) and value != (values[0] if values else None):
            ls.settings.set_root(folder, value, problems)
    ls.report_problems(problems, "settings")
    return any(isinstance(v, dict) and v for v in values)


def _file_uri(path: str) -> str:
    from pygls.uris import from_fs_path

    return from_fs_path(path) or path


__all__ = ["build_server", "ReviewlensServer", "capabilities_json", "choose_encoding"]
