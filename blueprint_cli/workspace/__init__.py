"""Workspace operations: everything that reads, commits and delivers inside a
workspace's `.blueprint/` folder. One module per operation:

    location.py     finding a workspace (`--workspace`, $BLUEPRINT_WORKSPACE, upward)
    creation.py     `blueprint init`
    core.py         the `Workspace`: settings, team, blueprints, reading and changing records
    publishing.py   `blueprint publish` (versions, moving records out of deleted states)
    commit.py       commit, then deliver, then record how delivery went: the one step
                    every change with after-actions goes through
    bulk.py         `blueprint bulk`
    tick.py         `blueprint tick` (SLA escalations, automatic transitions)
    retry.py        `blueprint retry` (failed deliveries)
    dataio.py       `record import` / `record export`

Each operation reads what it needs, calls the pure engine, commits through the
store (`store.Store`), then carries out outside effects. Nothing here prints; the
CLI turns the results into output and exit codes.
"""

from blueprint_cli.workspace.core import (
    Created, LazyCalendar, MoveResult, PublishResult, Workspace, now,
)
from blueprint_cli.workspace.creation import CONFIG_TEXT, InitResult, init, sample_blueprint_text
from blueprint_cli.workspace.location import (
    DIRNAME, ENV, INIT_HINT, MARKER, configured_store, find, locate, store_of,
)

__all__ = [
    "CONFIG_TEXT", "DIRNAME", "ENV", "INIT_HINT", "MARKER", "Created", "InitResult", "LazyCalendar", "MoveResult",
    "PublishResult", "Workspace", "configured_store", "find", "init", "locate", "now", "sample_blueprint_text",
    "store_of",
]
