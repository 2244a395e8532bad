"""The contract every store keeps: the `Store` protocol and the types it
speaks (records as stored, published versions, batches, dumps), the errors it
raises, what a record id may be, and the check of every store file against
`blueprint_cli/schemas/store.schema.json`. The implementations import this module; the
package (`blueprint_cli.store`) re-exports it and picks an implementation."""


from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from blueprint_cli.diagnostics import BlueprintError
from blueprint_cli.engine.records import HistoryEntry, Passage, Record
from blueprint_cli.shown import brief

#: Version of the files the store writes; files carry it so a later release can migrate them.
FORMAT = 1
#: The last id a store gives a record (18 digits: `counters` in store.schema.json allows one more, none left)
MOST_ID = 999_999_999_999_999_999
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")


class UnknownRecord(BlueprintError):
    """No record with that id (a usage error, exit 2)."""


class CorruptFile(BlueprintError):
    """A store file that cannot be read back; names the file (exit 1)."""

    exit_code = 1

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path}: {problem}",
                         hint="fix or restore that file (e.g. from version control); other records are not affected")
        self.path, self.problem = path, problem


class OutOfOrder(BlueprintError):
    """A history entry dated before the record's last one (refused, exit 1)."""

    exit_code = 1


def check_order(before: Record, append: Sequence[HistoryEntry]) -> None:
    """A record has one timeline: no entry is appended dated before the one before
    it. The record's `updated_at` is when its last entry was written, so nothing
    of the history is read. Every store checks each write with it; raises
    `OutOfOrder` before anything is written."""
    if not append:
        return
    from blueprint_cli.language.times import TimeError, in_effect

    last_text = before.updated_at or before.created_at
    try:
        last = in_effect(last_text) if last_text else None
    except TimeError:
        last = None  # a hand-edited record: nothing to compare with
    for entry in append:
        at = in_effect(entry.at)
        if last is not None and at < last:
            raise OutOfOrder(f"record {before.id}: its history ends at {last_text}; a change dated {entry.at} "
                             "would come before it, and a record has one timeline",
                             hint="its history runs ahead of the clock (a `tick --now` in a workspace on simulated "
                                  "time): act again once the clock has passed that time, or tick to a later one")
        last, last_text = at, entry.at


@functools.lru_cache(maxsize=8)
def _store_validator(kind: str) -> Any:
    import json

    import jsonschema_rs

    from blueprint_cli.language.schema import schema_text

    root = json.loads(schema_text("store.schema.json"))
    return jsonschema_rs.Draft7Validator({"definitions": root["definitions"], **root["definitions"][kind]})


def problem_in(kind: str, data: Any, at: str = "") -> str | None:
    """Why `data` is not a valid store file of `kind` (a definition of
    blueprint_cli/schemas/store.schema.json: `record_file`, `record`, `history`,
    `blueprint_index`, `version_file`, `counters`; `at`: where `data` is in its
    file), or None when it is. Every
    store checks what it reads with it, so a hand-edited file is reported, not
    read wrongly and then rewritten."""
    validator = _store_validator(kind)
    if validator.is_valid(data):
        return None
    err = next(iter(validator.iter_errors(data)))
    where = "/".join([at] * bool(at) + [str(p) for p in err.instance_path])
    return f"{brief(where) or 'the file'}: {brief(err.message, 300)}"


def blueprint_problem(data: Any, at: str = "data") -> str | None:
    """Why the blueprint of a published version (`data`, as publishing stored
    it after linting) is not one the blueprint schema accepts — a version file
    edited by hand — or None. Every store checks a version with it when it
    reads one, as it checks record files, so a broken version is reported
    naming its file instead of failing somewhere in a command."""
    from blueprint_cli.language.loader import Document
    from blueprint_cli.language.schema import _validator, check

    if _validator().is_valid(data):
        return None
    first = check(Document(at, data))[0]  # in the words `blueprint lint` uses
    return f"not a valid blueprint: {first.message}"


def is_record_id(value: object) -> bool:
    """A record id names one file in the store and nothing else (no paths)."""
    return isinstance(value, str) and _ID.match(value) is not None


def check_id(record_id: str) -> str:
    """Refuse ids that could name anything but one file in the store."""
    if not is_record_id(record_id):
        raise BlueprintError(f"{record_id!r} is not a record id",
                             hint="ids are letters, digits, '-' and '_' (no paths), like 17")
    return record_id


def id_order(record_id: str) -> tuple[int, int, str]:
    """The order every store keeps record ids in (numbers by value, then other ids),
    so that every process takes record locks in one global order."""
    return (0, int(record_id), "") if record_id.isdigit() else (1, 0, record_id)


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

    def version_metas(self) -> dict[int, dict[str, Any]]:
        """Each version's meta (who published it, when, from which file), by number."""
        return {int(m["version"]): {k: v for k, v in m.items() if k != "version"}
                for m in self.versions if isinstance(m, Mapping) and "version" in m}

    def version_numbers(self) -> list[int]:
        """The versions the store holds (stores written before versions kept their
        meta know only the latest)."""
        return sorted(self.version_metas()) or [self.latest]


class Transaction(Protocol):
    """A locked record: read `current`, then `commit` the new state."""

    @property
    def current(self) -> StoredRecord: ...

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


class BatchWriter(Protocol):
    """A background writer of batches (`Store.writer`); opaque to callers."""


class Batch(Protocol):
    """Many records locked together for one bulk operation (`Store.batch`)."""

    #: the records found, by id, as they are under the lock (ids with no record are left out)
    @property
    def current(self) -> Mapping[str, StoredRecord]: ...

    def commit(self, writes: Sequence[Write]) -> None:
        """Write every change at once, in as few physical writes as the store can.
        Each record is written atomically with its history, as by `Transaction.commit`;
        the batch as a whole is not one unit (a crash may leave some records
        written and others not, each whole). May be called again in the same block
        (e.g. to record how deliveries went)."""

    def hand_over(self, writes: Sequence[Write], writer: BatchWriter) -> None:
        """`commit`, done by `writer` (from this store's `writer()`) while the caller
        prepares the next batch; the records stay locked until they are written.
        The batch is done with then: leave its block."""


class Publishing(Protocol):
    """The workspace locked for publishing: no record changes meanwhile."""

    def record_ids_in(self, blueprint: str, state: str) -> list[str]: ...

    def transaction(self, record_id: str) -> AbstractContextManager[Transaction]: ...

    def save_version(self, blueprint: str, version: int, text: str, data: Mapping[str, Any],
                     meta: Mapping[str, Any]) -> None: ...

    def activate(self, blueprint: str, version: int, module: str, priority: int | None,
                 meta: Mapping[str, Any]) -> None: ...


#: One published version as copied between stores: number, YAML text, data, meta (who, when, source)
Version = tuple[int, str, Mapping[str, Any], Mapping[str, Any]]


@dataclass(frozen=True)
class Dump:
    """Everything a store holds, as `Store.load` takes it: published blueprints with
    every version, the records with their whole history (streamed), and the next id."""

    blueprints: Sequence[tuple[PublishedBlueprint, Sequence[Version]]]
    records: Iterable[StoredRecord]
    next_id: int


class Migrated(Protocol):
    """One change to a store's layout that `Store.migrate` applied."""

    @property
    def version(self) -> int: ...

    @property
    def description(self) -> str: ...


class Store(Protocol):
    #: how to open this store again (`open_store`): a folder, or a URL without its password
    @property
    def location(self) -> str: ...

    #: the workspace folder whose own files this store is (None for a server)
    @property
    def folder(self) -> Path | None: ...

    def info(self) -> dict[str, Any]:
        """What `blueprint store info` shows: `kind` and where it is, then what it holds."""

    def counts(self) -> dict[str, int]:
        """How many records, history entries, blueprints and versions the store holds
        (keys `records`, `history`, `blueprints`, `versions`)."""

    def next_id(self) -> int:
        """The id the next new record gets."""

    def is_empty(self) -> bool: ...

    def load(self, dump: Dump, progress: Callable[[int], None] | None = None) -> None:
        """Fill this empty store with `dump` (`store/transfer.py`), as it is: ids,
        histories, versions. Refuses (exit 1) when the store is not empty."""

    def reopened(self) -> Store:
        """A new handle on the same store, reading it afresh as another process would."""

    def migrate(self) -> Sequence[Migrated]:
        """Bring the store's layout up to date; the migrations applied (none for most stores)."""

    def close(self) -> None: ...

    def writer(self) -> AbstractContextManager[BatchWriter | None]:
        """A background writer for `Batch.hand_over`, or None where the store writes
        a batch best itself (the caller then uses `Batch.commit`). Leaving the block
        waits for every batch handed over."""

    def get(self, record_id: str) -> StoredRecord: ...

    def transaction(self, record_id: str) -> AbstractContextManager[Transaction]: ...

    def create(self, build: Callable[[str], tuple[Record, HistoryEntry]]) -> Record: ...

    def scan(self, *, blueprint: str | None = None, state: str | None = None,
             errors: list[CorruptFile] | None = None) -> Iterator[Record]: ...

    def histories(self, *, blueprint: str | None = None,
                  errors: list[CorruptFile] | None = None) -> Iterator[tuple[Record, Sequence[Passage]]]:
        """Every record (of `blueprint`) with its history as `Passage`s, in one
        streaming pass: what `blueprint report` reads. In id order, or in groups
        of records (the JSON store reads shard folder by shard folder): the
        report puts what it lists in id order itself. Memory does not grow with
        the number of records (one record's history at a time, or a page or a
        group of them); PostgreSQL reads them in one query, not one per record.
        Unreadable records are added to `errors` (raised when no list is given),
        as in `scan`."""

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

    def batch(self, record_ids: Sequence[str],
              errors: list[CorruptFile] | None = None) -> AbstractContextManager[Batch]:
        """Lock many records at once for a bulk operation, read them, and `commit`
        their changes together: the JSON store syncs the file system twice per
        batch instead of fsyncing each file, PostgreSQL writes a batch in one
        transaction. Locks are taken in id order, so two batches never deadlock.
        Callers keep a batch to a few hundred records (each holds a lock).
        A record that cannot be read is left out of `current` and added to
        `errors` (raised when no list is given), as in `scan`."""




# ----- an optional capability: the report's figures computed where the history is ----------------

@dataclass(frozen=True)
class FiguresAsked:
    """What `blueprint report` asks of a store that computes its figures itself
    (`HistoryFigures`), as plain data: every definition is `report/figures.py`'s,
    and `report/server.py` fills this in and reads the answer back. Times are
    microseconds since 1970-01-01 UTC."""

    blueprint: str
    final: tuple[str, ...]
    #: the window: since <= t < until (None: open)
    since_us: int | None
    until_us: int | None
    now_us: int
    idle_us: int | None
    #: the records to count, each with its group (`--where`, `--by`); None: every record, no groups
    selected: tuple[tuple[str, str | None], ...] | None
    #: what fits its version: (version, state) a record may be created in, enter or migrate to;
    #: (version, transition, from, to) a move may make
    states: tuple[tuple[int, str], ...]
    moves: tuple[tuple[int, str, str, str], ...]
    #: states with an SLA: their records are sent whole, for their SLA standing
    timed_states: tuple[str, ...]
    #: the working clock (`WorkingCalendar`): working weekdays (0 = Monday), working hours as
    #: microseconds of the day, holidays on working weekdays as days since 1970-01-01
    working_days: tuple[int, ...]
    hours_us: tuple[tuple[int, int], ...]
    holidays: tuple[int, ...]
    #: the calendar zone's offsets (seconds): `offsets[i]` holds before `changes_us[i]`, the last
    #: one after the last change; None: each stay is read in the offset its start was written in
    changes_us: tuple[int, ...] | None
    offsets: tuple[int, ...] | None
    #: moves are counted per bucket of this many microseconds (UTC), for days in any zone
    bucket_us: int


@dataclass(frozen=True)
class SpreadFound:
    """Count, median, 90th percentile (nearest rank) and maximum, in seconds."""

    count: int
    median: float | None
    p90: float | None
    max: float | None


@dataclass(frozen=True)
class StateFound:
    """One state's figures, for every record (`group` None) or one group."""

    group: str | None
    state: str
    now: int
    entries: int
    calendar: SpreadFound
    business: SpreadFound


@dataclass(frozen=True)
class FiguresFound:
    """The store's answer to `FiguresAsked`, over the records it could judge.
    Records it did not (an entry not in the form it reads, history that may not
    fit its version, a row it cannot vouch for) are in `exact`, read the exact
    way as `histories` reads them, for the caller to judge; none of them is in
    any other figure."""

    records: int
    group_records: Mapping[str, int]
    states: Sequence[StateFound]
    #: (group, state, what ended the stays, where they went, how many)
    left_by: Sequence[tuple[str | None, str, str, str, int]]
    entered: int
    reached: Mapping[str, int]
    #: (bucket start in microseconds, moves, completions)
    buckets: Sequence[tuple[int, int, int]]
    #: records in a state with an SLA or idle: (record, its last entry's time, when its stay began)
    stuck: Sequence[tuple[Record, str, str]]
    exact: Sequence[tuple[Record, Sequence[Passage]]]
    #: the earliest and latest entry counted (microseconds), None when none
    span: tuple[int, int] | None


@runtime_checkable
class Digesting(Protocol):
    """What a report derives from one record's history (`report.figures.Digester`):
    plain lists and numbers, the same whatever the report's window, filter or
    moment, so that a store may keep them (`DigestedHistories`)."""

    #: everything a digest depends on besides the record and its history (the
    #: blueprint's latest version, the working calendar...): a digest kept under
    #: another key is not used
    key: str

    def __call__(self, record: Record, history: Sequence[Passage]) -> tuple[list[Any], bool]:
        """The digest of `record` and its history, and whether it may be kept
        (not when it depends on more than `key` says, e.g. on the zone a time
        written without an offset was read in)."""
        ...


#: A share of a digested pass (`DigestedHistories`): errors -> its records with their digests
DigestShare = Callable[[list[CorruptFile]], Iterator[tuple[Record, list[Any]]]]


@runtime_checkable
class DigestedHistories(Protocol):
    """A store that keeps each record's digest (`Digesting`) beside the record,
    checked against it, so that a report does not read every history again;
    and whose pass several processes can share, each reading its own run of
    records (files any process can open). Optional: the report digests
    `Store.histories` itself on a store without it."""

    def digested_shares(self, blueprint: str, digest: Digesting, *, parts: int,
                        least: int) -> list[DigestShare]:
        """The records of `blueprint` with their digests, as up to `parts` runs
        of records that neither overlap nor miss one, at least `least` records
        each (one run when there are too few for two; none when there are none)."""
        ...


@runtime_checkable
class SummarizedHistories(Protocol):
    """A store whose history pass reads a summary derived from the records (the
    JSON store's summary of stays), which it can drop: a summary that makes the
    pass fail (one written by hand to look valid) is dropped, and the pass made
    again from the records, which rebuilds it."""

    def drop_summary(self, blueprint: str) -> None:
        """Delete the summary of `blueprint`'s records (derived data: never an error)."""
        ...


@runtime_checkable
class HistoryFigures(Protocol):
    """A store that computes the report's figures where the history is (a
    database), instead of sending every history entry. Optional: the report
    computes them itself from `Store.histories` on a store without it."""

    def history_figures(self, asked: FiguresAsked,
                        errors: list[CorruptFile] | None = None) -> FiguresFound: ...
