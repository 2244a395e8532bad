"""The stays the PostgreSQL store keeps as rows (schema version 3, the `stays`
table its history's trigger fills): after any mix of writes — moves appended one
by one or in batches, entries amended, entries deleted or edited by hand, a
load through COPY — the rows are each record's stays as `engine.stays` reads
them from its history, and a stay is marked `odd` exactly when the report must
not take it on trust; a store migrated from version 2 gets the same rows."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from blueprint_cli import workspace
from blueprint_cli.engine.records import HistoryEntry, Passage, Record
from blueprint_cli.engine.stays import stays
from blueprint_cli.store import StoredRecord
from blueprint_cli.store.contract import Write
from blueprint_cli.store.postgres import PostgresStore

from pg_fixtures import schema_at
from workspace_helpers import cli, ping_workspace

STATES = ("Left", "Right", "Done")
START = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


def _entry(rng: random.Random, at: datetime, state: str | None) -> HistoryEntry:
    """A history entry of any kind a store may hold: mostly a move from where the
    record is, sometimes one that names the state it is in, an edit, an
    escalation, an entry without a version or from another state."""
    kind = rng.choice(["move"] * 6 + ["edit", "escalate", "migrate", "enter", "part", "task"])
    to = rng.choice(STATES) if kind in ("move", "migrate", "enter") or rng.random() < 0.2 else None
    source = state if rng.random() < 0.9 else rng.choice(STATES)
    return HistoryEntry(at=at.isoformat(timespec="seconds"), user="alice", kind=kind,  # type: ignore[arg-type]
                        transition=rng.choice(["Flip", "Flop", "Finish", ""]) if kind == "move" else None,
                        from_state=source if to is not None else None, to_state=to,
                        version=None if rng.random() < 0.03 else 1)


def _expected(history: list[Passage], seqs: list[int]) -> tuple[list[tuple[Any, ...]], bool]:
    """Each stay as the table should hold it — (seq, state, start, end, left by,
    went, first, fresh) — from `engine.stays` (`seqs`: each entry's row number, with
    the gaps an entry deleted by hand leaves); and whether the record has a stay
    the report must not take on trust (the conditions the trigger marks)."""
    def us(text: str) -> int:
        return (datetime.fromisoformat(text) - datetime(1970, 1, 1, tzinfo=timezone.utc)) // timedelta(microseconds=1)

    found = stays(history)
    rows, seen = [], set()
    for i, s in enumerate(found):
        rows.append((seqs[s.began], s.state, us(history[s.began].at), None if s.ended is None else us(history[s.ended].at),
                     s.left_by, s.to, i == 0, s.state not in seen))
        seen.add(s.state)
    odd, before, last_us = False, None, None
    for p in history:
        if p.to_state is None:
            continue
        begins = before is None or p.to_state != before or p.kind in ("create", "enter")
        if begins:
            odd |= p.kind not in ("create", "enter", "move", "migrate") or p.version is None
            odd |= p.kind in ("move", "migrate") and before is not None and p.from_state != before
            odd |= last_us is not None and us(p.at) < last_us
            last_us = us(p.at)
        else:
            odd |= p.kind in ("move", "migrate") and p.from_state != p.to_state
        before = p.to_state
    return rows, odd


def assert_in_step(store: PostgresStore) -> int:
    """The table holds every record's stays as `engine.stays` reads its history,
    and marks a record's stays odd exactly when its history has one of the
    conditions; returns how many records were checked."""
    s = store._s
    with store.connect() as conn:
        table: dict[str, list[tuple[Any, ...]]] = {}
        marked: dict[str, bool] = {}
        for record_id, *row, odd in conn.execute(
                f"SELECT record_id, seq, state, at_us, end_us, left_by, went, first, fresh, odd FROM {s}.stays "
                "ORDER BY record_id, seq").fetchall():
            table.setdefault(record_id, []).append(tuple(row))
            marked[record_id] = marked.get(record_id, False) or odd
        seqs = dict(conn.execute(f"SELECT record_id, array_agg(seq ORDER BY seq) FROM {s}.history "
                                 "GROUP BY record_id").fetchall())
    checked = 0
    for record, history in store.reopened().histories():
        rows, odd = _expected(list(history), seqs[record.id])
        assert table.pop(record.id, []) == rows, record.id
        assert marked.get(record.id, False) == odd, record.id
        checked += 1
    assert table == {}  # no stays of records that are gone
    return checked


@pytest.fixture
def ping_store(tmp_path: Path, pg_url: str) -> workspace.Workspace:
    return ping_workspace(tmp_path, store=pg_url)


def _created(at: datetime) -> HistoryEntry:
    """A ping's first entry: created in Left at `at`."""
    return HistoryEntry(at=at.isoformat(timespec="seconds"), user="alice", kind="create", to_state="Left", version=1)


def _record(i: int, state: str | None, at: datetime) -> Record:
    stamp = at.isoformat(timespec="seconds")
    return Record(id=str(i), module="Pings", blueprint="ping", version=1, state=state, owner="alice",
                  fields={}, created_at=stamp, updated_at=stamp, state_since=stamp)


def test_the_stays_follow_every_kind_of_write(ping_store: workspace.Workspace) -> None:
    ws = ping_store
    store = ws.store
    assert isinstance(store, PostgresStore)
    rng = random.Random(25)
    # loaded through COPY, as `store copy` and the benchmarks write
    loaded = []
    for i in range(1, 41):
        at = START + timedelta(hours=i)
        history = [_created(at)]
        state: str | None = "Left"
        for _ in range(rng.randrange(0, 6)):
            at += timedelta(minutes=rng.randrange(0, 3000))
            history.append(_entry(rng, at, state))
            state = history[-1].to_state or state
        loaded.append(StoredRecord(_record(i, state, START), history))
    back = [HistoryEntry(at=(START + timedelta(hours=h)).isoformat(), user="bob", kind=kind, transition=t,  # type: ignore[arg-type]
                         from_state=a, to_state=b, version=1)
            for h, kind, t, a, b in ((0, "create", None, None, "Left"), (2, "move", "Flip", "Left", "Right"),
                                     (1, "move", "Flop", "Right", "Left"))]  # a move dated before the one before
    loaded.append(StoredRecord(_record(41, "Left", START), back))
    store.load_records(loaded, next_id=42)
    assert assert_in_step(store) == 41
    clock = {r.record.id: START + timedelta(days=30) for r in loaded}
    for round_ in range(60):
        record_id = str(rng.randrange(1, 41))
        clock[record_id] += timedelta(minutes=rng.randrange(0, 2000))
        with store.transaction(record_id) as txn:
            current = txn.current
            state = current.record.state
            what = rng.random()
            if what < 0.6:  # append one to three entries (a move, its follow-ups)
                append = []
                for _ in range(rng.randrange(1, 4)):
                    append.append(_entry(rng, clock[record_id], state))
                    state = append[-1].to_state or state
                txn.commit(current.record.with_(state=state), append)
            else:  # amend an entry: the last (an e-mail's outcome), or any
                index = -1 if what < 0.8 else rng.randrange(len(current.history))
                old = current.history[index]
                at = datetime.fromisoformat(old.at) - timedelta(days=rng.choice([0, 0, 0, 3]))  # or earlier
                txn.commit(current.record, amend={index: _entry(rng, at, state)})
        if round_ % 20 == 19:
            assert assert_in_step(store) == 41
    with store.batch([str(i) for i in range(1, 11)]) as batch:  # a bulk's batch: many records in one statement
        batch.commit([Write(stored.record, [_entry(rng, clock[stored.record.id], stored.record.state)])
                      for stored in batch.current.values()])
    assert assert_in_step(store) == 41
    with store.connect() as conn:  # by hand: an entry deleted in the middle, another edited, a record deleted
        conn.execute(f"DELETE FROM {store._s}.history WHERE record_id = '3' AND seq = 1")
        conn.execute(f"UPDATE {store._s}.history SET entry = json_build_object('at', '2026-03-02T09:00:00+00:00', "
                     "'user', 'bob', 'kind', 'move', 'from', 'Left', 'to', 'Done', 'version', 1) "
                     "WHERE record_id = '4' AND seq = 0")
        conn.execute(f"DELETE FROM {store._s}.records WHERE id = '5'")
    assert assert_in_step(store) == 40


def test_a_store_migrated_from_version_2_gets_its_stays(pg_url: str, monkeypatch: pytest.MonkeyPatch,
                                                         tmp_path: Path) -> None:
    """Migration 3 computes the stays of the history already there; the report
    over them (computed by the server) is the one the report computes itself."""
    schema_at(monkeypatch, 2)
    ws = ping_workspace(tmp_path, store=pg_url)
    rng = random.Random(3)
    records = []
    for i in range(1, 21):
        at = START + timedelta(hours=i)
        history = [_created(at)]
        state = "Left"
        for _ in range(rng.randrange(0, 5)):
            at += timedelta(minutes=rng.randrange(1, 3000))
            target = {"Left": "Right", "Right": rng.choice(["Left", "Done"])}.get(state)
            if target is None:
                break
            history.append(HistoryEntry(at=at.isoformat(timespec="seconds"), user="bob", kind="move",
                                        transition="Finish" if target == "Done" else {"Right": "Flip"}.get(target, "Flop"),
                                        from_state=state, to_state=target, version=1))
            state = target
        records.append(StoredRecord(_record(i, state, START), history))
    assert isinstance(ws.store, PostgresStore)
    ws.store.load_records(records, next_id=21)
    monkeypatch.undo()
    before = cli("--json", "report", cwd=tmp_path)
    assert before.code == 1 and "blueprint store migrate" in before.err  # refused until migrated
    migrated = cli("store", "migrate", pg_url)
    assert migrated.code == 0 and "applied migration 3: stays" in migrated.out
    assert assert_in_step(PostgresStore(pg_url)) == 20
    from test_report import _python_and_store  # the server's figures, and the report's own, byte for byte

    data = _python_and_store(workspace.find(tmp_path), "postgres")
    assert data["records"] == 20 and data["misfits"]["records"] == 0
    assert sum(s["entries"] for s in data["states"]) == sum(len(stays(h)) for _, h in PostgresStore(pg_url).histories())
