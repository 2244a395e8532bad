"""Copying a whole workspace store into another (`blueprint store copy`): JSON
files to PostgreSQL and back, or between two PostgreSQL schemas or servers.

Everything a store holds goes across as it is — published blueprints with every
version (text, data, who published it when), records with their whole history,
and the next record id — and then the target is counted again and compared with
the source. The target must be empty; a source with unreadable records is refused
before anything is written. Into PostgreSQL the copy is one transaction (all or
nothing); into JSON files each record file is written atomically and the files
are flushed to disk once at the end.

Nothing here prints: the command turns the `CopyResult` into output.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from blueprint_cli.diagnostics import BlueprintError
from blueprint_cli.store import FORMAT, CorruptFile, PublishedBlueprint, StoredRecord
from blueprint_cli.store.files import atomic_write
from blueprint_cli.store.jsonstore import JsonStore, encode

#: One published version as copied: number, YAML text, data, meta (who, when, source)
Version = tuple[int, str, Mapping[str, Any], Mapping[str, Any]]


@dataclass
class Counts:
    """What a store holds, as compared after a copy."""

    records: int = 0
    history: int = 0
    blueprints: int = 0
    versions: int = 0
    #: (blueprint, state) -> records
    states: Counter[tuple[str, str]] = field(default_factory=Counter)

    def to_dict(self) -> dict[str, Any]:
        return {"records": self.records, "history": self.history, "blueprints": self.blueprints,
                "versions": self.versions,
                "states": [{"blueprint": b, "state": s, "records": n} for (b, s), n in sorted(self.states.items())]}


@dataclass
class CopyResult:
    source: str
    target: str
    counts: Counts
    next_id: int


def describe(store: Any) -> str:
    return str(store.url) if hasattr(store, "url") else str(store.root)


def is_postgres(store: Any) -> bool:
    return not isinstance(store, JsonStore)


# ----- reading a source --------------------------------------------------------------------------

def _versions(store: Any, pub: PublishedBlueprint) -> list[Version]:
    out: list[Version] = []
    metas = {int(m["version"]): {k: v for k, v in m.items() if k != "version"}
             for m in pub.versions if isinstance(m, Mapping) and "version" in m}
    for version in sorted(metas) or [pub.latest]:
        out.append((version, store.blueprint_text(pub.id, version), dict(store.blueprint_data(pub.id, version)),
                    metas.get(version, {})))
    return out


def _next_id(store: Any) -> int:
    if is_postgres(store):
        return int(store.next_id())
    path = store.root / "counters.json"
    try:
        return int(json.loads(path.read_bytes())["next_id"])
    except FileNotFoundError:
        return 1
    except (ValueError, KeyError, TypeError):
        raise CorruptFile(store.display(path), "no valid `next_id`") from None


def _records(store: Any) -> Iterator[StoredRecord]:
    for record in store.scan():
        yield store.get(record.id)


def _versions_meta(pub: PublishedBlueprint) -> list[Any]:
    return [m for m in pub.versions if isinstance(m, Mapping) and "version" in m] or [pub.latest]


def count(store: Any, *, history: bool = True) -> Counts:
    """Count what `store` holds, refusing it when any record cannot be read."""
    errors: list[CorruptFile] = []
    counts = Counts()
    for record in store.scan(errors=errors):
        counts.records += 1
        counts.states[(record.blueprint or "", record.state or "")] += 1
    if errors:
        shown = "\n  ".join(e.message for e in errors[:10])
        more = f"\n  and {len(errors) - 10} more" if len(errors) > 10 else ""
        raise BlueprintError(f"{describe(store)} has {len(errors)} record(s) that cannot be read:\n  {shown}{more}",
                             hint="fix or restore them first", exit_code=1)
    pubs = store.published()
    counts.blueprints = len(pubs)
    counts.versions = sum(len(_versions_meta(p)) for p in pubs)
    if history:
        if is_postgres(store):
            counts.history = store.counts()["history"]
        else:
            counts.history = sum(len(s.history) for s in _records(store))
    return counts


# ----- writing a target --------------------------------------------------------------------------

def _json_is_empty(store: JsonStore) -> bool:
    has_records = any(store.records_dir.glob("*/*.json")) if store.records_dir.exists() else False
    return not has_records and not store.published()


def _write_json(store: JsonStore, blueprints: list[tuple[PublishedBlueprint, list[Version]]],
                records: Iterator[StoredRecord], next_id: int, progress: Callable[[int], None] | None) -> None:
    JsonStore.init(store.root)
    with store.publishing() as pub:
        for bp, versions in blueprints:
            for version, text, data, meta in versions:
                pub.save_version(bp.id, version, text, data, meta)
                pub.activate(bp.id, version, bp.module, bp.priority, meta)
    n = 0
    for stored in records:
        record = stored.record
        path = store.record_path(record.id)
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, encode(record, stored.history), durable=False)
        marker = store._marker(record.blueprint, record.state, record.id)
        if marker is not None:
            marker.parent.mkdir(parents=True, exist_ok=True)
            marker.touch()
        n += 1
        if progress is not None and n % 1000 == 0:
            progress(n)
    atomic_write(store.root / "counters.json", (json.dumps({"format": FORMAT, "next_id": next_id}) + "\n").encode())
    os.sync()  # one flush for all the files written above


def _write_postgres(store: Any, blueprints: list[tuple[PublishedBlueprint, list[Version]]],
                    records: Iterator[StoredRecord], next_id: int, progress: Callable[[int], None] | None) -> None:
    conn = store.connect()
    with store.publishing(), conn.transaction():
        if not store.is_empty():
            raise BlueprintError(f"the target store {store.url} is not empty", exit_code=1,
                                 hint="copy into an empty store (a new ?schema=NAME, or a new database)")
        for bp, versions in blueprints:
            store.load_blueprint(bp, versions)

        def counted() -> Iterator[StoredRecord]:
            n = 0
            for stored in records:
                yield stored
                n += 1
                if progress is not None and n % 1000 == 0:
                    progress(n)

        store.load(counted(), next_id=next_id)
    store._published = None


def copy(source: Any, target: Any, *, progress: Callable[[int], None] | None = None) -> CopyResult:
    """Copy everything from `source` into the empty `target`, then verify the counts."""
    if describe(source) == describe(target):
        raise BlueprintError("the source and the target are the same store")
    expected = count(source, history=False)  # history is counted as it streams across
    blueprints = [(pub, _versions(source, pub)) for pub in sorted(source.published(), key=lambda p: p.seq)]
    next_id = _next_id(source)
    history = 0

    def records() -> Iterator[StoredRecord]:
        nonlocal history
        for stored in _records(source):
            history += len(stored.history)
            yield stored

    if is_postgres(target):
        _write_postgres(target, blueprints, records(), next_id, progress)
    else:
        if not _json_is_empty(target):
            raise BlueprintError(f"the target {target.root} already holds records or blueprints", exit_code=1,
                                 hint="copy into a workspace folder whose store is empty")
        _write_json(target, blueprints, records(), next_id, progress)
    expected.history = history
    # count the target afresh, as a user would after the copy
    fresh: Any = type(target)(target.location) if is_postgres(target) else JsonStore(target.root)
    got = count(fresh)
    if is_postgres(fresh):
        fresh.close()
    problems = [f"{what}: {getattr(expected, what)} in the source, {getattr(got, what)} in the target"
                for what in ("records", "history", "blueprints", "versions")
                if getattr(expected, what) != getattr(got, what)]
    problems += [f"{b} / {s}: {expected.states[(b, s)]} records in the source, {got.states[(b, s)]} in the target"
                 for (b, s) in sorted(set(expected.states) | set(got.states))
                 if expected.states[(b, s)] != got.states[(b, s)]]
    if problems:
        raise BlueprintError("the copy does not match its source:\n  " + "\n  ".join(problems), exit_code=1,
                             hint="the source is unchanged; empty the target and copy again")
    return CopyResult(describe(source), describe(target), expected, next_id)


# ----- which store a workspace uses --------------------------------------------------------------

def set_workspace_store(root: Path, url: str | None) -> None:
    """Point the workspace's config.yaml at `url` (None: its own JSON files).
    Only the `store:` line and the comment above it change."""
    path = root / "config.yaml"
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        lines = []
    kept: list[str] = []
    for line in lines:
        if line.startswith("store:") or line.startswith(STORE_COMMENT[0]) or line.startswith(STORE_COMMENT[1]):
            continue
        kept.append(line)
    if url is not None:
        kept += [*STORE_COMMENT, f"store: {url}"]
    atomic_write(path, ("\n".join(kept) + "\n").encode("utf-8"))


STORE_COMMENT = ("# Records live in PostgreSQL. The password is never kept here: it comes from",
                 "# $BLUEPRINT_PG_PASSWORD, $PGPASSWORD or ~/.pgpass.")
