"""Where records, their history and published blueprints live.

`Store` is the small interface the rest of the tool talks to; `JsonStore`
(`store/jsonstore.py`) is the embedded default: human-readable JSON files in
`.blueprint/`, no server. A second store (SQLite, a CRM's API) implements the
same interface without the engine or the commands changing.

The promises every store keeps (SPEC §4):
- a record and its history are written together, atomically;
- concurrent processes never lose an update (`transaction` locks the record);
- the cost of one operation on one record does not grow with the store;
- a broken file is reported with its path and damages nothing else;
- records remember the blueprint version they follow.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, Protocol

from blueprint_cli.diagnostics import BlueprintError
from blueprint_cli.records import HistoryEntry, Record

#: Version of the files the store writes; files carry it so a later release can migrate them.
FORMAT = 1
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")


class UnknownRecord(BlueprintError):
    """No record with that id (a usage error, exit 2)."""


class CorruptFile(BlueprintError):
    """A store file that cannot be read back; names the file (exit 1)."""

    exit_code = 1

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path}: {problem}",
                         hint="fix or restore that file (e.g. from version control); other records are not affected")
        self.path = path


def check_id(record_id: str) -> str:
    """Refuse ids that could name anything but one file in the store."""
    if not isinstance(record_id, str) or not _ID.match(record_id):
        raise BlueprintError(f"{record_id!r} is not a record id",
                             hint="ids are letters, digits, '-' and '_' (no paths), like 17")
    return record_id


def build_all(ids: Sequence[str], builds: Sequence[Callable[[str], tuple[Record, HistoryEntry]]]
              ) -> list[tuple[Record, HistoryEntry]]:
    """`create_many`'s records: each build called with the id allocated to it."""
    built = []
    for record_id, build in zip(ids, builds):
        record, entry = build(record_id)
        if record.id != record_id:
            raise ValueError("the built record must carry the allocated id")
        built.append((record, entry))
    return built


@dataclass
class StoredRecord:
    record: Record
    history: list[HistoryEntry] = field(default_factory=list)


@dataclass(frozen=True)
class PublishedBlueprint:
    """One blueprint in the workspace: its latest version and where it ranks."""

    id: str
    module: str
    latest: int
    #: publish order (1 = first published)
    seq: int
    priority: int | None = None
    versions: tuple[Mapping[str, Any], ...] = ()


class Transaction(Protocol):
    """A locked record: read `current`, then `commit` the new state."""

    current: StoredRecord

    def commit(self, record: Record, append: Sequence[HistoryEntry] = (),
               amend: Mapping[int, HistoryEntry] | None = None) -> None:
        """Write the record with new history entries (and corrected ones, by index)
        in one atomic step. May be called again inside the same transaction."""


@dataclass(frozen=True)
class Write:
    """One record's change in a batch: the record, new history entries, and
    corrected ones (by index, negative from the end)."""

    record: Record
    append: Sequence[HistoryEntry] = ()
    amend: Mapping[int, HistoryEntry] | None = None


class Batch(Protocol):
    """Many records locked together for one bulk operation (`Store.batch`)."""

    #: the records found, by id, as they are under the lock (ids with no record are left out)
    current: Mapping[str, StoredRecord]

    def commit(self, writes: Sequence[Write]) -> None:
        """Write every change at once, in as few physical writes as the store can.
        Each record is written atomically with its history, as by `Transaction.commit`;
        the batch as a whole is not one unit (a crash may leave some records
        written and others not, each whole). May be called again in the same block
        (e.g. to record how deliveries went)."""


class Publishing(Protocol):
    """The workspace locked for publishing: no record changes meanwhile."""

    def record_ids_in(self, blueprint: str, state: str) -> list[str]: ...

    def transaction(self, record_id: str) -> AbstractContextManager[Transaction]: ...

    def save_version(self, blueprint: str, version: int, text: str, data: Mapping[str, Any],
                     meta: Mapping[str, Any]) -> None: ...

    def activate(self, blueprint: str, version: int, module: str, priority: int | None,
                 meta: Mapping[str, Any]) -> None: ...


class Store(Protocol):
    def get(self, record_id: str) -> StoredRecord: ...

    def transaction(self, record_id: str) -> AbstractContextManager[Transaction]: ...

    def create(self, build: Callable[[str], tuple[Record, HistoryEntry]]) -> Record: ...

    def scan(self, *, blueprint: str | None = None, state: str | None = None,
             errors: list[CorruptFile] | None = None) -> Iterator[Record]: ...

    def published(self) -> list[PublishedBlueprint]: ...

    def blueprint_data(self, blueprint: str, version: int) -> Mapping[str, Any]: ...

    def blueprint_text(self, blueprint: str, version: int) -> str: ...

    def session(self) -> AbstractContextManager[None]: ...

    def publishing(self) -> AbstractContextManager[Publishing]: ...

    def ids(self, *, blueprint: str, state: str) -> list[str]:
        """Ids of the records in `state` of `blueprint`, in id order, without reading
        the records. May name a record that has just left the state: read it
        (under its lock) before acting on it."""

    def create_many(self, builds: Sequence[Callable[[str], tuple[Record, HistoryEntry]]]) -> list[Record]:
        """Create several records (an import): ids are allocated together, each
        build makes its record with the id it is given, and the records are
        written in one go — PostgreSQL in one transaction (all or none), the JSON
        store with one sync for all (each record whole; a crash part-way may leave
        some of them written)."""

    def batch(self, record_ids: Sequence[str]) -> AbstractContextManager[Batch]:
        """Lock many records at once for a bulk operation, read them, and `commit`
        their changes together: the JSON store syncs the file system twice per
        batch instead of fsyncing each file, PostgreSQL writes a batch in one
        transaction. Locks are taken in id order, so two batches never deadlock.
        Callers keep a batch to a few hundred records (each holds a lock).

        A store may also offer `writer()`: a context manager giving a background
        writer, to which a batch is handed with `batch.hand_over(writes, writer)`
        instead of `commit` — the JSON store writes it in a helper process that
        holds the batch's locks until it is written (`store/writer.py`). Leaving
        the writer's block waits for every batch handed over."""
