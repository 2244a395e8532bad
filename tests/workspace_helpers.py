"""Shared by the store, workspace, record and flow tests: small workspaces."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

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


def ping_workspace(folder: Path, records: int = 0) -> workspace.Workspace:
    """A workspace with the ping blueprint published and `records` records in Left."""
    ws = workspace.init(folder, sample=False).workspace
    source = folder / "ping.yaml"
    source.write_text(PING, encoding="utf-8")
    ws.publish(source, user="admin", at=NOW)
    for _ in range(records):
        ws.create("Pings", {}, user="alice", at=NOW)
    return ws


def deal_workspace(folder: Path) -> workspace.Workspace:
    """`blueprint init` as a user runs it: team file and the deal sample published."""
    return workspace.init(folder, user="grace", at=NOW).workspace
