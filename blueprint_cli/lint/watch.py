"""`blueprint lint --watch`: lint, then lint again whenever a file changes.

Polls (twice a second) the size and time of every YAML and TOML file under
the given paths and of the configuration files that applied: no file-system
event library needed, and it works on network drives and in containers.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

INTERVAL = 0.5
_SUFFIXES = (".yaml", ".yml", ".toml")

Snapshot = dict[str, tuple[int, int]]


def snapshot(paths: Sequence[Path], extra: Sequence[Path] = ()) -> Snapshot:
    out: Snapshot = {}

    def add(path: str) -> None:
        try:
            st = os.stat(path)
        except OSError:
            return
        out[path] = (st.st_mtime_ns, st.st_size)

    for p in paths:
        if p.is_dir():
            for root, dirs, names in os.walk(p):
                dirs[:] = [d for d in dirs if not d.startswith(".")]
                for n in names:
                    if n.endswith(_SUFFIXES):
                        add(os.path.join(root, n))
        else:
            add(str(p))
    for p in extra:
        add(str(p))
    return out


def watch(paths: Sequence[Path], lint_once: Callable[[], tuple[int, Sequence[Path]]], *,
          clear: Callable[[], None], note: Callable[[str], None], interval: float = INTERVAL) -> None:
    """Run `lint_once` now and after every change, until interrupted (Ctrl-C
    ends the command like any other: exit 130). `lint_once` reports; `clear`
    comes before each round, `note` says what it waits for (the reporter's)."""
    while True:
        clear()
        _, configs = lint_once()
        seen = snapshot(paths, configs)
        note(f"[{datetime.now():%H:%M:%S}] watching {len(seen)} files for changes (Ctrl-C stops)")
        while snapshot(paths, configs) == seen:
            time.sleep(interval)
