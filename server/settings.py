"""Editor-side settings of the language server.

Sent as `initializationOptions`, with `workspace/didChangeConfiguration` (either the
settings object itself or `{"reviewlens": {...}}`), and pulled per workspace folder with
`workspace/configuration` (section `reviewlens`, scoped to the folder) when the client
supports it. Keys (camelCase, as editors write them; snake/kebab case accepted too):

    enable        bool    false: no diagnostics, code actions or hover (default true)
    select        [str]   rule codes / prefixes / names; replaces the project config's
                          (an empty list leaves the project selection as it is)
    extendSelect  [str]   added to the project config's selection
    ignore        [str]   added to the project config's ignore list
    severity      {code: "error" | "warning" | "info" | "hint"}   overrides, editor wins
    debounce      int     ms to wait after the last change before checking (default 150; 0 ok)
    maxFileSize   int     bytes; larger documents are not analysed (default 2,000,000)
    fullCheckDelay int    ms of idle after a region re-check of a large Python document
                          before the confirming full check (default 1000)
    diagnosticMode "auto" | "push" (initializationOptions only): "push" even when the
                          client could pull
    roots         {folder uri or path: {any key above}}  per-workspace-folder overrides

Editor settings are applied on top of the project's pyproject.toml / reviewlens.toml
(the editor wins, like ruff's default `configurationPreference = "editorFirst"`).
Invalid values are reported (one message) and ignored, never fatal.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import unquote, urlparse

from reviewlens.analyzers.config import Settings, expand_selectors
from reviewlens.analyzers.model import Severity

DEFAULT_DEBOUNCE_MS = 150
DEFAULT_MAX_FILE_SIZE = 2_000_000

_ALIASES = {
    "extend_select": "extendSelect", "extend-select": "extendSelect",
    "max_file_size": "maxFileSize", "max-file-size": "maxFileSize",
    "full_check_delay": "fullCheckDelay", "full-check-delay": "fullCheckDelay",
}


@dataclass(frozen=True)
class EditorSettings:
    enable: bool = True
    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severity: tuple[tuple[str, Severity], ...] = ()
    debounce_ms: int = DEFAULT_DEBOUNCE_MS
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    full_check_delay_ms: int = 1000

    def apply(self, base: Settings) -> Settings:
        """The project settings with the editor's overrides on top."""
        if self.select is None and not self.extend_select and not self.ignore and not self.severity:
            return base
        changes: dict[str, Any] = {}
        if self.select is not None:
            changes["select"] = self.select
            changes["extend_select"] = self.extend_select
        elif self.extend_select:
            changes["extend_select"] = tuple(base.extend_select) + self.extend_select
        if self.ignore:
            changes["ignore"] = tuple(base.ignore) + self.ignore
        if self.severity:
            merged = dict(base.severity)
            merged.update(self.severity)
            changes["severity"] = tuple(merged.items())
        return base.with_overrides(**changes)


def _normalise(raw: dict) -> dict:
    return {_ALIASES.get(k, k): v for k, v in raw.items()}


def unwrap(raw: Any) -> dict | None:
    """The reviewlens settings object out of what a client sent (None when absent)."""
    if not isinstance(raw, dict):
        return None
    for key in ("reviewlens", "settings"):
        inner = raw.get(key)
        if isinstance(inner, dict):
            return unwrap(inner) if key == "settings" else inner
    return raw


def parse(raw: Any, base: EditorSettings | None = None, problems: list[str] | None = None) -> EditorSettings:
    """Settings from a client's object, on top of `base`; bad values go to `problems`."""
    from reviewlens.analyzers import registry

    settings = base or EditorSettings()
    problems = problems if problems is not None else []
    if raw is None:
        return settings
    if not isinstance(raw, dict):
        problems.append(f"settings must be an object, got {type(raw).__name__}")
        return settings
    raw = _normalise(raw)
    codes = registry.all_codes()
    names = registry.code_names()
    changes: dict[str, Any] = {}

    def selectors(key: str) -> tuple[str, ...] | None:
        value = raw.get(key)
        if value is None:
            return None
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            problems.append(f"`{key}` must be a list of rule codes")
            return None
        good = []
        for sel in value:
            if expand_selectors([sel], codes, names):
                good.append(sel)
            else:
                problems.append(f"`{key}`: unknown rule selector {sel!r}")
        return tuple(good)

    if "enable" in raw:
        if isinstance(raw["enable"], bool):
            changes["enable"] = raw["enable"]
        else:
            problems.append("`enable` must be true or false")
    sel = selectors("select")
    # An empty list is what editors send for an untouched list setting: it means "use the
    # project's selection", not "no rules" (`enable: false` turns everything off).
    if sel:
        changes["select"] = sel
    ext = selectors("extendSelect")
    if ext is not None:
        changes["extend_select"] = ext
    ign = selectors("ignore")
    if ign is not None:
        changes["ignore"] = ign
    if "severity" in raw and raw["severity"] is not None:
        sev = raw["severity"]
        if not isinstance(sev, dict):
            problems.append("`severity` must be an object of code -> level")
        else:
            pairs = []
            for key, level in sev.items():
                targets = expand_selectors([key], codes, names) if isinstance(key, str) else []
                if not targets:
                    problems.append(f"`severity`: unknown rule selector {key!r}")
                    continue
                try:
                    parsed = Severity.parse(level) if isinstance(level, str) else None
                except ValueError:
                    parsed = None
                if parsed is None:
                    problems.append(f"`severity.{key}`: expected error, warning, info or hint, got {level!r}")
                    continue
                pairs.extend((code, parsed) for code in targets)
            changes["severity"] = tuple(pairs)
    for key, attr, minimum in (("debounce", "debounce_ms", 0), ("maxFileSize", "max_file_size", 1),
                               ("fullCheckDelay", "full_check_delay_ms", 0)):
        if key in raw and raw[key] is not None:
            value = raw[key]
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < minimum:
                problems.append(f"`{key}` must be a number >= {minimum}, got {value!r}")
            else:
                changes[attr] = int(value)
    return replace(settings, **changes)


def uri_to_path(uri: str) -> str | None:
    """Filesystem path of a file: URI (None for untitled: and other schemes)."""
    if os.path.isabs(uri):
        return os.path.normpath(uri)
    parsed = urlparse(uri)
    if parsed.scheme != "file":
        return None
    path = unquote(parsed.path)
    if os.name == "nt" and len(path) > 2 and path[0] == "/" and path[2] == ":":  # pragma: no cover
        path = path[1:]
    return os.path.normpath(path)


@dataclass
class SettingsStore:
    """Global settings plus per-root overrides (longest matching root wins)."""

    global_raw: dict = field(default_factory=dict)
    root_raw: dict[str, dict] = field(default_factory=dict)  # folder path -> raw overrides
    _cache: dict[str | None, EditorSettings] = field(default_factory=dict)

    def set_global(self, raw: Any, problems: list[str]) -> None:
        raw = unwrap(raw)
        if raw is None:
            return
        parse(raw, problems=problems)  # validate now, report once
        roots = raw.get("roots")
        if isinstance(roots, dict):
            for key, value in roots.items():
                path = uri_to_path(key) if isinstance(key, str) else None
                if path is None:
                    problems.append(f"`roots`: {key!r} is not a folder path or file URI")
                elif isinstance(value, dict):
                    parse(value, problems=problems)
                    self.root_raw[path] = value
        self.global_raw = {k: v for k, v in raw.items() if k != "roots"}
        self._cache.clear()

    def set_root(self, folder: str, raw: Any, problems: list[str]) -> None:
        raw = unwrap(raw)
        if raw is None:
            return
        parse(raw, problems=problems)
        self.root_raw[folder] = {k: v for k, v in raw.items() if k != "roots"}
        self._cache.clear()

    def root_for(self, path: str | None) -> str | None:
        if path is None:
            return None
        best = None
        for root in self.root_raw:
            if path == root or path.startswith(root.rstrip(os.sep) + os.sep):
                if best is None or len(root) > len(best):
                    best = root
        return best

    def for_path(self, path: str | None) -> EditorSettings:
        root = self.root_for(path)
        cached = self._cache.get(root)
        if cached is None:
            cached = parse(self.global_raw)
            if root is not None:
                cached = parse(self.root_raw[root], base=cached)
            self._cache[root] = cached
        return cached
