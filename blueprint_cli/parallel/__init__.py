"""Work spread over the processors by forking: `fork_map` computes a function
of every index of some work in this process and in forked copies of it, each
taking the next chunk when it is free. Lint checks many files this way, and
`blueprint report` counts shares of the records.

The queue is a pipe holding the first index of every chunk, all written before
the fork: a process takes a chunk by reading its index (a read of a few bytes
from a pipe is atomic), with no process handing out work and nothing pickled
on the way in. A copy sends its results back once, at the end (pickled). This
process works too: with two processors, it and one copy.

Nothing is lost: whatever a copy did not send (it was killed, or the function
raised there), this process computes itself afterwards, so a failure is raised
here exactly as it would be without copies. A fork or pipe the system refuses
means fewer copies, not an error; where processes cannot fork (`can_fork`:
Windows), this process computes everything.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Callable, Iterator
from typing import BinaryIO, NoReturn, TypeVar

T = TypeVar("T")

#: a chunk's first index, in the queue
_INDEX = struct.Struct("=I")


def can_fork() -> bool:
    return hasattr(os, "fork")


def processors() -> int:
    """The processors this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on Linux
        return os.cpu_count() or 1


def fork_map(compute: Callable[[int], T], count: int, workers: int) -> list[T]:
    """`[compute(i) for i in range(count)]`, computed by this process and up to
    `workers - 1` forked copies of it (fewer when there are fewer indexes).
    What `compute` returns in a copy must pickle."""
    workers = min(workers, count)
    if workers < 2 or not can_fork():
        return [compute(i) for i in range(count)]
    import fcntl
    import select

    try:
        queue, feed = os.pipe()
    except OSError:  # out of file descriptors: this process computes them all
        return [compute(i) for i in range(count)]
    # as many chunks as half the pipe holds (what it surely holds, or what Linux
    # says it holds): chunks of one index up to 8,192 indexes; a read costs a microsecond
    room = max(select.PIPE_BUF, fcntl.fcntl(feed, fcntl.F_GETPIPE_SZ) if hasattr(fcntl, "F_GETPIPE_SZ") else 0) // 2
    chunk = -(-count // (room // _INDEX.size))
    with open(feed, "wb") as out:  # closed before the fork: a reader sees the end once the queue is empty
        out.write(b"".join(_INDEX.pack(start) for start in range(0, count, chunk)))
    results: dict[int, T] = {}
    copies: list[tuple[int, BinaryIO]] = []  # each copy's process id, and the pipe its results come back on
    try:
        for _ in range(workers - 1):
            try:
                receive, send = os.pipe()
            except OSError:  # out of file descriptors: fewer copies, the same work
                break
            try:
                pid = os.fork()
            except OSError:  # out of processes or memory (a limit): fewer copies, the same work
                os.close(receive)
                os.close(send)
                break
            if pid == 0:
                _copy(compute, queue, chunk, count, send, [receive, *(b.fileno() for _, b in copies)])
            os.close(send)
            copies.append((pid, open(receive, "rb")))
        for i, result in _take(compute, queue, chunk, count):
            results[i] = result
        for _pid, back in copies:
            results.update(_received(back.read()))
    except BaseException:  # (Ctrl-C, or `compute` raised here) the copies stop too
        import signal

        for pid, _back in copies:
            os.kill(pid, signal.SIGTERM)
        raise
    finally:
        os.close(queue)
        for pid, back in copies:
            back.close()
            os.waitpid(pid, 0)
    return [results[i] if i in results else compute(i) for i in range(count)]


def _take(compute: Callable[[int], T], queue: int, chunk: int, count: int) -> Iterator[tuple[int, T]]:
    """(index, result) for each index of the chunks taken from the queue, until it is empty."""
    while len(got := os.read(queue, _INDEX.size)) == _INDEX.size:
        start = _INDEX.unpack(got)[0]
        for i in range(start, min(start + chunk, count)):
            yield i, compute(i)


def _copy(compute: Callable[[int], T], queue: int, chunk: int, count: int, send: int, others: list[int]) -> NoReturn:
    """A forked copy: computes what it takes from the queue, sends its results,
    and leaves without any clean-up (that is the parent's: its buffers, its
    exit handlers)."""
    import pickle

    status = 1
    try:
        for fd in others:
            os.close(fd)
        mine: list[tuple[int, T]] = []
        try:
            for done in _take(compute, queue, chunk, count):
                mine.append(done)
        except Exception:  # the parent computes the rest, and raises it there
            pass
        with open(send, "wb") as out:
            out.write(pickle.dumps(mine, pickle.HIGHEST_PROTOCOL))
        status = 0
    finally:
        os._exit(status)


def _received(data: bytes) -> list[tuple[int, T]]:
    """A copy's results; none when it was killed before it sent them all."""
    import pickle

    try:
        got: list[tuple[int, T]] = pickle.loads(data)
        return got
    except Exception:  # cut short: the parent computes those again
        return []
