"""Workspace.contains_all answers what `all(n in read_text(path))` would, for every
workspace kind, without decoding files from disk (analyzers/workspace.py)."""

from __future__ import annotations

import os

import pytest

from reviewlens.analyzers.workspace import FileSystemWorkspace
from reviewlens.server.cache import RecordingWorkspace, SignedWorkspace

CONTENTS = {
    "plain.py": "app.include_router(users.router)\n".encode(),
    "without.py": b"import users\n",
    "empty.py": b"",
    "invalid_utf8.py": b"\xff\xfeinclude_router(\xe2users\xe2\x82)\n",
    "non_ascii.py": "# \u00fcsers\nr\u00e9sum\u00e9.include_router(x)\n".encode(),
    "truncated_lead.py": b"x = '\xe2" + "\u00e9t\u00e9".encode() + b"'\ninclude_router\n",
    "crlf.py": b"app.include_router(\r\n    users.router)\r\n",
}
NEEDLES = [("include_router",), ("include_router", "users"), ("users",), ("\u00e9t\u00e9", "include_router"),
           ("r\u00e9sum\u00e9",), ("\ud800",), ("",), ("include_router", "absent")]


@pytest.fixture
def project(tmp_path):
    for name, data in CONTENTS.items():
        (tmp_path / name).write_bytes(data)
    big = tmp_path / "big.py"
    big.write_bytes(b"include_router\n" + b"#" * FileSystemWorkspace.MAX_BYTES)
    return tmp_path


def _kinds(root):
    yield "plain", FileSystemWorkspace([str(root)])
    yield "stable", FileSystemWorkspace([str(root)], stable=True)
    yield "signed+recording", RecordingWorkspace(SignedWorkspace([str(root)], stable=True))


@pytest.mark.parametrize("needles", NEEDLES)
def test_same_answer_as_reading_the_text(project, needles):
    names = sorted(CONTENTS) + ["big.py", "missing.py"]
    for kind, ws in _kinds(project):
        for name in names:
            path = str(project / name)
            text = FileSystemWorkspace([str(project)]).read_text(path)
            expected = text is not None and all(n in text for n in needles)
            assert ws.contains_all(path, needles) is expected, (kind, name, needles)
            assert ws.contains_all(path, needles) is expected, (kind, name, needles, "again")


def test_an_open_buffer_wins_over_the_disk(project):
    path = os.path.abspath(project / "without.py")
    ws = FileSystemWorkspace([str(project)], overlay={path: "app.include_router(users.router)\n"})
    assert ws.contains_all(path, ("include_router", "users"))


def test_a_stable_workspace_remembers_until_invalidated(project):
    ws = FileSystemWorkspace([str(project)], stable=True)
    path = str(project / "without.py")
    assert not ws.contains_all(path, ("include_router",))
    (project / "without.py").write_bytes(b"include_router\n")
    assert not ws.contains_all(path, ("include_router",))  # a batch run's tree is fixed
    ws.invalidate(path)
    assert ws.contains_all(path, ("include_router",))
    editor = FileSystemWorkspace([str(project)])  # an editor's workspace looks every time
    (project / "without.py").write_bytes(b"nothing\n")
    assert not editor.contains_all(path, ("include_router",))


def test_the_cache_records_the_answer_signed_by_the_file(project):
    """A dependency on the answer (no digest of the file's text, which is never decoded),
    signed by the file's stat so that a warm run revalidates it without reading."""
    from reviewlens.server.cache import contains_key, current_dep_value, dep_path

    signed = SignedWorkspace([str(project)], stable=True)
    ws = RecordingWorkspace(signed)
    path = str(project / "without.py")
    for needles, answer in ((("include_router",), None), (("nothing",), "1")):
        (project / "without.py").write_bytes(b"nothing\n")
        assert ws.contains_all(path, needles) is (answer == "1")
        key = contains_key(path, needles)
        assert ws.deps[key] == answer and key in ws.snapshot()[1] and dep_path(key) == os.path.abspath(path)
        assert current_dep_value(key, FileSystemWorkspace([str(project)])) == answer
    assert not signed._cache  # answered from the bytes: no text kept
    (project / "without.py").write_bytes(b"include_router\n")
    assert current_dep_value(contains_key(path, ("include_router",)), FileSystemWorkspace([str(project)])) == "1"


@pytest.mark.parametrize("size", [0, 1, 65535, 65536, 65537, 3 * 65536 + 5, (1 << 20) + 65536, 2 * (1 << 20) + 7])
def test_read_bytes_is_the_whole_file(tmp_path, size):
    from reviewlens.analyzers.workspace import read_bytes

    data = bytes(range(256)) * (size // 256) + b"x" * (size % 256)
    path = tmp_path / "f.bin"
    path.write_bytes(data)
    assert read_bytes(str(path)) == data
    assert read_bytes(str(path), size) == data
    assert read_bytes(str(path), size + 1) == data
    if size:
        assert read_bytes(str(path), size - 1) is None


def test_read_bytes_raises_for_what_cannot_be_read(tmp_path):
    from reviewlens.analyzers.workspace import read_bytes

    with pytest.raises(OSError):
        read_bytes(str(tmp_path / "missing.py"))
    with pytest.raises(OSError):
        read_bytes(str(tmp_path))  # a folder
    assert FileSystemWorkspace([str(tmp_path)]).read_text(str(tmp_path)) is None


def test_answers_found_ahead_are_the_workspace_s_own(project, monkeypatch):
    """workspace.known_ahead (a batch run's discovery child, analyzers/project_scans.py):
    a stable workspace handed them lists and answers exactly as it would have, without
    reading a file that lacks the scan's word."""
    from reviewlens.analyzers import workspace
    from reviewlens.analyzers.project_scans import INCLUDE_ROUTER, SCANS

    (project / "sub").mkdir()
    (project / "sub" / "mounted.py").write_bytes(b"app.include_router(users.router)\n")
    (project / "node_modules").mkdir()
    (project / "node_modules" / "x.py").write_bytes(b"include_router\n")
    root = str(project)
    known = workspace.known_ahead([root], SCANS)
    fresh = FileSystemWorkspace([root], stable=True)
    listed = fresh.list_files(root, INCLUDE_ROUTER.suffixes, INCLUDE_ROUTER.limit)
    asked = [(path, needles) for path in listed for needles in ((INCLUDE_ROUTER.needle,), (INCLUDE_ROUTER.needle, "users"))]
    expected = [fresh.contains_all(path, needles) for path, needles in asked]
    with_word = {os.path.abspath(p) for p in listed if fresh.contains_all(p, (INCLUDE_ROUTER.needle,))}
    assert len(with_word) == 6 and not any("node_modules" in p for p in listed)
    reads: list[str] = []
    real = workspace.read_bytes
    monkeypatch.setattr(workspace, "read_bytes", lambda path, limit=None: reads.append(path) or real(path, limit))
    ahead = FileSystemWorkspace([root], stable=True, known=known)
    assert ahead.list_files(root, INCLUDE_ROUTER.suffixes, INCLUDE_ROUTER.limit) == listed
    assert [ahead.contains_all(path, needles) for path, needles in asked] == expected
    assert reads and set(reads) <= with_word  # only files with the word are read again (for "users")
    # Not for a workspace that may change (an editor's) or one with open buffers.
    assert not FileSystemWorkspace([root], known=known)._listed
    assert not FileSystemWorkspace([root], stable=True, overlay={"/x.py": ""}, known=known)._listed
