"""A bound on every wait of one delivery attempt: connecting, sending and every
read, together, end by one deadline — whatever the server does.

A socket timeout bounds each read alone, so a server that drips its answer a
byte at a time, or an SMTP server that sends `220-` lines for ever, would keep
an attempt going without end. Here an attempt runs under a `Guard`: each socket
is made with the time left as its timeout, and at the deadline one shared
watchdog thread shuts the attempt's socket down, which ends whatever call is
waiting on it (the call then fails, and `Guard.expired` tells the caller that it
was the deadline). The guard is released before the socket is closed, so the
watchdog never touches a socket after its owner let go of it.
"""

from __future__ import annotations

import heapq
import itertools
import socket
import threading
import time
from collections.abc import Callable
from types import TracebackType

#: The shortest timeout a socket is given: zero would make it non-blocking.
MIN_WAIT = 0.001

Clock = Callable[[], float]


class Guard:
    """The deadline of one attempt: `seconds` from now."""

    def __init__(self, seconds: float, *, clock: Clock = time.monotonic) -> None:
        self.clock = clock
        self.end = clock() + max(0.0, seconds)
        self.seconds = seconds
        self._lock = threading.Lock()
        self._sockets: list[Callable[[], socket.socket | None]] = []
        self._released = False
        self.fired = False

    def left(self) -> float:
        """Seconds left (at least `MIN_WAIT`, for a socket timeout)."""
        return max(MIN_WAIT, self.end - self.clock())

    @property
    def expired(self) -> bool:
        return self.fired or self.clock() >= self.end

    def watch(self, current: Callable[[], socket.socket | None]) -> None:
        """Shut down `current()` — the attempt's socket as it is then (TLS may
        have replaced it) — when the deadline passes."""
        with self._lock:
            self._sockets.append(current)
            late = self.fired
        if late:
            self._shut(current)

    def __enter__(self) -> Guard:
        WATCHDOG.add(self)
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.release()

    def release(self) -> None:
        """The attempt is over (its sockets are about to be closed): never fire."""
        with self._lock:
            self._released = True

    def fire(self) -> None:
        with self._lock:
            if self._released or self.fired:
                return
            self.fired = True
            sockets = list(self._sockets)
            # shut down under the lock: the owner cannot release (and close) meanwhile
            for current in sockets:
                self._shut(current)

    @staticmethod
    def _shut(current: Callable[[], socket.socket | None]) -> None:
        sock = current()
        if sock is None:
            return
        try:
            # the plain socket's shutdown, also for a TLS socket: it wakes a blocked
            # read or write in another thread without touching the TLS state
            socket.socket.shutdown(sock, socket.SHUT_RDWR)
        except OSError:
            pass  # already closed, or never connected


class _Watchdog:
    """One daemon thread that fires guards at their deadlines."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._heap: list[tuple[float, int, Guard]] = []
        self._count = itertools.count()
        self._thread: threading.Thread | None = None

    def add(self, guard: Guard) -> None:
        with self._cond:
            heapq.heappush(self._heap, (guard.end, next(self._count), guard))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="blueprint-delivery-watchdog", daemon=True)
                self._thread.start()
            self._cond.notify()

    def _run(self) -> None:
        while True:
            with self._cond:
                while True:
                    if not self._heap:
                        self._cond.wait()
                        continue
                    end, _, guard = self._heap[0]
                    wait = end - guard.clock()
                    if guard._released:
                        heapq.heappop(self._heap)  # done in time: forget it
                        continue
                    if wait > 0:
                        self._cond.wait(min(wait, 1.0))  # released guards are dropped at least every second
                        continue
                    heapq.heappop(self._heap)
                    break
            guard.fire()


WATCHDOG = _Watchdog()
