"""Which query matches the engine trusts in a tree with syntax errors."""

from __future__ import annotations

from reviewlens.analyzers.soundness import error_ranges, unsound
from reviewlens.analyzers.languages import parse

SOURCE = b"def ok():\n    y = 2\n\ndef broken(:\n    pass\n"


def _nodes():
    tree = parse(SOURCE, "python")
    sound = tree.root_node.named_children[0]  # def ok(): complete and error-free
    broken = tree.root_node.named_children[1]  # def broken(: the parser made up a ")"
    error = next(n for n in broken.child_by_field_name("parameters").children if n.is_missing)
    return tree, sound, error


def test_error_ranges_cover_the_broken_tokens_only():
    tree, sound, _ = _nodes()
    ranges = error_ranges(tree)
    assert ranges
    assert not any(sound.start_byte < hi and lo < sound.end_byte for lo, hi in ranges)


def test_a_match_on_sound_nodes_is_trusted_and_one_on_an_error_is_not():
    _, sound, error = _nodes()
    assert not unsound({"stmt": [sound]})
    assert unsound({"stmt": [sound], "arg": [error]})
    assert unsound({"params": [error.parent]})  # the innermost capture contains the error


def test_predicate_only_captures_are_not_judged():
    """`@_name` captures exist to narrow a pattern; their nodes do not decide soundness."""
    _, sound, error = _nodes()
    assert not unsound({"stmt": [sound], "_name": [error]})
