"""Shared fixtures: run the real `blueprint` entry point in this process."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Callable[..., CliResult]:
    """`cli("lint", path, ...)` runs `blueprint` through `blueprint_cli.cli.main.run`
    (the console script's own error handling and exit codes) and returns what a
    user would see. It runs in an empty temporary folder, with no workspace or
    colour from the environment, so a `.blueprint/` found upwards cannot leak in."""
    from blueprint_cli.cli.main import run

    for var in ("BLUEPRINT_WORKSPACE", "BLUEPRINT_USER"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.chdir(tmp_path)

    def invoke(*args: str | Path) -> CliResult:
        out, err = io.StringIO(), io.StringIO()
        code = 0
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                run([str(a) for a in args])
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        return CliResult(code, out.getvalue(), err.getvalue())

    return invoke
