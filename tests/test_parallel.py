"""parallel.fork_map: work spread over this process and forked copies gives what
one process gives, in order, whatever happens to a copy."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from blueprint_cli.parallel import fork_map


def test_this_process_and_its_copies_compute_every_index_once_in_order(tmp_path: Path) -> None:
    log = tmp_path / "computed-by"

    def square(i: int) -> tuple[int, int]:
        with open(log, "a") as out:
            out.write(f"{i} {os.getpid()}\n")
        # each process, once it has an index, waits for the others to have one (a
        # process that took every index in turn would wait here in vain)
        deadline = time.monotonic() + 20
        while len({line.split()[1] for line in log.read_text().splitlines()}) < 3:
            assert time.monotonic() < deadline, "a process took no index"
            time.sleep(0.01)
        return i, i * i

    assert fork_map(square, 200, 3) == [(i, i * i) for i in range(200)]
    lines = [line.split() for line in log.read_text().splitlines()]
    assert sorted(int(i) for i, _ in lines) == list(range(200))  # each once
    assert str(os.getpid()) in {pid for _, pid in lines}  # this process took its share
    assert len({pid for _, pid in lines}) == 3


def _both_started(folder: Path, i: int) -> None:
    """Index `i` begun: returns once two indexes are (a process that took both
    in turn would wait here in vain), as two long shares of a report begin."""
    (folder / f"started-{i}").touch()
    deadline = time.monotonic() + 20
    while len(list(folder.glob("started-*"))) < 2:
        assert time.monotonic() < deadline, "one process took both indexes"
        time.sleep(0.01)


def test_two_shares_on_two_processors_one_each(tmp_path: Path) -> None:
    """The report's case: as many shares as processes, this one counting one of them."""
    def share(i: int) -> int:
        _both_started(tmp_path, i)
        return os.getpid()

    pids = fork_map(share, 2, 2)
    assert os.getpid() in pids and len(set(pids)) == 2


def test_what_a_killed_copy_did_not_send_is_computed_here(tmp_path: Path) -> None:
    parent = os.getpid()

    def dies_in_a_copy(i: int) -> int:
        _both_started(tmp_path, i)
        if os.getpid() != parent:
            (tmp_path / f"killed-{i}").touch()
            os.kill(os.getpid(), signal.SIGKILL)  # as the kernel's out-of-memory killer does
        return i * 10

    assert fork_map(dies_in_a_copy, 2, 2) == [0, 10]
    assert len(list(tmp_path.glob("killed-*"))) == 1  # the copy took a share and died with it


def test_an_error_in_a_copy_is_raised_here_as_in_one_process() -> None:
    parent = os.getpid()

    def fails_on_one(i: int) -> int:
        if i == 1:
            raise KeyError(f"share {i} in {'this process' if os.getpid() == parent else 'a copy'}")
        return i

    with pytest.raises(KeyError, match="share 1 in this process"):
        fork_map(fails_on_one, 2, 2)


def test_when_no_process_can_be_forked_this_one_computes_everything(monkeypatch: pytest.MonkeyPatch) -> None:
    def refused() -> int:
        raise BlockingIOError(11, "Resource temporarily unavailable")  # as fork(2) under `ulimit -u`

    monkeypatch.setattr(os, "fork", refused)
    assert fork_map(lambda i: (i, os.getpid()), 3, 3) == [(i, os.getpid()) for i in range(3)]


def test_where_processes_cannot_fork_this_one_computes_everything(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(os, "fork")  # as on Windows
    assert fork_map(lambda i: (i, os.getpid()), 3, 3) == [(i, os.getpid()) for i in range(3)]
