"""`reviewlens serve`: the language server (pygls 2.x), thin handlers over the engine.

Start-up: importing lsprotocol alone costs ~0.35 s here, more than the 300 ms budget
from process start to the `initialize` response. So over stdio the process answers
`initialize` itself from a small hand-built capabilities object while a thread imports
pygls and the engine; the same message is then replayed into pygls (which sets up its
workspace and calls our handler) and pygls' own reply is dropped after being compared
with ours (a mismatch is logged). `--no-fast-start` turns this off; the tests check
that both paths advertise the same capabilities.

Everything logged goes to `window/logMessage`; nothing is written to stdout but LSP.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import threading
import time
from typing import Any

VERSION = "0.1.0"
SERVER_NAME = "reviewlens"
COMMANDS = [
    "reviewlens.applyAutofix",
    "reviewlens.fixAll",
    "reviewlens.showDocumentation",
    "reviewlens.printDebugInformation",
]
FIX_ALL_KIND = "source.fixAll.reviewlens"
WATCHED_CONFIG_FILES = ("pyproject.toml", "reviewlens.toml")
WATCH_GLOBS = (
    "**/pyproject.toml",
    "**/reviewlens.toml",
    "**/package.json",
    "**/requirements*.txt",
    "**/.env.example",
    "**/.env.sample",
    "**/.env.template",
    "**/.gitignore",
)


# --- capabilities, without importing lsprotocol --------------------------------------------

def _get(obj: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj


def choose_encoding(client_caps: dict | None) -> str:
    """UTF-8 when the client offers it (less conversion work), else UTF-16 (the default)."""
    offered = _get(client_caps, "general", "positionEncodings") or []
    return "utf-8" if "utf-8" in offered else "utf-16"


def supports_pull(client_caps: dict | None, init_options: Any = None) -> bool:
    """Pull diagnostics when the client has them, unless `diagnosticMode` says "push"."""
    mode = _get(init_options, "diagnosticMode") or _get(init_options, "reviewlens", "diagnosticMode")
    if mode == "push":
        return False
    return _get(client_caps, "textDocument", "diagnostic") is not None


def capabilities_json(client_caps: dict | None, init_options: Any = None) -> dict:
    """The server capabilities for a client (as JSON); must equal what pygls computes."""
    caps: dict[str, Any] = {
        "positionEncoding": choose_encoding(client_caps),
        "textDocumentSync": {
            "openClose": True,
            "change": 2,
            "save": {"includeText": False},
        },
        "hoverProvider": True,
        "codeActionProvider": {
            "codeActionKinds": ["quickfix", FIX_ALL_KIND],
            "resolveProvider": True,
        },
        "executeCommandProvider": {"commands": list(COMMANDS)},
        "workspace": {
            "workspaceFolders": {"supported": True, "changeNotifications": True},
            "fileOperations": {},
        },
    }
    sync = _get(client_caps, "textDocument", "synchronization")
    for key in ("willSave", "willSaveWaitUntil"):
        if _get(sync, key) is not None:  # pygls echoes these (as false: not implemented)
            caps["textDocumentSync"][key] = False
    if supports_pull(client_caps, init_options):
        caps["diagnosticProvider"] = {
            "interFileDependencies": False,
            "workspaceDiagnostics": False,
            "identifier": "reviewlens",
        }
    return caps


def initialize_result_json(client_caps: dict | None, init_options: Any = None) -> dict:
    return {"capabilities": capabilities_json(client_caps, init_options), "serverInfo": {"name": SERVER_NAME, "version": VERSION}}


# --- fast start ------------------------------------------------------------------------------

class _ReplayStdin:
    """stdin with already-read bytes put back in front (pygls reads lines and counts)."""

    def __init__(self, prefix: bytes, stream: Any) -> None:
        self._prefix = io.BytesIO(prefix)
        self._left = len(prefix)
        self._stream = stream

    def readline(self) -> bytes:
        if self._left:
            line = self._prefix.readline()
            self._left -= len(line)
            return line
        return self._stream.readline()

    def read(self, n: int = -1) -> bytes:
        if self._left:
            data = self._prefix.read(n if n >= 0 else self._left)
            self._left -= len(data)
            if n > len(data):
                data += self._stream.read(n - len(data))
            return data
        return self._stream.read(n)


def _read_message(stream: Any) -> tuple[bytes, dict | None]:
    """One raw LSP message (headers + body) and its JSON (None when unreadable)."""
    raw = b""
    length = None
    while True:
        line = stream.readline()
        raw += line
        if not line:
            return raw, None
        if line.lower().startswith(b"content-length:"):
            try:
                length = int(line.split(b":", 1)[1].strip())
            except ValueError:
                return raw, None
        if line in (b"\r\n", b"\n"):
            break
    if length is None:
        return raw, None
    body = stream.read(length)
    raw += body
    try:
        return raw, json.loads(body)
    except ValueError:
        return raw, None


def _write_message(stream: Any, payload: dict) -> None:
    body = json.dumps(payload, separators=(",", ":")).encode("utf-8")
    stream.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    stream.flush()


def _import_heavy(box: dict) -> None:
    try:
        from . import lsp_server  # noqa: F401  (pygls, lsprotocol, the engine and rules)

        box["ok"] = True
    except BaseException as exc:  # pragma: no cover - reported by the main thread
        box["error"] = exc


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="reviewlens serve", description="Run the reviewlens language server.")
    parser.add_argument("--stdio", action="store_true", help="talk LSP over stdin/stdout (the default)")
    parser.add_argument("--tcp", metavar="HOST:PORT", help="listen on TCP instead (for debugging)")
    parser.add_argument("--log-level", default=None, choices=["error", "warning", "info", "debug"],
                        help="what goes to window/logMessage (default info)")
    parser.add_argument("--no-fast-start", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.tcp:
        host, _, port = args.tcp.rpartition(":")
        try:
            port_no = int(port)
        except ValueError:
            parser.error("--tcp expects HOST:PORT")
        from .lsp_server import build_server

        server = build_server(log_level=args.log_level)
        server.start_tcp(host or "127.0.0.1", port_no)
        return 0

    stdin = sys.stdin.buffer
    stdout = sys.stdout.buffer
    # Nothing but LSP may reach the real stdout: route stray prints to stderr.
    sys.stdout = sys.stderr

    if args.no_fast_start:
        from .lsp_server import build_server

        server = build_server(log_level=args.log_level)
        server.start_io(stdin, stdout)
        _exit(server.exit_code)

    box: dict = {}
    loader = threading.Thread(target=_import_heavy, args=(box,), name="reviewlens-import", daemon=True)
    old_interval = sys.getswitchinterval()
    sys.setswitchinterval(0.001)  # let the reply thread in while the importer holds the GIL
    loader.start()
    raw, message = _read_message(stdin)
    preanswered = None
    fast_caps = None
    if isinstance(message, dict) and message.get("method") == "initialize" and "id" in message:
        params = message.get("params") if isinstance(message.get("params"), dict) else {}
        client_caps = params.get("capabilities") if isinstance(params.get("capabilities"), dict) else {}
        result = initialize_result_json(client_caps, params.get("initializationOptions"))
        fast_caps = result["capabilities"]
        try:
            _write_message(stdout, {"jsonrpc": "2.0", "id": message["id"], "result": result})
            preanswered = message["id"]
        except (BrokenPipeError, OSError):
            return 1
    loader.join()
    sys.setswitchinterval(old_interval)
    if "error" in box:
        raise box["error"]
    from .lsp_server import build_server

    server = build_server(log_level=args.log_level)
    server.started_at = time.monotonic()
    if preanswered is not None:
        server.protocol.preanswered_id = preanswered
        server.protocol.preanswered_caps = fast_caps
    server.start_io(_ReplayStdin(raw, stdin), stdout)
    _exit(server.exit_code)


def _exit(code: int) -> None:
    """Leave now: the stdin reader thread may sit in a blocking read that the interpreter's
    exit would wait for (the client may keep the pipe open until the process is gone)."""
    for stream in (sys.__stdout__, sys.__stderr__):
        try:
            stream.flush()
        except (OSError, ValueError):  # the client closed the pipe, or the stream is closed
            pass
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(sys.argv[1:]))
