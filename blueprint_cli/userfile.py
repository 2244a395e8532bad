"""The one reader of files a user names or a folder walk finds: blueprints
(lint, show, graph, publish, diff), scenario files, team files and imports.

Only a regular file is read, and its size is checked before reading: a named
pipe would block the command for ever (`lint fifo.yaml`, or a FIFO lying in a
linted folder), `/dev/zero` would grow without end, and a huge file would
exhaust memory. The file is opened without blocking (`O_NONBLOCK`, so even
opening a FIFO returns at once), checked with `fstat` on that same open file
(no race with a rename), and read to at most `limit` bytes.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from blueprint_cli.diagnostics import BlueprintError

#: Blueprints, scenario and team files (the loader's limit, in bytes).
MAX_BYTES = 10 * 1024 * 1024

_KINDS = ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a folder"))


class UnreadableFile(BlueprintError):
    """A file that is not read: not a regular file, too large, or refused by the
    system. `reason` is the message without the path; `too_large` tells which."""

    def __init__(self, path: Path | str, reason: str, *, too_large: bool = False) -> None:
        super().__init__(f"{path}: {reason}", hint="give a regular file" if not too_large else None)
        self.reason = reason
        self.too_large = too_large


def kind_of(mode: int) -> str | None:
    """What a file that is not regular is ("a named pipe (FIFO)", ...), or None."""
    return next((name for test, name in _KINDS if test(mode)), None if stat.S_ISREG(mode) else "not a regular file")


def read_user_file(path: Path | str, limit: int = MAX_BYTES) -> bytes:
    """The bytes of a regular file of at most `limit` bytes; else `UnreadableFile`."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        what = "cannot list folder" if os.path.isdir(path) else "cannot read file"
        raise UnreadableFile(path, f"{what}: {exc.strerror or exc}") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise UnreadableFile(path, f"not a regular file: {kind_of(st.st_mode)}")
        if st.st_size > limit:
            raise UnreadableFile(path, _too_large(st.st_size, limit), too_large=True)
        chunks: list[bytes] = []
        size = 0
        while chunk := os.read(fd, min(1 << 20, limit + 1 - size)):
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:  # it grew while we read it
                raise UnreadableFile(path, _too_large(size, limit), too_large=True)
    except OSError as exc:
        raise UnreadableFile(path, f"cannot read file: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
    return b"".join(chunks)


def _too_large(size: int, limit: int) -> str:
    return f"file is larger than {_mib(limit)} ({size:,} bytes)"


def _mib(n: int) -> str:
    return f"{n // (1024 * 1024)} MiB" if n % (1024 * 1024) == 0 else f"{n:,} bytes"
