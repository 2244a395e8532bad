"""The PostgreSQL store against a real server (tests/pg_fixtures.py): the JSON
store's promises kept with transactions and row locks, versioned migrations, a
password that never reaches the workspace, and `blueprint store copy`."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from blueprint_cli.workspace import changes
from blueprint_cli.workspace.publishing import publish
from blueprint_cli import engine, workspace
from blueprint_cli.diagnostics import BlueprintError
from blueprint_cli.engine import Inputs
from blueprint_cli.store import CorruptFile, UnknownRecord, postgres
from blueprint_cli.store.postgres import PostgresStore, parse_url, redact

from pg_fixtures import PgServer, schema_at
from workspace_helpers import NOW, PING, cli, ping_workspace

WORKER = str(Path(__file__).with_name("store_worker.py"))
PG_WORKER = str(Path(__file__).with_name("pg_worker.py"))


@pytest.fixture
def pg_ping(tmp_path: Path, pg_url: str) -> workspace.Workspace:
    """The ping workspace (tests/workspace_helpers.py) with its records in PostgreSQL."""
    return ping_workspace(tmp_path, records=3, store=pg_url)


def schema_of(url: str) -> str:
    return parse_url(url).schema


def worker(ws: workspace.Workspace, user: str, moves: int, ids: list[str]) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    return subprocess.Popen([sys.executable, WORKER, str(ws.root), user, str(moves), *ids],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def assert_whole(ws: workspace.Workspace) -> dict[str, list[Any]]:
    """Every record reads back, its history is a chain that ends at its state, the
    state index agrees with the record, and the history rows are numbered without
    gaps. Returns each record's move notes."""
    fresh = PostgresStore(ws.store.url)
    errors: list[CorruptFile] = []
    notes: dict[str, list[Any]] = {}
    for record in fresh.scan(errors=errors):
        history = fresh.get(record.id).history
        assert history[0].kind == "create"
        for before, after in zip(history, history[1:]):
            assert after.from_state == before.to_state, (record.id, before, after)
        assert history[-1].to_state == record.state, record.id
        assert record.id in fresh.record_ids_in("ping", record.state or "")
        notes[record.id] = [e.note for e in history if e.kind == "move"]
    assert errors == []
    conn = fresh.connect()
    s = fresh._s
    bad = conn.execute(f"SELECT r.id FROM {s}.records r WHERE r.history_length <> "
                       f"(SELECT count(*) FROM {s}.history h WHERE h.record_id = r.id) OR r.history_length <> "
                       f"(SELECT max(seq) + 1 FROM {s}.history h WHERE h.record_id = r.id) "
                       f"OR r.state IS DISTINCT FROM r.data->>'state'").fetchall()
    assert bad == []
    fresh.close()
    return notes


def backends(pg: PgServer, pid: int) -> list[int]:
    with pg.connect() as conn:
        return [r[0] for r in conn.execute("SELECT pid FROM pg_stat_activity WHERE application_name = %s",
                                           (f"blueprint/{pid}",)).fetchall()]


def terminate(pg: PgServer, pid: int) -> int:
    """Drop every connection the client process `pid` has, as a network cut would."""
    with pg.connect() as conn:
        rows = conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s",
                            (f"blueprint/{pid}",)).fetchall()
    return len(rows)


# ----- workspace, URL and password ---------------------------------------------------------

def test_init_store_creates_the_tables_and_keeps_no_password(tmp_path: Path, pg_server: PgServer, pg_url: str,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    with_password = pg_url.replace("blueprint_test@", f"blueprint_test:{pg_server.password}@")
    monkeypatch.delenv("BLUEPRINT_PG_PASSWORD")  # the password in the URL is the only one this run has
    r = cli("init", str(tmp_path), "--store", with_password)
    assert r.code == 0, r
    config = (tmp_path / ".blueprint" / "config.yaml").read_text()
    assert f"store: {pg_url}\n" in config
    everything = "".join(p.read_text(errors="replace") for p in (tmp_path / ".blueprint").rglob("*") if p.is_file())
    assert pg_server.password not in everything
    assert not (tmp_path / ".blueprint" / "records").exists()  # records are not kept in files
    # without a password in the environment, the next command cannot connect, and says so
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "no-pgpass"))
    r = cli("record", "list", cwd=tmp_path)
    assert r.code == 1 and "cannot connect to the store at " + pg_url in r.err and "BLUEPRINT_PG_PASSWORD" in r.err
    assert pg_server.password not in r.err
    monkeypatch.setenv("BLUEPRINT_PG_PASSWORD", pg_server.password)
    r = cli("--json", "record", "list", cwd=tmp_path)
    assert r.code == 0 and r.json() == []
    with pg_server.connect() as conn:
        rows = conn.execute(f"SELECT version, description FROM {schema_of(pg_url)}.schema_version").fetchall()
    assert [v for v, _ in rows] == [m.version for m in postgres.MIGRATIONS]
    published = cli("--json", "store", "info", cwd=tmp_path).json()
    assert published["kind"] == "postgresql" and published["blueprints"] == 1 and published["schema_version"] == postgres.LATEST


def test_url_handling() -> None:
    loc = parse_url("postgresql://ann:s3cret@db.example:5433/crm?sslmode=require&schema=sales_eu")
    assert loc.password == "s3cret" and loc.schema == "sales_eu"
    assert loc.conninfo == "postgresql://ann@db.example:5433/crm?sslmode=require"
    assert loc.url == "postgresql://ann@db.example:5433/crm?sslmode=require&schema=sales_eu"
    assert redact("postgres://ann:x@h/db") == "postgres://ann@h/db"
    assert parse_url("postgresql://h/db").schema == "blueprint"
    for bad in ("postgresql://h/db?password=x", "postgresql://h/db?schema=Robert%27);DROP", "mysql://h/db"):
        with pytest.raises(BlueprintError):
            parse_url(bad)


def test_unreachable_server_is_a_clear_error(tmp_path: Path) -> None:
    r = cli("init", str(tmp_path), "--store", "postgresql://nobody@127.0.0.1:1/nothing")
    assert r.code == 1 and "cannot connect to the store at postgresql://nobody@127.0.0.1:1/nothing" in r.err
    assert "Traceback" not in r.err and not (tmp_path / ".blueprint").exists()


@pytest.mark.parametrize(("url", "code", "message"), [
    ("postgresql://nobody@[::1:5432/db", 2, "is not a PostgreSQL URL: Invalid IPv6 URL"),
    ("postgresql://nobody@" + "h" * 64 + ":1/db", 1, "its host is no name DNS can look up"),
    ("postgresql://nobody@a..b:1/db", 1, "its host is no name DNS can look up"),
], ids=["unclosed-ipv6-bracket", "host-part-of-64-characters", "empty-host-part"])
def test_a_store_url_python_cannot_split_or_resolve_is_a_clear_error(tmp_path: Path, url: str, code: int,
                                                                   message: str) -> None:
    """urlsplit's ValueError and the resolver's UnicodeError (IDNA) were tracebacks."""
    ping_workspace(tmp_path / "ws", records=1)
    for args in (("init", str(tmp_path / "new"), "--store", url), ("store", "copy", "--to", url)):
        r = cli(*args, cwd=tmp_path / "ws")
        assert r.code == code and message in r.err and "Traceback" not in r.err, (args, r)
    assert not (tmp_path / "new" / ".blueprint").exists()


def test_shared_store_joined_by_a_second_workspace(tmp_path: Path, pg_url: str) -> None:
    """Two machines, one pipeline: the second `init --store` sees the first one's records
    and does not publish the sample over the team's blueprint."""
    assert cli("init", str(tmp_path / "ann"), "--store", pg_url).code == 0
    r = cli("--as", "alice", "record", "create", "Deals", "--set", "name=Acme", "--set", "amount=5000",
            cwd=tmp_path / "ann")
    assert r.code == 0, r
    r = cli("init", str(tmp_path / "ben"), "--store", pg_url)
    assert r.code == 0, r
    assert [x["id"] for x in cli("--json", "record", "list", cwd=tmp_path / "ben").json()] == ["1"]
    assert cli("--json", "store", "info", cwd=tmp_path / "ben").json()["versions"] == 1


# ----- migrations --------------------------------------------------------------------------------

def test_migrations_are_versioned_and_applied_once(pg_url: str, monkeypatch: pytest.MonkeyPatch,
                                                   tmp_path: Path) -> None:
    store = PostgresStore.init(pg_url)
    now = postgres.LATEST
    assert store.schema_version() == now and PostgresStore.init(pg_url).migrate() == []
    store.close()
    # a later release adds a migration: an older store is refused until migrated
    later = postgres.Migration(now + 1, "records: a column for a later feature",
                               "ALTER TABLE {s}.records ADD COLUMN later text")
    monkeypatch.setattr(postgres, "MIGRATIONS", (*postgres.MIGRATIONS, later))
    monkeypatch.setattr(postgres, "LATEST", now + 1)
    with pytest.raises(BlueprintError) as exc:
        PostgresStore(pg_url).published()
    assert f"schema version {now}, this blueprint needs {now + 1}" in exc.value.message
    assert "store migrate" in (exc.value.hint or "")
    r = cli("store", "migrate", pg_url)
    assert r.code == 0 and f"applied migration {now + 1}: records: a column for a later feature" in r.out
    assert f"up to date (schema version {now + 1})" in cli("store", "migrate", pg_url).out
    assert PostgresStore(pg_url).published() == []
    # and an older release refuses a newer store rather than misreading it
    schema_at(monkeypatch, now)
    with pytest.raises(BlueprintError) as exc:
        PostgresStore(pg_url).published()
    assert f"at schema version {now + 1}; this blueprint knows versions up to {now}" in exc.value.message


def test_a_store_made_before_the_typed_history_columns_gets_them_for_every_entry(
        pg_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Migration 2 fills the columns for the entries already there; the report
    over them (computed by the server) is the one the report computes itself."""
    schema_at(monkeypatch, 1)
    ws = ping_workspace(tmp_path, store=pg_url)
    record = changes.create(ws, "Pings", {}, user="alice", at=NOW).record.id
    assert not changes.move(ws, record, "Flip", Inputs(), user="alice", at=NOW).refused
    monkeypatch.undo()
    assert cli("store", "migrate", pg_url).code == 0
    with PostgresStore(pg_url).connect() as conn:
        rows = conn.execute(f"SELECT kind, transition, from_state, to_state, at_us IS NOT NULL, typed "
                            f"FROM {PostgresStore(pg_url)._s}.history WHERE record_id = %s ORDER BY seq",
                            (record,)).fetchall()
    assert rows == [("create", None, None, "Left", True, True), ("move", "Flip", "Left", "Right", True, True)]
    report = cli("--json", "report", "--now", "2027-01-01T00:00:00+00:00", cwd=tmp_path)
    assert report.code == 0, report
    assert [(s["state"], s["now"], s["entries"], s["left"]) for s in report.json()["states"]] == [  # type: ignore[index]
        ("Left", 0, 1, 1), ("Right", 1, 1, 0), ("Done", 0, 0, 0)]


def test_a_schema_without_tables_says_how_to_create_them(pg_url: str) -> None:
    with pytest.raises(BlueprintError) as exc:
        PostgresStore(pg_url).get("1")
    assert "no blueprint store in" in exc.value.message and "blueprint init --store" in (exc.value.hint or "")


# ----- the store's promises ----------------------------------------------------------------------

def test_reads_and_writes_like_the_json_store(pg_ping: workspace.Workspace) -> None:
    ws = pg_ping
    moved = changes.move(ws, "2", "Flip", Inputs(note="hi"), user="alice", at=NOW)
    assert not moved.refused and moved.record.state == "Right"
    stored = ws.store.get("2")
    assert stored.record == moved.record and [e.kind for e in stored.history] == ["create", "move"]
    assert stored.history[1].note == "hi" and stored.record.fields["note"] == "flipped by alice"
    assert [r.id for r in ws.store.scan(blueprint="ping", state="Left")] == ["1", "3"]
    assert [r.id for r in ws.store.scan()] == ["1", "2", "3"]
    with pytest.raises(UnknownRecord) as exc:
        ws.store.get("42")
    assert exc.value.exit_code == 2 and exc.value.message == "no record 42"
    with pytest.raises(BlueprintError) as bad:
        ws.store.get("../1")
    assert bad.value.exit_code == 2


def test_listing_pages_through_many_records_in_id_order(pg_ping: workspace.Workspace,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(postgres, "PAGE", 4)
    for _ in range(8):
        changes.create(pg_ping, "Pings", {}, user="alice", at=NOW)
    assert [r.id for r in pg_ping.store.scan()] == [str(i) for i in range(1, 12)]
    assert len(pg_ping.records(state="Left")) == 11


def test_a_transition_its_history_and_its_tasks_commit_together(tmp_path: Path, pg_url: str) -> None:
    """The history insert fails inside the move's transaction (a trigger refuses it):
    the record row, whose update came first, is rolled back with it."""
    ws = workspace.init(tmp_path, user="grace", at=NOW, store=pg_url).workspace
    created = changes.create(ws, "Deals", {"name": "Acme", "amount": "5000", "close_on": "2026-06-01"}, user="alice", at=NOW)
    s = ws.store._s
    with ws.store.connect().transaction():
        ws.store.connect().execute(f"""
            CREATE FUNCTION {s}.refuse() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN IF NEW.entry->>'note' = 'boom' THEN RAISE EXCEPTION 'refused by test'; END IF; RETURN NEW; END $$;
            CREATE TRIGGER refuse BEFORE INSERT ON {s}.history FOR EACH ROW EXECUTE FUNCTION {s}.refuse();""")
    inputs = Inputs(checklist=("Budget confirmed", "Decision maker identified"), note="boom")
    before = ws.store.get(created.record.id)
    with pytest.raises(BlueprintError) as exc:
        changes.move(ws, created.record.id, "Negotiate", inputs, user="alice", at=NOW)
    assert "refused the change" in exc.value.message and exc.value.exit_code == 1
    assert PostgresStore(ws.store.url).get(created.record.id) == before
    moved = changes.move(ws, created.record.id, "Negotiate", Inputs(checklist=inputs.checklist, note="fine"),
                    user="alice", at=NOW)
    assert not moved.refused
    after = PostgresStore(ws.store.url).get(created.record.id)
    assert after.record.state == "Negotiation"
    assert [t.subject for t in after.record.open_tasks()] == ["Send proposal for Acme"]
    assert after.history[-1].note == "fine" and after.history[-1].to_state == "Negotiation"


def test_a_record_is_locked_for_the_whole_move(pg_ping: workspace.Workspace, pg_server: PgServer,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(postgres, "LOCK_TIMEOUT_MS", 300)
    other = PostgresStore(pg_ping.store.url)
    with pg_ping.store.transaction("1") as txn:
        # the row itself is locked (SELECT ... FOR UPDATE), not only the advisory lock
        with pg_server.connect() as conn, pytest.raises(Exception, match="could not obtain lock"):
            conn.execute(f"SELECT 1 FROM {pg_ping.store._s}.records WHERE id = '1' FOR UPDATE NOWAIT")
        with pytest.raises(BlueprintError) as exc:
            with other.transaction("1"):
                pass
        assert "record 1 is locked by another blueprint client" in exc.value.message
        with other.transaction("2") as free:  # other records are not held up
            free.commit(free.current.record.with_(owner="ben"))
        txn.commit(txn.current.record.with_(owner="cat"))
    with other.transaction("1") as again:
        assert again.current.record.owner == "cat"
    other.close()


def test_a_dropped_connection_mid_move_leaves_the_record_as_before(pg_ping: workspace.Workspace,
                                                                  pg_server: PgServer) -> None:
    ws = pg_ping
    before = ws.store.get("1")
    bp = ws.blueprint("ping")
    with pytest.raises(BlueprintError) as exc:
        with ws.store.transaction("1") as txn:
            moved = engine.move(bp, txn.current.record, ws.user("alice"), "Flip", Inputs(note="lost"), NOW, ws.team)
            assert isinstance(moved, engine.Moved)
            assert terminate(pg_server, os.getpid()) >= 1  # the server drops us while we hold the lock
            txn.commit(moved.record, [moved.entry])
    assert "lost the connection to the store" in exc.value.message and exc.value.exit_code == 1
    other = PostgresStore(ws.store.url)
    assert other.get("1") == before
    # the lock went with the connection: another client moves the record at once
    with other.transaction("1") as txn:
        txn.commit(txn.current.record.with_(owner="ben"))
    assert other.get("1").record.owner == "ben"
    # and this client reconnects for its next command
    assert not changes.move(ws, "2", "Flip", Inputs(), user="alice", at=NOW).refused


def pg_worker(ws: workspace.Workspace, user: str, count: int, record_id: str, *mode: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    return subprocess.Popen([sys.executable, PG_WORKER, str(ws.root), user, str(count), record_id, *mode],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def test_concurrent_moves_on_one_record_serialise(pg_ping: workspace.Workspace) -> None:
    procs = [pg_worker(pg_ping, user, 15, "1") for user in ("ann", "ben", "cat", "dan", "eve", "fay")]
    reported: list[str] = []
    for proc in procs:
        out, err = proc.communicate(timeout=180)
        assert proc.returncode == 0, err
        reported += [line.split()[1] for line in out.splitlines()]
    assert len(reported) == 6 * 15
    notes = assert_whole(pg_ping)["1"]
    assert sorted(notes) == sorted(reported)  # each reported move once, and no other


def test_concurrent_read_modify_write_loses_no_update(pg_ping: workspace.Workspace) -> None:
    procs = [pg_worker(pg_ping, user, 25, "2", "add") for user in ("ann", "ben", "cat", "dan")]
    totals: list[int] = []
    for proc in procs:
        out, err = proc.communicate(timeout=180)
        assert proc.returncode == 0, err
        totals += [int(line.split()[2]) for line in out.splitlines()]
    assert sorted(totals) == list(range(1, 101))  # every client saw the one before it
    assert pg_ping.store.get("2").record.fields["note"] == "100"


def test_killed_clients_and_dropped_connections_leave_every_record_whole(pg_ping: workspace.Workspace,
                                                                        pg_server: PgServer) -> None:
    """Writers run flat out; at random instants one is SIGKILLed or has its
    connection cut by the server. Every record stays a whole chain, and every move a
    writer reported is in the history."""
    rng = random.Random(2024)
    reported: list[tuple[str, str]] = []
    cuts = kills = 0
    for round_ in range(8):
        procs = [worker(pg_ping, f"w{round_}{n}", 0, ["1", "2", "3"]) for n in range(2)]
        first = [proc.stdout.readline() for proc in procs]  # type: ignore[union-attr]  # both are writing now
        reported += [tuple(line.split()) for line in first if line.strip()]  # type: ignore[misc]
        time.sleep(rng.uniform(0, 0.3))
        victim = procs[0]
        if round_ % 2:
            cuts += terminate(pg_server, victim.pid) > 0
        else:
            victim.send_signal(signal.SIGKILL)
            kills += 1
        time.sleep(rng.uniform(0, 0.05))
        for proc in procs:
            proc.send_signal(signal.SIGKILL)
            out, _ = proc.communicate()
            # (a blank line, as a killed writer may leave one, claims no move)
            reported += [tuple(line.split()) for line in out.splitlines() if line.strip()]  # type: ignore[misc]
        assert_whole(pg_ping)
    assert cuts >= 3 and kills == 4
    assert len(reported) > 40, "the writers should have been stopped mid-stream many times"
    notes = assert_whole(pg_ping)
    for record_id, note in reported:
        assert notes[record_id].count(note) == 1, f"{note} on record {record_id} was reported but is not in history"
    print(f"{len(reported)} moves reported, {cuts} connections cut, {kills} clients killed")


def test_a_broken_row_is_named_and_other_records_still_work(pg_ping: workspace.Workspace, pg_server: PgServer) -> None:
    ws = pg_ping
    s = ws.store._s
    with pg_server.connect() as conn:
        conn.execute(f"""UPDATE {s}.records SET data = '{{"id": "2"}}' WHERE id = '2'""")
    with pytest.raises(CorruptFile) as exc:
        ws.store.get("2")
    assert exc.value.message.startswith(f"{ws.store.schema}.records id 2: not a valid record")
    assert exc.value.exit_code == 1
    assert not changes.move(ws, "1", "Flip", Inputs(), user="alice", at=NOW).refused
    errors: list[CorruptFile] = []
    assert [r.id for r in ws.store.scan(errors=errors)] == ["1", "3"]
    assert [e.path for e in errors] == [f"{ws.store.schema}.records id 2"]
    with pytest.raises(CorruptFile):
        changes.move(ws, "2", "Flip", Inputs(), user="alice", at=NOW)
    r = cli("record", "show", "2", cwd=ws.folder)
    assert r.code == 1 and "records id 2" in r.err and "Traceback" not in r.err


def test_publishing_waits_for_no_one_and_moves_records_out_of_deleted_states(pg_ping: workspace.Workspace,
                                                                          tmp_path: Path) -> None:
    ws = pg_ping
    changes.move(ws, "1", "Flip", Inputs(), user="alice", at=NOW)
    source = tmp_path / "ping2.yaml"
    source.write_text(PING.replace("  - name: Right\n", "  - name: Middle\n").replace("to: Right", "to: Middle")
                      .replace("from: Right", "from: Middle"), encoding="utf-8")
    with pytest.raises(BlueprintError) as exc:
        publish(ws, source, user="admin", at=NOW)
    assert "Right: 1 record (1)" in exc.value.message
    result = publish(ws, source, moves={"Right": "Middle"}, user="admin", at=NOW)
    assert result.version == 2 and result.moved == {"Right": ("Middle", ["1"])}
    fresh = PostgresStore(ws.store.url)
    assert fresh.get("1").record.state == "Middle" and fresh.get("1").history[-1].kind == "migrate"
    assert [p.latest for p in fresh.published()] == [2]
    assert [m["version"] for m in fresh.published()[0].versions] == [1, 2]
    assert fresh.blueprint_text("ping", 1) == PING


# ----- blueprint store copy -----------------------------------------------------------------------

def _snapshot(folder: Path) -> dict[str, Any]:
    records = cli("--json", "record", "list", cwd=folder).json()
    assert isinstance(records, list)
    return {"records": records,
            "history": {r["id"]: cli("--json", "history", r["id"], cwd=folder).json() for r in records}}


def test_store_copy_json_to_postgres_and_back(tmp_path: Path, pg_url: str) -> None:
    folder = tmp_path / "team"
    assert cli("init", str(folder)).code == 0
    for name, amount in (("Acme", 5000), ("Bolt", 20), ("Core", 900)):
        r = cli("--as", "alice", "record", "create", "Deals", "--set", f"name={name}", "--set", f"amount={amount}",
                cwd=folder)
        assert r.code == 0, r
    r = cli("--as", "alice", "move", "1", "Negotiate", "--set", "close_on=2026-09-01", "--check", "Budget confirmed",
            "--check", "Decision maker identified", "--note", "call went well", cwd=folder)
    assert r.code == 0, r
    sample = folder / "blueprints" / "deal-follow-up.yaml"
    sample.write_text(sample.read_text().replace("title: ", "title: v2 "), encoding="utf-8")
    assert cli("--as", "grace", "publish", str(sample), cwd=folder).code == 0
    before = _snapshot(folder)

    r = cli("--json", "store", "copy", "--from", str(folder / ".blueprint"), "--to", pg_url, cwd=folder)
    assert r.code == 0, r
    report = r.json()
    assert isinstance(report, dict)
    assert (report["records"], report["history"], report["blueprints"], report["versions"]) == (3, 4, 1, 2)
    assert report["verified"] is True and report["switched"] == str((folder / ".blueprint").resolve())
    assert f"store: {pg_url}" in (folder / ".blueprint" / "config.yaml").read_text()
    assert cli("--json", "store", "info", cwd=folder).json()["kind"] == "postgresql"
    assert _snapshot(folder) == before
    r = cli("--json", "--as", "alice", "record", "create", "Deals", "--set", "name=Dune", "--set", "amount=1",
            cwd=folder)
    assert r.json()["id"] == "4"  # ids go on where the JSON store left off

    # a second copy into the same (now non-empty) store is refused, and changes nothing
    r = cli("store", "copy", "--from", str(folder / ".blueprint"), "--to", pg_url, cwd=folder)
    assert r.code == 1 and "is not empty" in r.err
    # and back: into the JSON files of a new folder, which becomes a workspace (docs/postgres.md)
    back = tmp_path / "back"
    r = cli("store", "copy", "--to", str(back), cwd=folder)
    assert r.code == 0 and "Created the workspace" in r.out and "they match" in r.out, r
    assert _snapshot(back) == _snapshot(folder)
    assert cli("--json", "store", "info", cwd=back).json()["kind"] == "json"


def test_store_copy_refuses_a_source_with_broken_records(tmp_path: Path, pg_url: str) -> None:
    ws = ping_workspace(tmp_path, records=2)
    ws.store.record_path("2").write_text("{", encoding="utf-8")
    r = cli("store", "copy", "--to", pg_url, cwd=tmp_path)
    assert r.code == 1 and "1 record(s) that cannot be read" in r.err and "2.json" in r.err
    assert PostgresStore(pg_url).counts()["records"] == 0
    assert "store:" not in (ws.root / "config.yaml").read_text()
