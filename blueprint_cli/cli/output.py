"""The one writer behind every `-o FILE` / `--junit-xml FILE`: what a command
writes to a file the user names.

Why not always a temporary file renamed over the target: a rename replaces
whatever the name points at, so `-o /dev/null` would turn the device node into
a regular file (as root, that breaks the machine), and `-o fifo` would never
reach the reader. So: a regular file (or a new name) is replaced atomically —
a reader or a crash sees the old content or the new, never half; anything else
that can be opened for writing (a device, a FIFO, a terminal) is streamed to;
a folder is refused.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from blueprint_cli.diagnostics import BlueprintError


def write_output(path: Path, data: bytes) -> None:
    """Write `data` to the file the user named (see the module docstring)."""
    try:
        mode: int | None = os.stat(path).st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise BlueprintError(f"cannot write {path}: {exc.strerror or exc}") from None
    if mode is not None and stat.S_ISDIR(mode):
        raise BlueprintError(f"{path} is a folder; give a file name", hint="e.g. -o out/deal.svg")
    try:
        if mode is None or stat.S_ISREG(mode):
            # through a symbolic link, replace the file it points at, not the link
            target = Path(os.path.realpath(path))
            if not target.parent.is_dir():
                raise BlueprintError(f"cannot write {path}: no such folder {path.parent}", hint="create it first, or write elsewhere")
            from blueprint_cli.store.files import atomic_write

            atomic_write(target, data)
        else:
            _stream(path, data)
    except OSError as exc:
        raise BlueprintError(f"cannot write {path}: {exc.strerror or exc}") from None


def _stream(path: Path, data: bytes) -> None:
    """A device, FIFO or socket: open it as a shell redirection would (no create,
    no rename) and write everything."""
    from blueprint_cli.store.files import _write_all

    fd = os.open(path, os.O_WRONLY | os.O_NOCTTY)
    try:
        _write_all(fd, data)
    finally:
        os.close(fd)
