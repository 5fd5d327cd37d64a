"""Words some rules look for in every file of a project, declared where a batch run can
find them without importing the rules.

RL308 scans the project for the `include_router(...)` calls that mount a router with
its dependencies: it reads every Python file of the workspace root (~18 ms for the
benchmark's 1,358 files, in whichever worker first needs it). A cold batch run's
background discovery child (server/background_discovery.py) has time to spare while the
parent compiles queries: it lists those files and notes which hold the word, and the
run's workspaces start with these answers (`FileSystemWorkspace(known=...)`), exactly
what their own `list_files` and `contains_all` would have found in the unchanged tree.
"""

from __future__ import annotations


class ProjectScan:
    """`list_files(root, suffixes, limit)` of a workspace root, then which files hold `needle`."""

    __slots__ = ("suffixes", "limit", "needle")

    def __init__(self, suffixes: tuple[str, ...], limit: int, needle: str) -> None:
        self.suffixes, self.limit, self.needle = suffixes, limit, needle


INCLUDE_ROUTER = ProjectScan((".py",), 3000, "include_router")  # RL308
SCANS = (INCLUDE_ROUTER,)
