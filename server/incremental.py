"""Region re-checks for the keystroke path of large Python documents.

A full check of a 17k-line module costs ~400 ms here, almost all of it the whole-tree
query walk and semantic pre-passes. When an edit stays inside the bodies of top-level
`def`/`class` statements (headers, decorators and all module-level statements unchanged),
the server re-checks a *masked* copy of the document instead: same length and same line
breaks, every other top-level definition's body blanked to `...`, the module-level
statements (imports, assignments, headers) kept. The tree of that copy is tiny, so the
check costs a few ms, and its findings carry the real offsets. Findings are taken from it
only inside the edited statements and the module-level statements; findings in the
untouched definitions are carried over from the previous analysis (shifted).

Refused (the caller falls back to a full check) when: the document is not Python, has
syntax errors, the edit touches module-level code or a header, a file-wide suppression
comment is in the edited text, or any fix crosses the edited region (a fix that merges
several statements, like RL401's lifespan rewrite, needs the whole file).

Rules whose findings in one function depend on *another* function's body would be stale
after a region check; the server therefore schedules a full check once typing pauses
(`fullCheckDelay`, default 1 s) and republishes when it differs: a region result is a
fast first answer, the full check the final one.
"""

from __future__ import annotations

from typing import Callable

import functools

from tree_sitter import Parser, Range

from reviewlens.analyzers.model import Edit, Finding, Fix

DEFS = {"function_definition", "class_definition", "decorated_definition"}


@functools.cache
def _parser(language) -> Parser:
    return Parser(language)


def _point(source: bytes, offset: int) -> tuple[int, int]:
    row = source.count(b"\n", 0, offset)
    return (row, offset - (source.rfind(b"\n", 0, offset) + 1))


def _at_module_level(root, edit: Edit) -> bool:
    """An edit between or inside module-level statements that are not definitions
    (e.g. an added import)."""
    for child in root.children:
        if child.start_byte <= edit.start <= child.end_byte:
            return child.type not in DEFS
        if child.start_byte > edit.start:
            return True
    return True


def _definition(node):
    if node.type == "decorated_definition":
        return node.child_by_field_name("definition")
    return node


def _header(source: bytes, node) -> bytes | None:
    d = _definition(node)
    body = d.child_by_field_name("body") if d is not None else None
    if body is None:
        return None
    return source[node.start_byte : body.start_byte]


def _overlapping(root, lo: int, hi: int) -> list:
    return [c for c in root.children if c.start_byte <= hi and lo <= c.end_byte]


def _shift_fix(fix: Fix | None, at: int, delta: int) -> Fix | None:
    if fix is None or delta == 0:
        return fix
    return Fix(fix.title, tuple(Edit(e.start + delta, e.end + delta, e.text) if e.start >= at else e
                                for e in fix.edits), fix.applicability)


def _fixes(f: Finding) -> list[Fix]:
    return ([f.fix] if f.fix is not None else []) + list(f.alternatives)


def _touches(fix: Fix, lo: int, hi: int) -> bool:
    return any(e.start < hi and lo < max(e.end, e.start + 1) for e in fix.edits)


def region_findings(
    new_source: bytes,
    new_tree,
    old_source: bytes,
    old_tree,
    old_findings: list[Finding],
    dirty: tuple[int, int],
    check: Callable[[bytes, object], list[Finding]],
) -> list[Finding] | None:
    """Findings for `new_source` from a masked re-check, or None when not applicable."""
    if new_tree is None or old_tree is None or new_tree.root_node.has_error:
        return None
    lo, hi = dirty
    delta = len(new_source) - len(old_source)
    old_hi = hi - delta
    if old_hi < lo:
        return None
    new_root, old_root = new_tree.root_node, old_tree.root_node
    new_top = _overlapping(new_root, lo, hi)
    old_top = _overlapping(old_root, lo, old_hi)
    if not new_top or len(new_top) != len(old_top):
        return None
    for n, o in zip(new_top, old_top):
        if n.type not in DEFS or n.type != o.type:
            return None
        hn, ho = _header(new_source, n), _header(old_source, o)
        if hn is None or hn != ho or n.start_byte != o.start_byte:
            return None
    region = (new_top[0].start_byte, new_top[-1].end_byte)
    old_region = (old_top[0].start_byte, old_top[-1].end_byte)
    if region[1] - old_region[1] != delta:
        return None
    if b"reviewlens" in new_source[region[0] : region[1]] or b"reviewlens" in old_source[old_region[0] : old_region[1]]:
        return None  # a file-wide suppression may have been typed or removed

    # Parse only the edited statements and the module-level statements (imports,
    # assignments: what name resolution needs), with their real offsets.
    keep: list[tuple[int, int]] = []
    for child in new_root.children:
        if region[0] <= child.start_byte < region[1]:
            continue
        if child.type not in DEFS and child.type != "comment":
            keep.append((child.start_byte, child.end_byte))
    keep.append(region)
    keep.sort()
    # Each statement with its line break, or they would run together.
    spans = []
    for i, (a, b) in enumerate(keep):
        nl = new_source.find(b"\n", b)
        end = len(new_source) if nl < 0 else nl + 1
        if i + 1 < len(keep):
            end = min(end, keep[i + 1][0])
        spans.append((a, max(b, end)))
    ranges = [Range(_point(new_source, a), _point(new_source, b), a, b) for a, b in spans]
    parser = _parser(new_tree.language)
    parser.included_ranges = ranges
    try:
        small = parser.parse(new_source)
    finally:
        parser.included_ranges = []
    if small.root_node.has_error:
        return None
    fresh = check(new_source, small)

    out: list[Finding] = []
    for f in fresh:
        if not (region[0] <= f.start and f.end <= region[1]):
            continue
        for fx in _fixes(f):
            # a fix may add imports at the top; anything else outside the region is not ours
            if any(not (region[0] <= e.start and e.end <= region[1]) and not _at_module_level(new_root, e) for e in fx.edits):
                return None
        out.append(f)
    for f in old_findings:
        if f.start < old_region[1] and old_region[0] < max(f.end, f.start + 1):
            continue  # recomputed
        for fx in _fixes(f):
            if _touches(fx, *old_region):
                return None
        if f.start >= old_region[1]:
            f = Finding(f.code, f.name, f.message, f.severity, f.start + delta, f.end + delta,
                        _shift_fix(f.fix, old_region[1], delta),
                        tuple(_shift_fix(a, old_region[1], delta) for a in f.alternatives),
                        f.deprecated, f.unnecessary, dict(f.extra))
        out.append(f)
    seen: set[tuple] = set()
    merged = []
    for f in sorted(out, key=Finding.sort_key):
        key = (f.code, f.start, f.end)
        if key not in seen:
            seen.add(key)
            merged.append(f)
    return merged
