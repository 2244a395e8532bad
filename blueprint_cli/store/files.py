"""File-system primitives the JSON store is built on: atomic replacement of a
file, durable directory entries, and advisory locks (`fcntl.flock`).

Why each step: a file is written to a temporary name in the same folder,
flushed and fsynced, then `os.replace`d over the old one (rename is atomic on
POSIX), and the folder is fsynced so the rename itself survives a power cut.
A reader therefore sees the old file or the new one, never half of one.
"""

from __future__ import annotations

import errno
import functools
import os
import stat
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from blueprint_cli.diagnostics import BlueprintError

class NoFileLocks(BlueprintError):
    """This system has no POSIX file locks (fcntl): the JSON store cannot keep its promises."""

    exit_code = 1


#: How long to wait for a lock another process holds before giving up.
LOCK_TIMEOUT = 30.0


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_all(fd: int, data: bytes) -> None:
    """`os.write` may write less than asked: loop until every byte is out."""
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def atomic_write(path: Path, data: bytes, *, durable: bool = True) -> None:
    """Replace `path` with `data` so that a crash at any instant leaves either the
    old content or the new, never a mix. `durable=False` skips the fsyncs (only
    for generating bulk test data)."""
    tmp = write_temporary(path, data, sync=durable)
    try:
        os.replace(tmp, path)
    except BaseException:
        _unlink_quietly(tmp)
        raise
    if durable:
        fsync_dir(path.parent)


class ChangedMeanwhile(Exception):
    """The file is no longer what was read: it was not replaced."""


class NotReplaced(Exception):
    """The file cannot be replaced as it is (read-only, hard-linked, someone
    else's): it was left alone. The message says why."""


def replace_unchanged(path: Path, expected: bytes, data: bytes) -> None:
    """Atomically replace the file `path` names (through symbolic links, the
    file itself) with `data`, keeping its permission bits and its owner, unless
    its content is no longer `expected` — someone (an editor, a formatter)
    wrote it since it was read; then raise `ChangedMeanwhile` and leave it alone.

    A file that cannot be replaced so is refused (`NotReplaced`), never
    changed in another way: a read-only file (even for root, who could write
    it), a file with other hard links (the new file would have this name only,
    the other names would keep the old text), a file whose owner cannot be
    kept (not root, and someone else's)."""
    target = Path(os.path.realpath(path))
    try:
        st = os.stat(target)
    except OSError as exc:
        raise NotReplaced(f"cannot read it: {exc.strerror}") from None
    if not st.st_mode & 0o222:
        raise NotReplaced("it is read-only")
    if not os.access(target, os.W_OK):
        raise NotReplaced("you may not write to it")
    if st.st_nlink > 1:
        others = st.st_nlink - 1
        raise NotReplaced(f"it has {others} other hard link{'s' if others > 1 else ''}: the new text would "
                          "not reach the other names")
    try:
        tmp = write_temporary(target, data, sync=True)
    except OSError as exc:
        raise NotReplaced(f"cannot write next to it: {exc.strerror}") from None
    try:
        mine = os.stat(tmp)
        if (mine.st_uid, mine.st_gid) != (st.st_uid, st.st_gid):
            try:
                os.chown(tmp, st.st_uid, st.st_gid)  # before chmod: chown clears set-id bits
            except PermissionError:
                raise NotReplaced("it belongs to another user or group, which a new file could not keep") \
                    from None
        os.chmod(tmp, st.st_mode & 0o7777)
        # compared last, just before the rename, so the window is as small as it gets
        if target.read_bytes() != expected:
            raise ChangedMeanwhile(str(path))
        try:
            os.replace(tmp, target)
        except OSError as exc:
            raise NotReplaced(f"cannot replace it: {exc.strerror}") from None
    except BaseException:
        _unlink_quietly(tmp)
        raise
    fsync_dir(target.parent)


def write_temporary(path: Path, data: bytes, *, sync: bool = False) -> Path:
    """Write `data` next to `path` under a temporary name: the first half of an
    atomic write. Not synced by default, for a batch whose sync is shared by
    many files; `sync=True` fsyncs the file (what `atomic_write` needs)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        _write_all(fd, data)
        if sync:
            os.fsync(fd)
    except BaseException:
        os.close(fd)
        _unlink_quietly(tmp)
        raise
    os.close(fd)
    return tmp


@functools.cache
def _libc(name: str) -> Any:
    """A function of the C library (`syncfs`, `renameat2`), or None where there is none."""
    try:
        import ctypes

        return getattr(ctypes.CDLL(None, use_errno=True), name)
    except (OSError, AttributeError):
        return None


def sync_filesystem(path: Path) -> None:
    """Make everything written to the file system holding `path` durable: file
    data, new names and renames. One `syncfs` (Linux) instead of an fsync per
    file and folder; elsewhere `os.sync`."""
    syncfs = _libc("syncfs")
    if syncfs is not None:
        fd = os.open(path, os.O_RDONLY)
        try:
            if syncfs(fd) == 0:
                return
        finally:
            os.close(fd)
    os.sync()


class NotAFile(OSError):
    """A path that should be a store file is a folder, a FIFO, a device…"""


#: The largest store file read (a record with a long history is a few MB).
MAX_STORE_FILE = 256 * 1024 * 1024


def read_file(path: str | Path) -> bytes:
    """A whole regular file's bytes (`open(path, "rb").read()` without the buffered
    file object, which costs more than the read itself for a small file). A
    folder, FIFO or device in its place is `NotAFile` — opened without blocking
    and never read, so a FIFO cannot hang the command."""
    return read_file_stat(path)[0]


def read_file_stat(path: str | Path) -> tuple[bytes, os.stat_result]:
    """`read_file`, and the file's status taken on the open file before it is
    read: any change made after that changes the status (its change time, at
    least), so a status found the same later means the bytes read are still
    the file's (`store/stays.py`)."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            kind = "a folder" if stat.S_ISDIR(st.st_mode) else "not a regular file (a FIFO, socket or device)"
            raise NotAFile(errno.EINVAL, f"is {kind}", str(path))
        if st.st_size > MAX_STORE_FILE:
            raise NotAFile(errno.EFBIG, f"is {st.st_size} bytes, more than a store file can be", str(path))
        # one read of the size fstat gave, and a byte more: a regular file reads
        # short only at its end, so a shorter answer is the whole file (the
        # usual case: no second read to see the end); a file that grew is read on
        want = st.st_size + 1
        chunk = os.read(fd, want)
        if len(chunk) < want:
            return chunk, st
        chunks = [chunk]
        while chunk := os.read(fd, 65536):
            chunks.append(chunk)
    finally:
        os.close(fd)
    return b"".join(chunks), st


def write_into(path: str, data: bytes) -> None:
    """Overwrite a file in place (created if missing), not synced. Only for files
    nobody reads: the spare files a batch fills and then swaps in (`exchange`)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o644)
    except FileNotFoundError:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        _write_all(fd, data)
        os.ftruncate(fd, len(data))
    finally:
        os.close(fd)


_EXCHANGE = 2  # RENAME_EXCHANGE (linux/fs.h)
_AT_FDCWD = -100


def exchange(a: str, b: str) -> bool:
    """Swap two paths atomically (Linux `renameat2(RENAME_EXCHANGE)`): each name
    then holds the other's file, and nobody ever sees either name missing or a
    file half-written. False where the system or file system cannot do it."""
    renameat2 = _libc("renameat2")
    if renameat2 is None:
        return False
    import ctypes

    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EXDEV, errno.ENOENT):
        return False
    raise OSError(err, os.strerror(err), a)


def touch(path: Path) -> bool:
    """Create an empty file if it is missing, without syncing (see `sync_filesystem`)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        return False
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    os.close(fd)
    return True


def touch_durably(path: Path) -> bool:
    """Create an empty file if it is missing (and make the new entry durable).
    Returns True if it was created."""
    created = touch(path)
    if created:
        fsync_dir(path.parent)
    return created


def _unlink_quietly(path: Path) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def unlink_quietly(path: Path) -> None:
    _unlink_quietly(path)


@contextmanager
def locked(path: Path | str, *, shared: bool = False, what: str = "the workspace",
           timeout: float = LOCK_TIMEOUT) -> Iterator[None]:
    """Hold an advisory lock on `path` (created if missing) for the `with` block.

    Waits for other processes with a short backoff; after `timeout` seconds it
    gives up with an error rather than hanging forever.
    """
    fd = lock(path, shared=shared, what=what, timeout=timeout)
    try:
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def lock(path: Path | str, *, shared: bool = False, what: str = "the workspace",
         timeout: float = LOCK_TIMEOUT) -> int:
    """Take the lock `locked` holds and return its descriptor: the lock is held
    until every descriptor of that open file is closed (a copy handed to another
    process keeps it, see `store/writer.py`)."""
    try:
        # imported here, the one place that needs it: fcntl exists on POSIX systems only,
        # and elsewhere every command that reads the store should say so, not fail to start
        import fcntl
    except ModuleNotFoundError:
        raise NoFileLocks("the workspace's record store needs POSIX file locks (the fcntl module), which this "
                          "system does not have",
                          hint="blueprint runs on POSIX systems only (Linux, macOS); on Windows, use WSL") from None
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except FileNotFoundError:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    mode = fcntl.LOCK_SH if shared else fcntl.LOCK_EX
    try:
        deadline = time.monotonic() + timeout
        pause = 0.0005
        while True:
            try:
                fcntl.flock(fd, mode | fcntl.LOCK_NB)
                return fd
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                    raise
                if time.monotonic() > deadline:
                    raise BlueprintError(f"{what} is locked by another blueprint process (waited {timeout:.0f}s)",
                                         hint=f"try again; the lock file is {path}", exit_code=1) from None
                time.sleep(pause)
                pause = min(pause * 2, 0.05)
    except BaseException:
        os.close(fd)
        raise
