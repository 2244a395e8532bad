"""Where records, their history and published blueprints live.

`Store` is the interface the rest of the tool talks to, and `open_store(spec)`
the one place that picks an implementation: `JsonStore` (`store/jsonstore.py`),
the embedded default (human-readable JSON files in `.blueprint/`, no server),
or `PostgresStore` (`store/postgres.py`) for a team. Another store (SQLite, a
CRM's API) implements the protocol and registers its URL scheme
(`register_scheme`) without the engine, the workspace or the commands changing;
the tests run the same suites against a third, in-memory one.

The promises every store keeps:
- a record and its history are written together, atomically;
- concurrent processes never lose an update (`transaction` locks the record);
- the cost of one operation on one record does not grow with the store;
- a broken file is reported with its path and damages nothing else;
- records remember the blueprint version they follow.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from blueprint_cli.diagnostics import BlueprintError
from blueprint_cli.store.contract import (
    FORMAT as FORMAT,
    UnknownRecord as UnknownRecord,
    CorruptFile as CorruptFile,
    OutOfOrder as OutOfOrder,
    check_order as check_order,
    problem_in as problem_in,
    blueprint_problem as blueprint_problem,
    is_record_id as is_record_id,
    check_id as check_id,
    id_order as id_order,
    build_all as build_all,
    StoredRecord as StoredRecord,
    PublishedBlueprint as PublishedBlueprint,
    Transaction as Transaction,
    Write as Write,
    BatchWriter as BatchWriter,
    Batch as Batch,
    Publishing as Publishing,
    Version as Version,
    Dump as Dump,
    Migrated as Migrated,
    Store as Store,
    DigestShare as DigestShare,
)

# ----- choosing a store ---------------------------------------------------------------------

#: URL scheme -> how to open a store of that kind (`create`: make its tables/folders first)
_SCHEMES: dict[str, Callable[[str, bool], Store]] = {}


def register_scheme(scheme: str, opener: Callable[[str, bool], Store]) -> None:
    """Let `open_store` open `scheme://...` stores with `opener(spec, create)`."""
    _SCHEMES[scheme] = opener


def is_url(spec: str | Path | None) -> bool:
    """Whether `spec` names a store by URL (`scheme://...`) rather than a folder."""
    return isinstance(spec, str) and re.match(r"^[a-z][a-z0-9+.-]*://", spec) is not None


def open_store(spec: str | Path, *, create: bool = False, check: bool = True) -> Store:
    """The store `spec` names: a folder (a workspace's own JSON files) or a URL
    (`postgresql://...`, or a registered scheme). `create` makes an empty store
    there first (tables, folders); `check=False` opens a PostgreSQL store whose
    schema is not up to date (for `blueprint store migrate`)."""
    if not is_url(spec):
        from blueprint_cli.store.jsonstore import JsonStore

        root = Path(spec)
        return JsonStore.init(root) if create else JsonStore(root)
    text = str(spec)
    scheme = text.split("://", 1)[0]
    if scheme in ("postgresql", "postgres"):
        from blueprint_cli.store.postgres import PostgresStore

        if create:
            return PostgresStore.init(text)
        return PostgresStore(text, check=check)
    if scheme in _SCHEMES:
        return _SCHEMES[scheme](text, create)
    raise BlueprintError(f"{text.split('://', 1)[0]}:// is not a kind of store",
                         hint="a store is a workspace folder (JSON files) or a postgresql:// URL")
