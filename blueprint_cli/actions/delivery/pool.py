"""Delivering for many records at once: a bounded pool of threads, and the
endpoints that did not answer earlier in the same command.

A bulk's batch, or a tick, hands over one job per record (that record's
e-mails and webhooks, in order, within its budget); the jobs run on at most
`WORKERS` threads. The caller waits for results while they keep coming: if none
arrives for `patience` seconds — only when something no deadline covers is
stuck, such as a name lookup — the jobs still running are given up (their
threads are daemons, so the command can end) and those not started are not
started; their deliveries stay pending for `blueprint retry`.

`Circuit`: an endpoint (a webhook's scheme, host and port, or the SMTP server)
that did not answer in time is not tried again in the same command, so a
thousand moves against a hanging receiver cost about one wait, not a thousand.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")

#: Threads delivering at once (each mostly waits on a socket).
WORKERS = 16


class Circuit:
    """Endpoints that did not answer within their time in this command."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._silent: set[str] = set()

    def open(self, endpoint: str) -> bool:
        """Whether `endpoint` did not answer earlier (and is not to be tried)."""
        with self._lock:
            return endpoint in self._silent

    def silent(self, endpoint: str) -> None:
        with self._lock:
            self._silent.add(endpoint)


class _Failure(Generic[T]):
    def __init__(self, exc: BaseException) -> None:
        self.exc = exc


def run_all(jobs: Sequence[Callable[[], T]], *, patience: float, workers: int = WORKERS) -> list[T | None]:
    """Each job's result, in order; None for a job given up or never started. An
    exception in a job is raised here, once the others are done."""
    results: list[T | None] = [None] * len(jobs)
    if not jobs:
        return results
    todo: queue.SimpleQueue[int] = queue.SimpleQueue()
    for i in range(len(jobs)):
        todo.put(i)
    done: queue.SimpleQueue[tuple[int, T | _Failure[T]]] = queue.SimpleQueue()
    stop = threading.Event()

    def work() -> None:
        while not stop.is_set():
            try:
                i = todo.get_nowait()
            except queue.Empty:
                return
            try:
                value: T | _Failure[T] = jobs[i]()
            except Exception as exc:  # noqa: BLE001 - handed to the caller's thread
                value = _Failure(exc)
            done.put((i, value))

    for n in range(min(workers, len(jobs))):
        threading.Thread(target=work, name=f"blueprint-delivery-{n + 1}", daemon=True).start()
    failure: _Failure[T] | None = None
    for _ in range(len(jobs)):
        try:
            i, value = done.get(timeout=patience)
        except queue.Empty:
            stop.set()  # stuck beyond every deadline: give up what is left
            break
        if isinstance(value, _Failure):
            failure = failure or value
        else:
            results[i] = value
    if failure is not None:
        raise failure.exc
    return results
