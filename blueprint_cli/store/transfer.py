"""Copying a whole workspace store into another (`blueprint store copy`): JSON
files to PostgreSQL and back, or between two PostgreSQL schemas or servers.

Everything a store holds goes across as it is — published blueprints with every
version (text, data, who published it when), records with their whole history,
and the next record id — and then the target is counted again and compared with
the source. The target must be empty; a source with unreadable records is refused
before anything is written. The copy goes through the `Store` protocol only
(`dump` here, `Store.load` in the target): into PostgreSQL it is one transaction
(all or nothing); into JSON files each record file is written atomically and the
files are flushed to disk once at the end.

Nothing here prints: the command turns the `CopyResult` into output.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from blueprint_cli.diagnostics import BlueprintError
from blueprint_cli.store import CorruptFile, Dump, PublishedBlueprint, Store, StoredRecord, Version


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


# ----- reading a source --------------------------------------------------------------------------

def _versions(store: Store, pub: PublishedBlueprint) -> list[Version]:
    metas = pub.version_metas()
    return [(version, store.blueprint_text(pub.id, version), dict(store.blueprint_data(pub.id, version)),
             metas.get(version, {})) for version in pub.version_numbers()]


def _records(store: Store) -> Iterator[StoredRecord]:
    for record in store.scan():
        yield store.get(record.id)


def dump(store: Store) -> Dump:
    """Everything `store` holds, for `Store.load`; the records are read as they are taken."""
    blueprints = [(pub, _versions(store, pub)) for pub in sorted(store.published(), key=lambda p: p.seq)]
    return Dump(blueprints, _records(store), store.next_id())


def count(store: Store, *, history: bool = True) -> Counts:
    """Count what `store` holds, refusing it when any record cannot be read."""
    errors: list[CorruptFile] = []
    counts = Counts()
    for record in store.scan(errors=errors):
        counts.records += 1
        counts.states[(record.blueprint or "", record.state or "")] += 1
    if errors:
        shown = "\n  ".join(e.message for e in errors[:10])
        more = f"\n  and {len(errors) - 10} more" if len(errors) > 10 else ""
        raise BlueprintError(f"{store.location} has {len(errors)} record(s) that cannot be read:\n  {shown}{more}",
                             hint="fix or restore them first", exit_code=1)
    pubs = store.published()
    counts.blueprints = len(pubs)
    counts.versions = sum(len(p.version_numbers()) for p in pubs)
    if history:
        counts.history = store.counts()["history"]
    return counts


def copy(source: Store, target: Store, *, progress: Callable[[int], None] | None = None) -> CopyResult:
    """Copy everything from `source` into the empty `target`, then verify the counts."""
    if source.location == target.location:
        raise BlueprintError("the source and the target are the same store")
    expected = count(source, history=False)  # history is counted as it streams across
    whole = dump(source)
    history = 0

    def records() -> Iterator[StoredRecord]:
        nonlocal history
        for stored in whole.records:
            history += len(stored.history)
            yield stored

    target.load(Dump(whole.blueprints, records(), whole.next_id), progress)
    expected.history = history
    # count the target afresh, as a user would after the copy
    fresh = target.reopened()
    try:
        got = count(fresh)
    finally:
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
    return CopyResult(source.location, target.location, expected, whole.next_id)
