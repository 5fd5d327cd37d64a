"""Project-level facts for TS/JS files, read through the Workspace (never open() directly).

* `project_root(ws, path)`: the folder of the nearest package.json (or tsconfig/jsconfig).
* `package_json(ws, path)`: the nearest package.json, parsed (None when absent or broken).
* `TsConfigPaths`: `compilerOptions.baseUrl` / `paths` aliases (`@/*` -> `./src/*`).
* `resolve_import(...)`: a relative or aliased specifier -> a project file, trying the
  extensions .ts/.tsx/.js/.jsx/.mjs/.cjs, `index.*` files, and `./x.js` written for `./x.ts`.
* `ImportGraph`: who imports whom inside one project, from a cheap text scan of every
  source file (bounded by MAX_FILES), cached per process and per workspace for a short time.
"""

from __future__ import annotations

import json
import os
import posixpath
import re
import threading
import time
import weakref

from ..records import FrozenRecord, Record
from ..workspace import Workspace, find_upward

SOURCE_SUFFIXES = (".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs", ".mts", ".cts")
_RESOLVE_EXTS = (".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs", ".mts", ".cts")
MAX_FILES = 4000
GRAPH_TTL = 30.0  # seconds an import graph is reused (the language server edits files)


# --- small JSON-with-comments reader (tsconfig.json allows comments and trailing commas) ---
def _strip_jsonc(text: str) -> str:
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append(text[i : j + 1])
            i = j + 1
        elif text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j == -1 else j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            i = n if j == -1 else j + 2
        else:
            out.append(c)
            i += 1
    return re.sub(r",(\s*[}\]])", r"\1", "".join(out))


def read_json(ws: Workspace, path: str, comments: bool = False) -> dict | None:
    text = ws.read_text(path)
    if text is None:
        return None
    try:
        data = json.loads(_strip_jsonc(text) if comments else text)
    except ValueError:
        if comments:
            return None
        return read_json(ws, path, comments=True)
    return data if isinstance(data, dict) else None


def _stop(ws: Workspace, path: str) -> str | None:
    return ws.root_of(path)


def nearest_package_json(ws: Workspace, path: str) -> str | None:
    return find_upward(ws, os.path.dirname(os.path.abspath(path)), ("package.json",), _stop(ws, path))


def package_json(ws: Workspace, path: str) -> dict | None:
    found = nearest_package_json(ws, path)
    return read_json(ws, found) if found else None


def dependencies(pkg: dict | None) -> set[str]:
    out: set[str] = set()
    if not pkg:
        return out
    for key in ("dependencies", "devDependencies", "peerDependencies", "optionalDependencies"):
        deps = pkg.get(key)
        if isinstance(deps, dict):
            out.update(str(k) for k in deps)
    return out


def project_root(ws: Workspace, path: str) -> str:
    found = find_upward(
        ws, os.path.dirname(os.path.abspath(path)), ("package.json", "tsconfig.json", "jsconfig.json"), _stop(ws, path)
    )
    if found:
        return os.path.dirname(found)
    return ws.root_of(path) or os.path.dirname(os.path.abspath(path))


class TsConfigPaths(FrozenRecord):
    __slots__ = FIELDS = ("base", "paths")
    base: str  # absolute folder the patterns are relative to
    paths: tuple[tuple[str, tuple[str, ...]], ...]  # ("@/*", ("./src/*",)), longest prefix first

    def __init__(self, base: str, paths: tuple[tuple[str, tuple[str, ...]], ...]) -> None:
        self._init(base=base, paths=paths)

    def candidates(self, spec: str) -> list[str]:
        out: list[str] = []
        for pattern, targets in self.paths:
            if pattern.endswith("*"):
                prefix = pattern[:-1]
                if not spec.startswith(prefix):
                    continue
                rest = spec[len(prefix) :]
            elif spec == pattern:
                rest = ""
            else:
                continue
            for t in targets:
                out.append(os.path.normpath(os.path.join(self.base, t.replace("*", rest, 1))))
            if out:
                return out
        return out


def tsconfig_paths(ws: Workspace, root: str) -> TsConfigPaths | None:
    for name in ("tsconfig.json", "jsconfig.json"):
        path = os.path.join(root, name)
        cfg = read_json(ws, path, comments=True) if ws.exists(path) else None
        if not cfg:
            continue
        opts = cfg.get("compilerOptions") or {}
        if not isinstance(opts, dict):
            return None
        paths = opts.get("paths") or {}
        base = os.path.normpath(os.path.join(root, str(opts.get("baseUrl") or ".")))
        if not isinstance(paths, dict):
            return None
        items = []
        for k, v in paths.items():
            targets = tuple(str(t) for t in v) if isinstance(v, list) else (str(v),)
            items.append((str(k), targets))
        items.sort(key=lambda kv: -len(kv[0].rstrip("*")))
        return TsConfigPaths(base, tuple(items))
    return None


def _try_file(exists, base: str) -> str | None:
    if os.path.splitext(base)[1] in _RESOLVE_EXTS and exists(base):
        return base
    stem, ext = os.path.splitext(base)
    if ext in (".js", ".jsx", ".mjs", ".cjs"):  # TS ESM style: "./x.js" written for x.ts
        for alt in (".ts", ".tsx", ".mts", ".cts"):
            if exists(stem + alt):
                return stem + alt
    for ext in _RESOLVE_EXTS:
        if exists(base + ext):
            return base + ext
    for ext in _RESOLVE_EXTS:
        candidate = os.path.join(base, "index" + ext)
        if exists(candidate):
            return candidate
    return None


def resolve_import(ws: Workspace, importer: str, spec: str, paths: TsConfigPaths | None, exists=None) -> str | None:
    """The project file `spec` names, seen from `importer`; None for packages and misses.
    `exists` replaces `ws.exists` (the import graph passes its file listing)."""
    exists = exists or ws.exists
    if spec.startswith(("./", "../")) or spec in (".", ".."):
        return _try_file(exists, os.path.normpath(os.path.join(os.path.dirname(importer), spec)))
    if paths is not None:
        for candidate in paths.candidates(spec):
            hit = _try_file(exists, candidate)
            if hit:
                return hit
    return None


# --- facts read from a file's text, without parsing it ---------------------------------
_PROLOGUE = r"""^(?:\s|//[^\n]*\n|/\*.*?\*/)*(?:['"]use strict['"];?\s*)?['"]{}['"]"""
USE_CLIENT_RE = re.compile(_PROLOGUE.format("use client"), re.DOTALL)
USE_SERVER_RE = re.compile(_PROLOGUE.format("use server"), re.DOTALL)
_SPEC_RE = re.compile(r"""\b(from|import|require)\s*\(?\s*['"]([^'"\n]+)['"]""")
_TYPE_ONLY_RE = re.compile(r"(?:import|export)\s+type\s")
_REACT_RE = re.compile(r"""(?:from\s*|require\(\s*)['"](?:react|react-dom)(?:/[\w-]+)?['"]""")

_WORD_CHAR_RE = re.compile(r"\w")
# What follows a keyword of _SPEC_RE up to its specifier.
_SPEC_REST_RE = re.compile(r"""\s*\(?\s*['"]([^'"\n]+)['"]""")
_KEYWORDS = ("from", "import", "require")


def import_specifiers(text: str) -> list[str]:
    """Runtime import specifiers (`import type ... from` is left out): the matches of
    _SPEC_RE in order. Each keyword is found by substring search (a regex starting with
    the alternation tries every `f`, `i` and `r` of the text: ~5x slower)."""
    hits: list[tuple[int, int, str]] = []  # (keyword start, match end, specifier)
    rest = _SPEC_REST_RE.match
    word = _WORD_CHAR_RE.match
    for keyword in _KEYWORDS:
        n = len(keyword)
        at = text.find(keyword)
        while at >= 0:
            m = rest(text, at + n)
            if m is not None and not (at and word(text, at - 1)):
                hits.append((at, m.end(), m.group(1)))
            at = text.find(keyword, at + 1)
    hits.sort()
    out = []
    taken = -1  # _SPEC_RE's scan resumes after each match: no overlapping matches
    for start_at, end, spec in hits:
        if start_at < taken:
            continue
        taken = end
        if text.startswith("from", start_at):
            start = max(text.rfind("import", 0, start_at), text.rfind("export", 0, start_at))
            if start != -1 and _TYPE_ONLY_RE.match(text, start):
                continue
        out.append(spec)
    return out


def is_react_module(path: str, text: str) -> bool:
    return path.endswith((".tsx", ".jsx")) or ("react" in text and bool(_REACT_RE.search(text)))


class FileFacts:
    """One project file as the import graph sees it. Its specifiers are read when the
    graph is built (they make the importer map); its directives only when first asked:
    a role search visits a few files of the project, and reading the directives (and
    whether each file was a React module, which nothing asked) of every file took a
    fifth of building the graph."""

    __slots__ = ("path", "specifiers", "imports", "_head", "_directives")

    def __init__(self, path: str, text: str, specifiers: list[str]) -> None:
        self.path = path
        self.specifiers = specifiers
        self.imports: set[str] = set()  # resolved project files
        self._head = text[:2000]  # where the directives are looked for
        self._directives: tuple[bool, bool] | None = None

    def _prologue(self) -> tuple[bool, bool]:
        if self._directives is None:
            head = self._head
            self._directives = (bool(USE_CLIENT_RE.match(head)), bool(USE_SERVER_RE.match(head)))
        return self._directives

    @property
    def use_client(self) -> bool:
        return self._prologue()[0]

    @property
    def use_server(self) -> bool:
        return self._prologue()[1]


class ImportGraph(Record):
    __slots__ = FIELDS = ("root", "files", "importers", "truncated", "built_at")

    def __init__(self, root: str, files: dict[str, FileFacts], importers: dict[str, set[str]], truncated: bool,
                 built_at: float) -> None:
        self.root = root
        self.files = files
        self.importers = importers
        self.truncated = truncated
        self.built_at = built_at

    def importers_of(self, path: str) -> set[str]:
        return self.importers.get(os.path.abspath(path), set())


def build_graph(ws: Workspace, root: str) -> ImportGraph:
    lister = getattr(ws, "list_files", None)
    paths_cfg = tsconfig_paths(ws, root)
    files: dict[str, FileFacts] = {}
    listed = lister(root, SOURCE_SUFFIXES, MAX_FILES + 1) if lister else []
    truncated = len(listed) > MAX_FILES
    for path in listed[:MAX_FILES]:
        if path.endswith(".d.ts"):
            continue
        text = ws.read_text(path)
        if text is None:
            continue
        files[path] = FileFacts(path, text, import_specifiers(text))
    importers: dict[str, set[str]] = {}
    known = set(files)
    for facts in files.values():
        for spec in facts.specifiers:
            if not (spec.startswith(".") or paths_cfg is not None):
                continue
            target = resolve_import(ws, facts.path, spec, paths_cfg, known.__contains__)
            if target is not None and target != facts.path:
                facts.imports.add(target)
                importers.setdefault(target, set()).add(facts.path)
    return ImportGraph(root, files, importers, truncated, time.monotonic())


_GRAPHS: weakref.WeakKeyDictionary[object, dict[str, ImportGraph]] = weakref.WeakKeyDictionary()
_FALLBACK: dict[tuple[int, str], ImportGraph] = {}
_LOCK = threading.Lock()


def innermost(ws: Workspace) -> Workspace:
    """The workspace under wrappers (a result cache's dependency recorder exposes `inner`)."""
    seen = 0
    while getattr(ws, "inner", None) is not None and seen < 8:
        ws = ws.inner  # type: ignore[attr-defined]
        seen += 1
    return ws


def import_graph(ws: Workspace, path: str) -> ImportGraph:
    """The import graph of the project holding `path`, cached per (innermost) workspace for
    GRAPH_TTL seconds, so wrappers made per file do not rebuild it."""
    ws = innermost(ws)
    root = project_root(ws, path)
    try:
        per_ws = _GRAPHS.setdefault(ws, {})
    except TypeError:  # a workspace that cannot be weakly referenced
        per_ws = None
    with _LOCK:
        cached = per_ws.get(root) if per_ws is not None else _FALLBACK.get((id(ws), root))
    if cached is not None and time.monotonic() - cached.built_at < GRAPH_TTL:
        return cached
    graph = build_graph(ws, root)
    with _LOCK:
        if per_ws is not None:
            per_ws[root] = graph
        else:
            _FALLBACK[(id(ws), root)] = graph
    return graph


def posix_rel(path: str, root: str) -> str:
    return posixpath.normpath(os.path.relpath(path, root).replace(os.sep, "/"))
