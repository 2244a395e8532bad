"""Where CI tools expect a finding's file: relative to the repository root.

GitHub code scanning and workflow annotations resolve paths from the root of
the checkout, whatever folder `blueprint lint` ran in, so `cd sub && blueprint
lint f.yaml` must report `sub/f.yaml`. The root is the nearest folder upward
holding `.git` (a folder, or a file in worktrees and submodules), as `git
rev-parse --show-toplevel` finds it but without starting a process; outside a
repository it is the current folder.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path


@lru_cache(maxsize=8)
def _root(cwd: str) -> Path:
    here = Path(cwd)
    for folder in (here, *here.parents):
        if (folder / ".git").exists():
            return folder
    return here


def source_root() -> Path:
    """The repository's top-level folder, else the current folder (absolute)."""
    return _root(os.getcwd())


def from_root(file: str) -> str | None:
    """`file` (as reported: relative to the current folder, or absolute) relative
    to `source_root()` with forward slashes, or None when it lies outside it."""
    path = Path(os.path.abspath(file))
    try:
        return path.relative_to(source_root()).as_posix()
    except ValueError:
        return None
