"""Shared by the store, workspace, record and flow tests: small workspaces."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from blueprint_cli.workspace import changes
from blueprint_cli.workspace.publishing import publish
from blueprint_cli import workspace

NOW = datetime(2026, 5, 4, 9, 30, tzinfo=timezone(timedelta(hours=2)))

#: A blueprint records can step through forever (Flip, Flop, Flip, ...).
PING = """\
blueprint: ping
title: Ping-pong
module: Pings
field: side
fields:
  note: {type: text}
states:
  - name: Left
  - name: Right
  - name: Done
    final: true
transitions:
  - name: Flip
    from: Left
    to: Right
    then:
      - set: {note: "flipped by {{user}}"}
  - name: Flop
    from: Right
    to: Left
  - name: Finish
    from: "*"
    to: Done
"""


def ping_workspace(folder: Path, records: int = 0, store: str | None = None) -> workspace.Workspace:
    """A workspace with the ping blueprint published and `records` records in
    Left (in the store at `store`: the default JSON files when None)."""
    ws = workspace.init(folder, sample=False, store=store).workspace
    source = folder / "ping.yaml"
    source.write_text(PING, encoding="utf-8")
    publish(ws, source, user="admin", at=NOW)
    for _ in range(records):
        changes.create(ws, "Pings", {}, user="alice", at=NOW)
    return ws


def deal_workspace(folder: Path) -> workspace.Workspace:
    """`blueprint init` as a user runs it: team file and the deal sample published."""
    return workspace.init(folder, user="grace", at=NOW).workspace


class Result:
    def __init__(self, code: int, out: str, err: str) -> None:
        self.code, self.out, self.err = code, out, err

    def json(self) -> object:
        import json

        return json.loads(self.out)

    def __repr__(self) -> str:
        return f"Result(code={self.code}, out={self.out[-600:]!r}, err={self.err[-600:]!r})"


def cli(*args: str, cwd: Path | None = None) -> Result:
    """Run `blueprint ARGS` in this process as the console script does (the same
    error handling and exit codes), capturing what a user would see."""
    import contextlib
    import io
    import os

    from blueprint_cli.cli.main import run

    out, err = io.StringIO(), io.StringIO()
    old = Path.cwd()
    saved = {k: os.environ.pop(k) for k in ("BLUEPRINT_WORKSPACE", "BLUEPRINT_USER") if k in os.environ}
    code = 0
    try:
        if cwd is not None:
            os.chdir(cwd)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                run(["--no-color", *args])
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        os.chdir(old)
        os.environ.update(saved)
    return Result(code, out.getvalue(), err.getvalue())


def run(folder: Path, *args: str, user: str = "alice") -> Result:
    """`blueprint --as USER ARGS` in `folder`."""
    return cli("--as", user, *args, cwd=folder)
