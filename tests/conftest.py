"""Shared fixtures: run the real `blueprint` entry point in this process."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

# a real PostgreSQL server and the `store_kind` fixture that runs a test against both stores
pytest_plugins = ["pg_fixtures"]


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def run_blueprint(*args: str | Path) -> CliResult:
    """Run `blueprint ARGS` through `blueprint_cli.cli.main.run` (the console
    script's own error handling and exit codes), capturing what a user sees."""
    from blueprint_cli.cli.main import run

    out, err = io.StringIO(), io.StringIO()
    code = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            run([str(a) for a in args])
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return CliResult(code, out.getvalue(), err.getvalue())


@pytest.fixture(scope="session", autouse=True)
def _lint_cache_outside_the_checkout(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """`blueprint lint` keeps its result cache in the current folder; tests that
    run in the checkout (or start `blueprint` there) keep it in a temporary one."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("BLUEPRINT_CACHE_DIR", str(tmp_path_factory.mktemp("lint-cache")))
        yield


@pytest.fixture(scope="session")
def cli_in_place() -> Callable[..., CliResult]:
    """Like `cli`, for wider-scoped fixtures: runs in the current folder and
    environment, so give explicit paths (and `--team`)."""
    return run_blueprint


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Callable[..., CliResult]:
    """`cli("lint", path, ...)` runs `blueprint` in this process, in an empty
    temporary folder, with no workspace, user or colour from the environment (so
    a `.blueprint/` found upwards cannot leak in)."""
    for var in ("BLUEPRINT_WORKSPACE", "BLUEPRINT_USER"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.chdir(tmp_path)
    return run_blueprint
