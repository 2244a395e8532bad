"""A third store, in memory, for the tests only: the proof that the `Store`
protocol is the whole seam. The store, workspace, flow, bulk, tick and data
suites run against it too (`store_kind`, tests/pg_fixtures.py) with no change
to the engine, the workspace operations or the commands; `mypy --strict` checks
it against the protocol (.ci/run).

`memory://NAME` opens the store NAME of this process (`blueprint init --store
memory://NAME`, or a workspace whose config.yaml says so). One lock guards each
store: every transaction, batch and publish holds it, so nothing interleaves.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from blueprint_cli.diagnostics import BlueprintError
from blueprint_cli.engine.records import HistoryEntry, Passage, Record, passage
from blueprint_cli.store import (
    BatchWriter, CorruptFile, Dump, Migrated, PublishedBlueprint, Store, StoredRecord, UnknownRecord, Write, build_all,
    check_id, check_order, id_order, register_scheme,
)


@dataclass
class _Data:
    records: dict[str, StoredRecord] = field(default_factory=dict)
    published: dict[str, PublishedBlueprint] = field(default_factory=dict)
    versions: dict[tuple[str, int], tuple[str, Mapping[str, Any]]] = field(default_factory=dict)
    next_id: int = 1
    lock: threading.RLock = field(default_factory=threading.RLock)


_STORES: dict[str, _Data] = {}


def _copy(stored: StoredRecord) -> StoredRecord:
    return StoredRecord(stored.record, list(stored.history))


class _Locked:
    """A transaction and a batch at once: the records it holds, and commits to them."""

    def __init__(self, data: _Data, ids: Sequence[str]) -> None:
        self._data = data
        self.current = {i: _copy(data.records[i]) for i in ids if i in data.records}

    def commit(self, writes: Sequence[Write]) -> None:
        for w in writes:
            if w.record.id not in self.current:
                raise ValueError(f"record {w.record.id} is not held here")
            check_order(self.current[w.record.id].record, w.append)
        for w in writes:
            history = list(self.current[w.record.id].history)
            for index, entry in (w.amend or {}).items():
                history[index] = entry
            self.current[w.record.id] = StoredRecord(w.record, history + list(w.append))
            self._data.records[w.record.id] = _copy(self.current[w.record.id])

    def hand_over(self, writes: Sequence[Write], writer: BatchWriter) -> None:
        self.commit(writes)


class _Transaction:
    def __init__(self, locked: _Locked, record_id: str) -> None:
        self._locked, self._id = locked, record_id

    @property
    def current(self) -> StoredRecord:
        return self._locked.current[self._id]

    def commit(self, record: Record, append: Sequence[HistoryEntry] = (),
               amend: Mapping[int, HistoryEntry] | None = None) -> None:
        self._locked.commit([Write(record, append, amend)])


class MemoryStore:
    def __init__(self, name: str) -> None:
        self.name = name
        self._data = _STORES.setdefault(name, _Data())

    @property
    def location(self) -> str:
        return f"memory://{self.name}"

    @property
    def folder(self) -> Path | None:
        return None

    def info(self) -> dict[str, Any]:
        return {"kind": "memory", "name": self.name, **self.counts()}

    def counts(self) -> dict[str, int]:
        return {"records": len(self._data.records),
                "history": sum(len(s.history) for s in self._data.records.values()),
                "blueprints": len(self._data.published), "versions": len(self._data.versions)}

    def next_id(self) -> int:
        return self._data.next_id

    def is_empty(self) -> bool:
        return not self._data.records and not self._data.published

    def load(self, dump: Dump, progress: Callable[[int], None] | None = None) -> None:
        with self._data.lock:
            if not self.is_empty():
                raise BlueprintError(f"{self.location} is not empty", exit_code=1)
            for pub, versions in dump.blueprints:
                self._data.published[pub.id] = pub
                for version, text, data, _meta in versions:
                    self._data.versions[(pub.id, version)] = (text, data)
            for stored in dump.records:
                self._data.records[stored.record.id] = _copy(stored)
            self._data.next_id = dump.next_id

    def reopened(self) -> Store:
        return MemoryStore(self.name)

    def migrate(self) -> Sequence[Migrated]:
        return []

    def close(self) -> None:
        pass

    @contextmanager
    def writer(self) -> Iterator[BatchWriter | None]:
        yield None

    def get(self, record_id: str) -> StoredRecord:
        stored = self._data.records.get(check_id(record_id))
        if stored is None:
            raise UnknownRecord(f"no record {record_id}", hint="see `blueprint record list`")
        return _copy(stored)

    @contextmanager
    def transaction(self, record_id: str) -> Iterator[_Transaction]:
        with self._data.lock:
            self.get(record_id)
            yield _Transaction(_Locked(self._data, [record_id]), record_id)

    @contextmanager
    def batch(self, record_ids: Sequence[str], errors: list[CorruptFile] | None = None) -> Iterator[_Locked]:
        with self._data.lock:
            yield _Locked(self._data, sorted({check_id(i) for i in record_ids}, key=id_order))

    def create(self, build: Callable[[str], tuple[Record, HistoryEntry]]) -> Record:
        return self.create_many([build])[0]

    def create_many(self, builds: Sequence[Callable[[str], tuple[Record, HistoryEntry]]]) -> list[Record]:
        with self._data.lock:
            ids = [str(self._data.next_id + i) for i in range(len(builds))]
            built = build_all(ids, builds)
            self._data.next_id += len(builds)
            for record, entry in built:
                self._data.records[record.id] = StoredRecord(record, [entry])
            return [record for record, _ in built]

    def scan(self, *, blueprint: str | None = None, state: str | None = None,
             errors: list[CorruptFile] | None = None) -> Iterator[Record]:
        for record_id in sorted(self._data.records, key=id_order):
            record = self._data.records[record_id].record
            if (blueprint is None or record.blueprint == blueprint) and (state is None or record.state == state):
                yield record

    def histories(self, *, blueprint: str | None = None,
                  errors: list[CorruptFile] | None = None) -> Iterator[tuple[Record, Sequence[Passage]]]:
        for record_id in sorted(self._data.records, key=id_order):
            stored = self._data.records[record_id]
            if blueprint is None or stored.record.blueprint == blueprint:
                yield stored.record, [passage(e) for e in stored.history]

    def ids(self, *, blueprint: str, state: str) -> list[str]:
        return [r.id for r in self.scan(blueprint=blueprint, state=state)]

    def record_ids_in(self, blueprint: str, state: str) -> list[str]:
        return self.ids(blueprint=blueprint, state=state)

    def published(self) -> list[PublishedBlueprint]:
        return list(self._data.published.values())

    def blueprint_data(self, blueprint: str, version: int) -> Mapping[str, Any]:
        return self._data.versions[(blueprint, version)][1]

    def blueprint_text(self, blueprint: str, version: int) -> str:
        return self._data.versions[(blueprint, version)][0]

    @contextmanager
    def session(self) -> Iterator[None]:
        with self._data.lock:
            yield

    @contextmanager
    def publishing(self) -> Iterator[MemoryStore]:
        with self._data.lock:
            yield self

    def save_version(self, blueprint: str, version: int, text: str, data: Mapping[str, Any],
                     meta: Mapping[str, Any]) -> None:
        self._data.versions[(blueprint, version)] = (text, data)

    def activate(self, blueprint: str, version: int, module: str, priority: int | None,
                 meta: Mapping[str, Any]) -> None:
        old = self._data.published.get(blueprint)
        seq = old.seq if old else len(self._data.published) + 1
        versions = (*(old.versions if old else ()), {**meta, "version": version})
        self._data.published[blueprint] = PublishedBlueprint(blueprint, module, version, seq, priority, versions)


def forget_all() -> None:
    """Drop every store of this process (after each test)."""
    _STORES.clear()


def _open(spec: str, create: bool) -> Store:
    name = spec.split("://", 1)[1]
    if not create and name not in _STORES:
        raise BlueprintError(f"no store {spec} in this process", exit_code=1)
    return MemoryStore(name)


register_scheme("memory", _open)
