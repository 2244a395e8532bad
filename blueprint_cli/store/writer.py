"""Writing a batch of record files, in this process or in a helper process.

`write_batch` is what a batch's commit does on disk (`jsonstore._Batch`): every
new content goes into a spare file, every new state marker is linked, one sync
makes them durable, every spare is swapped with its record file, a second sync
makes the swaps durable, and only then are the old markers removed. A crash at
any instant leaves each record whole, before or after, and never without its
marker.

`Writer` runs `write_batch` in a helper process (a new interpreter running
`main` below) so that a bulk can read, move and encode the next batch while the
disk works on this one. A thread would not do: the hundreds of
small system calls of a batch each give up and take back Python's lock, and
every taking back waits for the bulk's own thread, so both crawl. The helper
is handed the batch's open lock files (`SCM_RIGHTS`), so the records stay
locked until their files are written even if the bulk process dies meanwhile:
a lock belongs to the open file, and is released only when both processes have
closed it.
"""

from __future__ import annotations

import array
import os
import pickle
import signal
import socket
import struct
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from blueprint_cli.diagnostics import BlueprintError
from blueprint_cli.store.files import exchange, locked, sync_filesystem, touch, write_into, write_temporary

#: Descriptors per message (the kernel takes at most 253 at once).
_FDS_PER_MESSAGE = 250
#: Batches handed over and not yet confirmed: one being written, one waiting.
_IN_FLIGHT = 2


@dataclass(frozen=True)
class BatchFiles:
    """What one batch writes: `files` (record path, new content), and `markers`
    (old marker or None, new marker) for the records that change state."""

    locks_dir: str
    records_dir: str
    files: Sequence[tuple[str, bytes]]
    markers: Sequence[tuple[str | None, str]]
    #: whether the file system swaps two files atomically (`files.exchange`)
    swap: bool


def write_batch(batch: BatchFiles) -> None:
    """Write a batch's files (see the module's docstring for the order of steps)."""
    # the spare files are shared by every batch of every process: one at a time
    with locked(os.path.join(batch.locks_dir, "spare.lock"), what="the store's spare files"):
        spare_dir = os.path.join(batch.locks_dir, "spare")
        spares = [os.path.join(spare_dir, str(i)) for i in range(len(batch.files))]
        temporaries: list[Path] = []
        for (path, data), spare in zip(batch.files, spares):
            if batch.swap:
                write_into(spare, data)
            else:
                temporaries.append(write_temporary(Path(path), data))
        for old_marker, new_marker in batch.markers:
            _link_or_touch(old_marker, new_marker)
        sync_filesystem(Path(batch.records_dir))  # the new contents and the new markers
        for i, (path, data) in enumerate(batch.files):
            if not (batch.swap and exchange(spares[i], path)):
                tmp = temporaries[i] if not batch.swap else write_temporary(Path(path), data)
                os.replace(tmp, path)
        sync_filesystem(Path(batch.records_dir))  # the swaps
    for old_marker, new_marker in batch.markers:
        if old_marker is not None and old_marker != new_marker:
            try:
                os.unlink(old_marker)
            except FileNotFoundError:
                pass


def _link_or_touch(old: str | None, new: str) -> None:
    """The new marker: a hard link of the old one (no new file to create), else a new file."""
    try:
        if old is not None:
            os.link(old, new)
            return
    except FileExistsError:
        return
    except FileNotFoundError:
        if old is not None and not os.path.isdir(os.path.dirname(new)):
            os.makedirs(os.path.dirname(new), exist_ok=True)
            return _link_or_touch(old, new)
    except OSError:
        pass  # no hard links here: a file of its own
    touch(Path(new))


# ----- the helper process ----------------------------------------------------------------

class WriterFailed(BlueprintError):
    """The helper process could not write a batch, or stopped (exit 1)."""

    exit_code = 1


class Writer:
    """The bulk's side of the helper process. `submit` hands a batch over (its
    files and its open lock files) and returns at once; the caller may then
    close its own lock descriptors and go on. `close` waits until every batch is
    written. A failure is raised by the next `submit` or by `close`; batches
    handed over after a failed one are not written."""

    def __init__(self) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-P", "-c", "from blueprint_cli.store.writer import main; main()", str(theirs.fileno())],
                pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL, env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
        except BaseException:
            ours.close()
            raise
        finally:
            theirs.close()
        self.sock = ours
        self.waiting = 0  # batches handed over, not yet confirmed
        self.failure: WriterFailed | None = None

    def submit(self, batch: BatchFiles, fds: Sequence[int]) -> None:
        while self.waiting >= _IN_FLIGHT and self.failure is None:
            self._confirm()
        if self.failure is not None:
            raise self.failure
        # the content goes in a file in memory, handed over with the locks: the
        # socket's buffer would make this process wait for the helper to read it
        try:
            payload = _memory_file(pickle.dumps(batch, protocol=pickle.HIGHEST_PROTOCOL))
        except OSError as exc:
            self.failure = WriterFailed(f"could not hand a batch to the helper process: {exc}",
                                        hint="the records of earlier batches are moved, the rest are not; "
                                             "fix the cause and run the command again")
            raise self.failure from None
        # held back while a batch goes over: a Ctrl-C between its messages, or
        # between the last one and the count, would leave the two sides disagreeing
        with _sigint_held():
            try:
                fds = [payload, *fds]
                groups = [fds[i:i + _FDS_PER_MESSAGE] for i in range(0, len(fds), _FDS_PER_MESSAGE)]
                for i, group in enumerate(groups):
                    head = b"B" + struct.pack("!II", len(groups), len(fds)) if i == 0 else b"F"
                    self.sock.sendmsg([head], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", group))])
            except OSError:
                self.failure = self._stopped()
                raise self.failure from None
            finally:
                os.close(payload)
            self.waiting += 1

    def close(self, *, quietly: bool = False) -> None:
        """Wait for every batch handed over to be written (or to fail), then end
        the helper. Raises the first failure, unless `quietly` (when the caller is
        already stopping with an error of its own)."""
        try:
            while self.waiting and self.failure is None:
                self._confirm()
        finally:
            try:
                self.sock.shutdown(socket.SHUT_WR)  # no more batches: the helper ends
            except OSError:
                pass
            self._wait_for_exit()
            self.sock.close()
        if self.failure is not None and not quietly:
            raise self.failure

    def _wait_for_exit(self) -> None:
        interrupted: BaseException | None = None
        while True:
            try:
                self.proc.wait()
                break
            except KeyboardInterrupt as exc:  # Ctrl-C: the helper finishes what it was handed first
                interrupted = exc
        if interrupted is not None:
            raise interrupted

    def _confirm(self) -> None:
        """Wait for the oldest batch's outcome. Ctrl-C meanwhile is raised once the
        outcome is in and counted (the caller then `close`s, which waits for the
        rest): SIGINT is held back while a reply is received, because a Ctrl-C
        landing just after `recv` returned would lose the reply, and the bulk
        would then wait for ever for one the helper never sends."""
        with _sigint_held():
            try:
                reply = self.sock.recv(65536)
            except OSError:
                reply = b""
            if not reply:
                self.failure = self._stopped()
            else:
                self.waiting -= 1
                if reply != b"ok":
                    self.failure = WriterFailed(reply.decode("utf-8", "replace"),
                                                hint="the records of earlier batches are moved, the rest are not; "
                                                     "fix the cause and run the command again")

    def _stopped(self) -> WriterFailed:
        try:
            code = self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            code = None
        return WriterFailed(f"the helper process writing records stopped unexpectedly (exit status {code})",
                            hint="each record is whole, before or after the move; run the command again "
                                 "to move the rest")


@contextmanager
def _sigint_held() -> Iterator[None]:
    """SIGINT blocked for the block; a Ctrl-C meanwhile is raised as it ends (when
    the signal is unblocked, Python's handler runs), after the block's work."""
    was = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, was)


def _serve(sock: socket.socket) -> None:
    """The helper process: write each batch handed over, in order, and confirm it."""
    failed = False
    max_ancillary = socket.CMSG_SPACE(_FDS_PER_MESSAGE * array.array("i").itemsize)
    while True:
        head, fds = _receive(sock, 9, max_ancillary)
        if not head:
            return  # the bulk has finished (or stopped): nothing more to write
        try:
            groups, count = struct.unpack("!II", head[1:9])
            for _ in range(groups - 1):
                more, got = _receive(sock, 1, max_ancillary)
                if not more:
                    return  # the bulk stopped while handing this batch over: not written
                fds += got
            if len(fds) != count:  # some could not be received (too many open files): not locked, not written
                failed = True
                sock.send(f"could not take over the batch's {count} lock files (got {len(fds)}); "
                          "allow more open files (ulimit -n) or use a smaller --batch-size".encode())
                continue
            with os.fdopen(os.dup(fds[0]), "rb") as f:
                payload = f.read()
            if failed:
                reply = b"not written: an earlier batch failed"
            else:
                try:
                    write_batch(pickle.loads(payload))
                    reply = b"ok"
                except OSError as exc:
                    failed = True
                    reply = f"could not write record files: {exc}".encode()
                except Exception as exc:  # reported to the bulk, which stops with it
                    failed = True
                    reply = f"could not write record files: {type(exc).__name__}: {exc}".encode()
        finally:
            for fd in fds:  # the records' locks are given back here (the bulk closed its copies)
                os.close(fd)
        sock.send(reply)


def _memory_file(data: bytes) -> int:
    """A descriptor of an anonymous file holding `data`, read from the start."""
    try:
        fd = os.memfd_create("blueprint-batch", os.MFD_CLOEXEC)
    except (AttributeError, OSError):  # not Linux: an unnamed temporary file
        import tempfile

        fd = os.dup(tempfile.TemporaryFile().fileno())
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.lseek(fd, 0, os.SEEK_SET)
    except BaseException:
        os.close(fd)
        raise
    return fd


def _receive(sock: socket.socket, size: int, ancillary: int) -> tuple[bytes, list[int]]:
    data, anc, _, _ = sock.recvmsg(size, ancillary)
    fds: list[int] = []
    for level, kind, raw in anc:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            got = array.array("i")
            got.frombytes(raw[:len(raw) - len(raw) % got.itemsize])
            fds += list(got)
    return data, fds


def main() -> None:
    # Ctrl-C and a closed terminal reach the whole process group: the helper
    # finishes the batches it holds, and ends when the bulk closes the socket
    for sig in (signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, signal.SIG_IGN)
    sock = socket.socket(fileno=int(sys.argv[1]))
    try:
        _serve(sock)
    except OSError:
        pass  # the bulk is gone; the batch in hand was written or not, each record whole
    finally:
        sock.close()


if __name__ == "__main__":
    main()
