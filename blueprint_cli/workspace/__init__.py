"""Workspace operations: everything that reads, commits and delivers inside a
workspace's `.blueprint/` folder. One module per operation:

    location.py     finding a workspace (`--workspace`, $BLUEPRINT_WORKSPACE, upward)
    creation.py     `blueprint init`
    core.py         the `Workspace`, the context: settings, store, team, calendar, delivery; reading records
    changes.py      changing records: create, set fields, move, tag, complete a task
    clock.py        the one clock (local time now, to the second)
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

from typing import TYPE_CHECKING, Any

# Loaded on first use: `lint` only needs to find the workspace (`location`), and
# every command pays for what this package imports.
_WHERE = {
    "Created": "changes", "LazyCalendar": "core", "MoveResult": "changes", "Workspace": "core",
    "now": "clock", "PublishResult": "publishing", "publish": "publishing", "InitResult": "creation", "init": "creation",
    "sample_blueprint_text": "creation", "DIRNAME": "location", "ENV": "location", "INIT_HINT": "location",
    "MARKER": "location", "find": "core", "find_root": "location",
    "locate": "location", "store_of": "location",
}

if TYPE_CHECKING:  # the same names, for the type checker
    from blueprint_cli.workspace.core import (
        LazyCalendar as LazyCalendar, Workspace as Workspace, find as find,
    )
    from blueprint_cli.workspace.changes import Created as Created, MoveResult as MoveResult
    from blueprint_cli.workspace.clock import now as now
    from blueprint_cli.workspace.publishing import PublishResult as PublishResult, publish as publish
    from blueprint_cli.workspace.creation import (
        InitResult as InitResult, init as init, sample_blueprint_text as sample_blueprint_text,
    )
    from blueprint_cli.workspace.location import (
        DIRNAME as DIRNAME, ENV as ENV, INIT_HINT as INIT_HINT, MARKER as MARKER, find_root as find_root, locate as locate, store_of as store_of,
    )

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
    globals()[name] = value  # once: later lookups (and monkeypatching in tests) see a plain attribute
    return value
