"""lint/run.py over many files: this process and its forked copies share the
files, and the findings are those of one process, in the same order, whatever
happens to a copy."""

from __future__ import annotations

import os
import shutil
import signal
from pathlib import Path

import pytest

from blueprint_cli.diagnostics import Findings
from blueprint_cli.lint import run
from blueprint_cli.lint.run import PARALLEL_THRESHOLD, RunOptions, lint_paths

CASES = Path(__file__).resolve().parent / "lint_cases"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Every lint case (most with findings, a few not blueprints), twice over."""
    out = tmp_path / "cases"
    for copy in ("a", "b"):
        shutil.copytree(CASES, out / copy)
    assert len(list(out.rglob("*.yaml"))) > 3 * PARALLEL_THRESHOLD
    return out


def _lint(folder: Path, jobs: int, cache: Path | None = None) -> Findings:
    return lint_paths([folder], None, RunOptions(jobs=jobs, cache=cache)).findings


def _log_processes(monkeypatch: pytest.MonkeyPatch, log: Path) -> None:
    """Each file linted writes the id of the process that linted it to `log`."""
    lint_job = run.lint_job

    def logged(item: run.Work) -> run.Entry:
        with open(log, "a") as out:
            out.write(f"{os.getpid()}\n")
        return lint_job(item)

    monkeypatch.setattr(run, "lint_job", logged)


def test_three_processes_share_the_files_and_find_what_one_finds(folder: Path, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    one = _lint(folder, 1)
    assert len(one.diagnostics) > 100
    log = tmp_path / "linted-by"
    _log_processes(monkeypatch, log)
    three = _lint(folder, 3, cache=tmp_path / "cache")
    assert (three.files, three.diagnostics) == (one.files, one.diagnostics)
    linted_by = log.read_text().split()
    assert len(linted_by) == len(list(folder.rglob("*.yaml")))  # each file once
    assert len(set(linted_by)) == 3 and str(os.getpid()) in linted_by
    # the copies stored what they linted in the cache: a second run finds every file there
    log.unlink()
    again = _lint(folder, 3, cache=tmp_path / "cache")
    assert (again.files, again.diagnostics) == (one.files, one.diagnostics)
    assert not log.exists()


def test_a_copy_killed_in_the_middle_loses_no_file(folder: Path, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    one = _lint(folder, 1)
    parent, lint_job, done = os.getpid(), run.lint_job, []

    def killed_after_three(item: run.Work) -> run.Entry:
        if os.getpid() != parent and len(done) == 3:
            (tmp_path / f"killed-{os.getpid()}").touch()
            os.kill(os.getpid(), signal.SIGKILL)  # as the kernel's out-of-memory killer does
        done.append(item)
        return lint_job(item)

    monkeypatch.setattr(run, "lint_job", killed_after_three)
    three = _lint(folder, 3)
    assert (three.files, three.diagnostics) == (one.files, one.diagnostics)
    assert len(list(tmp_path.glob("killed-*"))) == 2  # both copies died, after three files each


def test_a_file_that_breaks_a_copy_breaks_the_run_as_on_one_core(folder: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    lint_job = run.lint_job

    def breaks_on_one_file(item: run.Work) -> run.Entry:
        if item[0].path.name == "bp301_unknown_state.yaml" and item[0].path.parent.name == "b":
            raise RuntimeError("a bug in a rule")
        return lint_job(item)

    monkeypatch.setattr(run, "lint_job", breaks_on_one_file)
    for jobs in (1, 3):
        with pytest.raises(RuntimeError, match="a bug in a rule"):
            _lint(folder, jobs)


def test_when_no_process_can_be_forked_this_one_lints_every_file(folder: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    one = _lint(folder, 1)
    forked = []

    def refused() -> int:
        forked.append(1)
        raise BlockingIOError(11, "Resource temporarily unavailable")  # as fork(2) under `ulimit -u`

    monkeypatch.setattr(os, "fork", refused)
    three = _lint(folder, 3)
    assert (three.files, three.diagnostics) == (one.files, one.diagnostics)
    assert forked == [1]


def test_without_fork_a_pool_of_new_processes_finds_the_same(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    one = _lint(folder, 1)
    monkeypatch.delattr(os, "fork")  # as on Windows
    two = _lint(folder, 2)
    assert (two.files, two.diagnostics) == (one.files, one.diagnostics)
