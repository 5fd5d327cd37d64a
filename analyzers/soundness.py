"""Which matches can be trusted in a file with syntax errors: the engine's rule, shared
with the rules that match outside the combined query (typescript/gated.py, RL201's
text-driven scan) so that they drop exactly what the engine drops."""

from __future__ import annotations

from tree_sitter import Node, Tree


def error_ranges(tree: Tree) -> list[tuple[int, int]]:
    """Spans of source the parser could not make sense of: the tokens sitting directly in
    ERROR nodes, and MISSING nodes. Complete subtrees inside an ERROR node are sound (a
    broken line must not hide findings in the functions around it)."""
    if not tree.root_node.has_error:
        return []
    ranges: list[tuple[int, int]] = []
    stack = [tree.root_node]
    while stack:
        n = stack.pop()
        if n.is_missing:
            ranges.append((max(n.start_byte - 1, 0), n.end_byte + 1))
        elif n.type == "ERROR":
            if n.child_count == 0:
                ranges.append((n.start_byte, max(n.end_byte, n.start_byte + 1)))
            for c in n.children:
                if c.type == "ERROR" or c.has_error or c.is_missing:
                    stack.append(c)
                elif c.child_count == 0 or not c.is_named:
                    ranges.append((c.start_byte, max(c.end_byte, c.start_byte + 1)))
        elif n.has_error:
            stack.extend(n.children)
    return ranges


def unsound(captures: dict[str, list[Node]]) -> bool:
    """A match is not trusted when a captured node is itself an error, or when its
    innermost captured node contains one. Captures named with a leading underscore
    (`@_name`) exist only to narrow a pattern with a predicate and are not judged."""
    smallest = None
    for name, nodes in captures.items():
        if name.startswith("_"):
            continue
        for n in nodes:
            if n.type == "ERROR" or n.is_missing:
                return True
            if smallest is None or (n.end_byte - n.start_byte) < (smallest.end_byte - smallest.start_byte):
                smallest = n
    return smallest is not None and smallest.has_error
