"""`blueprint bulk TRANSITION --where EXPR`: every matching record the user may
move is moved (checked like `move`), the others refused with the engine's
reasons; a summary, exit codes, --dry-run, batched store writes, and two bulks
at once never moving a record twice."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from blueprint_cli.workspace import changes
from blueprint_cli import workspace
from blueprint_cli.workspace import bulk
from blueprint_cli.engine import Inputs
from blueprint_cli.store import Write
from blueprint_cli.language.where import parse
from workspace_helpers import NOW, cli, ping_workspace, run

# every test runs against the JSON store and the PostgreSQL store (tests/pg_fixtures.py)
pytestmark = pytest.mark.usefixtures("store_kind")

NEGOTIATE = ["--set", "close_on=2026-12-01", "--check", "Budget confirmed", "--check", "Decision maker identified",
             "--note", "bulk"]


@pytest.fixture()
def deals(tmp_path: Path) -> Path:
    """Six deals: 1-4 owned by alice, 5-6 by bob; 3 is small; 6 is already in Negotiation."""
    assert cli("init", str(tmp_path)).code == 0
    for i, (owner, amount) in enumerate([("alice", 5000), ("alice", 12000), ("alice", 500), ("alice", 3000),
                                         ("bob", 8000), ("bob", 9000)], 1):
        r = cli("--as", owner, "record", "create", "Deals", "--set", f"name=Deal {i}", "--set", f"amount={amount}",
                cwd=tmp_path)
        assert r.code == 0, r
    assert cli("--as", "bob", "move", "6", "Negotiate", *NEGOTIATE, cwd=tmp_path).code == 0
    assert cli("--as", "alice", "record", "tag", "2", "vip", cwd=tmp_path).code == 0
    return tmp_path


def states(folder: Path) -> dict[str, str]:
    return {r["id"]: r["state"] for r in cli("--json", "record", "list", cwd=folder).json()}  # type: ignore[union-attr]


def test_moves_every_matching_record_the_user_may_move(deals: Path) -> None:
    r = run(deals, "bulk", "Negotiate", "--where", "amount >= 1000", *NEGOTIATE)
    assert r.code == 0, r
    assert "Negotiate on 4 matching records" in r.out and "│ done" in r.out and "→ Negotiation" in r.out
    # 3 is too small for the --where; 6 was in Negotiation already (not a state Negotiate leaves from)
    assert states(deals) == {"1": "Negotiation", "2": "Negotiation", "3": "Qualification", "4": "Negotiation",
                             "5": "Negotiation", "6": "Negotiation"}
    entry = run(deals, "--json", "history", "5").json()[-1]  # type: ignore[index]
    assert (entry["transition"], entry["user"], entry["note"], entry["checklist"]) == \
        ("Negotiate", "alice", "bulk", ["Budget confirmed", "Decision maker identified"])
    assert run(deals, "--json", "record", "list", "--state", "Negotiation").json().__len__() == 5  # the index moved


def test_refusals_are_summarised_with_reasons_and_exit_1(deals: Path) -> None:
    # dave (finance) owns none of them and is no sales rep: every one is refused
    r = run(deals, "bulk", "Negotiate", "--where", "amount > 1000 and (tags contains vip or owner = bob)", *NEGOTIATE,
            user="dave")
    assert r.code == 1
    lines = [line for line in r.out.splitlines() if "│ refused" in line]
    assert len(lines) == 2 and all("you are not an owner of 'Negotiate'" in line for line in lines)
    assert "the record owner is alice" in lines[0] + lines[1] and "the record owner is bob" in lines[0] + lines[1]
    assert states(deals)["2"] == "Qualification"
    # missing requirements are reasons too (nobody is prompted)
    r = run(deals, "--json", "bulk", "Negotiate", "--where", "owner = alice")
    data = r.json()
    assert r.code == 1 and data["matched"] == 4 and data["done"] == []  # type: ignore[index]
    reasons = {x["kind"] for ref in data["refused"] for x in ref["reasons"]}  # type: ignore[index]
    assert reasons == {"field", "checklist", "note", "criteria"}  # 3 also fails amount >= 1000


def test_partly_done_partly_refused(deals: Path) -> None:
    r = run(deals, "--json", "bulk", "Negotiate", "--where", "owner = alice", *NEGOTIATE)
    data = r.json()
    assert r.code == 1
    assert [d["record"] for d in data["done"]] == ["1", "2", "4"]  # type: ignore[index]
    (refused,) = data["refused"]  # type: ignore[index]
    assert refused["record"] == "3" and refused["reasons"][0]["message"].startswith(
        "criteria of 'Negotiate' not met: amount ≥ 1000 — actual: 500")


def test_dry_run_changes_nothing_and_exits_as_the_real_run_would(deals: Path) -> None:
    before = {p: p.read_bytes() for p in (deals / ".blueprint" / "records").rglob("*.json")}
    r = run(deals, "bulk", "Negotiate", "--where", "owner = alice", *NEGOTIATE, "--dry-run")
    assert r.code == 1 and "Dry run: Negotiate on 4 matching records" in r.out
    assert "would be done" in r.out and "would be refused" in r.out
    assert {p: p.read_bytes() for p in (deals / ".blueprint" / "records").rglob("*.json")} == before


def test_nothing_matching_is_not_an_error(deals: Path) -> None:
    r = run(deals, "bulk", "Negotiate", "--where", "amount > 1000000")
    assert r.code == 0 and "nothing to do" in r.out


@pytest.mark.parametrize(("args", "message"), [
    (["Negotiat", "--where", "amount > 5"], "no transition 'Negotiat' in any published blueprint"),
    (["Negotiate", "--where", "amount > 5", "--set", "close_on=someday"], "'someday' is not a valid date"),
    (["Negotiate", "--where", "amount > 5", "--check", "Budget confirmd"], "did you mean 'Budget confirmed'?"),
    (["Negotiate", "--where", "amount >"], "cannot read it at column 9"),
    (["Negotiate"], "Missing option '--where'"),
])
def test_usage_errors_touch_nothing(deals: Path, args: list[str], message: str) -> None:
    r = run(deals, "bulk", *args)
    assert r.code == 2 and message in r.err and "Traceback" not in r.err
    assert states(deals)["1"] == "Qualification"


def test_a_parallel_part_in_bulk(deals: Path) -> None:
    for rid in ("1", "2"):
        assert run(deals, "move", rid, "Negotiate", *NEGOTIATE).code == 0
        assert run(deals, "move", rid, "Send to legal", "--attach", str(deals / ".blueprint" / "team.yaml")).code == 0
        assert run(deals, "record", "set", rid, "signed=yes").code == 0
    r = run(deals, "--json", "bulk", "Finance approval", "--where", "state = 'Legal Review'",
            "--check", "Payment terms within policy", "--check", "Customer credit check passed", user="dave")
    data = r.json()
    assert r.code == 0 and [(d["record"], d["waiting"]) for d in data["done"]] == \
        [("1", ["Legal approval"]), ("2", ["Legal approval"])]  # type: ignore[index]
    assert states(deals)["1"] == "Legal Review"  # a part: the record waits for the other one


@pytest.mark.other_processes
def test_progress_bar_only_on_a_terminal(deals: Path) -> None:
    assert run(deals, "bulk", "Negotiate", "--where", "owner = bob", *NEGOTIATE).err == ""
    master, slave = pty.openpty()
    env = {**os.environ, "BLUEPRINT_USER": "alice", "TERM": "xterm", "COLUMNS": "100"}
    env.pop("NO_COLOR", None)
    proc = subprocess.run([sys.executable, "-m", "blueprint_cli", "--workspace", str(deals), "bulk", "Negotiate",
                           "--where", "owner = alice", *NEGOTIATE], stderr=slave, stdout=subprocess.PIPE, env=env,
                          timeout=60)
    os.close(slave)
    seen = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    os.close(master)
    bar = seen.decode("utf-8", "replace")
    assert proc.returncode == 1 and "Negotiate \x1b[90m━" in bar and "4/4" in bar  # the bar, counting the records
    assert "Negotiate on 4 matching records" in proc.stdout.decode()  # the summary stays on stdout


# ----- the store's batch ----------------------------------------------------------------------------

def test_batches_lock_read_and_write_many_records_at_once(tmp_path: Path) -> None:
    ws = ping_workspace(tmp_path, records=7)
    result = bulk.run(ws, "Flip", parse("id != 4"), Inputs(), user="alice", now=NOW, chunk=3)
    assert (result.matched, len(result.done), result.refused) == (6, 6, [])
    assert [r.id for r in ws.records(state="Right")] == ["1", "2", "3", "5", "6", "7"]
    assert ws.store.ids(blueprint="ping", state="Left") == ["4"]
    history = ws.history("6")[1]
    assert [e.kind for e in history] == ["create", "move"] and history[-1].actions[0].detail.startswith("note:")
    # a batch holds what it read; writing a record it does not hold is a mistake
    with ws.store.batch(["2", "nope", "1"]) as b:
        assert sorted(b.current) == ["1", "2"]
        with pytest.raises(ValueError):
            b.commit([Write(ws.get("4")[1])])
        b.commit([Write(b.current["1"].record.with_(tags=("x",)))])
        b.commit([Write(b.current["1"].record.with_(tags=("x", "y")))])  # again in the same block
    assert ws.get("1")[1].tags == ("x", "y") and len(ws.history("1")[1]) == 2


@pytest.mark.other_processes
@pytest.mark.parametrize("batch_size", ["500", "20"])  # 20: many batches, handed to helper processes (JSON store)
def test_two_bulks_at_once_never_move_a_record_twice(tmp_path: Path, batch_size: str) -> None:
    ws = ping_workspace(tmp_path, records=120)
    env = {**os.environ, "NO_COLOR": "1", "BLUEPRINT_USER": "alice"}
    procs = [subprocess.Popen([sys.executable, "-m", "blueprint_cli", "--workspace", str(ws.root), "--json", "bulk",
                               "Flip", "--where", "id != 0", "--batch-size", batch_size],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
             for _ in range(3)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), outs
    done = [d["record"] for out, _ in outs for d in json.loads(out)["done"]]
    assert sorted(done, key=int) == [str(i) for i in range(1, 121)]  # each exactly once, by one of them
    for rid in ("1", "60", "120"):
        assert [e.kind for e in ws.history(rid)[1]] == ["create", "move"]
    assert len(ws.records(state="Right")) == 120


def test_the_workspace_api_reports_reasons_by_group(tmp_path: Path) -> None:
    ws = ping_workspace(tmp_path, records=3)
    changes.move(ws, "2", "Flip", Inputs(), user="alice", at=NOW)
    result = bulk.run(ws, "Flop", None, Inputs(), user="alice", now=NOW)
    assert [d.record for d in result.done] == ["2"] and result.exit_code == 0
    assert isinstance(ws, workspace.Workspace)


# ----- how the JSON store writes a batch ----------------------------------------------------------

def test_a_record_file_is_plain_json_with_a_line_per_field_and_per_history_entry() -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from blueprint_cli.engine.records import HistoryEntry, Record
    from blueprint_cli.store.recordfile import encode

    leaf = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text())
    value = st.recursive(leaf, lambda k: st.one_of(st.lists(k, max_size=3), st.dictionaries(st.text(), k, max_size=3)),
                         max_leaves=10)
    records = st.builds(lambda f, t: Record("7", "M", "b", 1, "S", "o", fields=f, tags=t),
                        st.dictionaries(st.text(), value, max_size=4), st.lists(st.text(), max_size=2).map(tuple))
    entries = st.builds(lambda n, c: HistoryEntry("2026-05-04T09:30:00+02:00", "alice", "move", note=n, changes=c),
                        st.one_of(st.none(), st.text()), st.dictionaries(st.text(), st.tuples(value, value), max_size=2))

    @settings(max_examples=300, deadline=None)
    @given(records, st.lists(entries, max_size=3))
    def readable(record: Record, history: list[HistoryEntry]) -> None:
        text = encode(record, history).decode("utf-8")
        assert json.loads(text) == json.loads(json.dumps({  # what any JSON reader reads
            "format": 1, "kind": "record", "record": record.to_dict(), "history": [e.to_dict() for e in history]}))
        lines = [line.removesuffix(",") for line in text.split("\n")]
        for name, field_value in record.fields.items():  # each field on a line of its own
            assert f"   {json.dumps(name, ensure_ascii=False)}: {json.dumps(field_value, ensure_ascii=False)}" in lines
        for entry in history:  # each history entry on a line of its own
            assert json.loads(json.dumps(entry.to_dict())) in [json.loads(line) for line in lines
                                                               if line.startswith("  {")]

    readable()


def test_appending_to_the_file_text_is_the_same_as_encoding_it_all() -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from blueprint_cli.engine.records import ActionOutcome, HistoryEntry, Record
    from blueprint_cli.store.recordfile import encode, encode_appending

    text = st.text(max_size=6)
    records = st.builds(lambda f, t: Record("7", "M", "b", 1, "S", "o", fields=f, tags=t),
                        st.dictionaries(text, st.one_of(st.integers(), text, st.none()), max_size=3),
                        st.lists(text, max_size=2).map(tuple))
    entries = st.builds(lambda u, n: HistoryEntry("2026-05-04T09:30:00+02:00", u, "move", note=n,
                                                  actions=(ActionOutcome("set", "done", u),)), text, text)

    @settings(max_examples=300, deadline=None)
    @given(records, records, st.lists(entries, max_size=3), st.lists(entries, max_size=3))
    def same(before: Record, after: Record, old: list[HistoryEntry], new: list[HistoryEntry]) -> None:
        assert encode_appending(after, encode(before, old), new) == encode(after, old + new)

    same()
    assert encode_appending(Record("7", "M", None, None, None, "o"), b'{"format": 1}', []) is None  # not ours: None


@pytest.mark.json_store_only
def test_without_atomic_swaps_each_file_is_renamed_into_place(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from blueprint_cli.store import jsonstore

    monkeypatch.setattr(jsonstore, "exchange", lambda a, b: False)
    ws = ping_workspace(tmp_path, records=5)
    ws.store._exchange = False
    result = bulk.run(ws, "Flip", None, Inputs(), user="alice", now=NOW, chunk=2)
    assert len(result.done) == 5 and len(ws.records(state="Right")) == 5
    assert not list((ws.root / "records").rglob(".*.tmp"))


@pytest.mark.json_store_only
def test_spare_files_are_reused_not_piled_up(tmp_path: Path) -> None:
    ws = ping_workspace(tmp_path, records=9)
    bulk.run(ws, "Flip", None, Inputs(), user="alice", now=NOW, chunk=4)
    bulk.run(ws, "Flop", None, Inputs(), user="alice", now=NOW, chunk=4)
    spares = [p.name for p in (ws.root / "locks" / "spare").iterdir() if not p.name.startswith(".")]
    assert sorted(spares) == ["0", "1", "2", "3"]
    assert [e.kind for e in ws.history("9")[1]] == ["create", "move", "move"]


@pytest.mark.json_store_only
def test_a_bulk_killed_at_any_instant_leaves_every_record_whole(tmp_path: Path) -> None:
    import random
    import signal
    import time

    n = 1200
    ws = ping_workspace(tmp_path, records=n)
    env = {**os.environ, "NO_COLOR": "1", "BLUEPRINT_USER": "alice"}
    rng = random.Random(5)
    killed = 0
    for i in range(6):
        target = ws.root / "index" / "ping" / ("Right" if i % 2 == 0 else "Left")
        before = len(os.listdir(target)) if target.exists() else 0
        proc = subprocess.Popen([sys.executable, "-m", "blueprint_cli", "--workspace", str(ws.root), "bulk",
                                 "Flip" if i % 2 == 0 else "Flop", "--where", "id != 0"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        # kill it once a random number of records have moved: mid-batch, mid-sync, mid-swap...
        goal = before + rng.randrange(1, 900)
        while proc.poll() is None and (len(os.listdir(target)) if target.exists() else 0) < goal:
            time.sleep(0.001)
        time.sleep(rng.uniform(0, 0.02))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            killed += 1
        proc.wait()
        _whole_under_locks(ws, n)
    assert killed >= 2


# ----- batches handed over to the helper process that writes them (store/writer.py) ----------------

def _lock_is_free(ws: workspace.Workspace, record_id: str) -> bool:
    import fcntl

    from blueprint_cli.store.jsonstore import shard

    fd = os.open(ws.root / "locks" / "records" / shard(record_id) / f"{record_id}.lock", os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False
    finally:
        os.close(fd)


@pytest.mark.json_store_only
def test_a_handed_over_batch_stays_locked_until_the_helper_has_written_it(tmp_path: Path) -> None:
    from blueprint_cli import engine
    from blueprint_cli.store.files import locked

    ws = ping_workspace(tmp_path, records=3)
    bp, user = ws.blueprint("ping"), ws.user("alice")
    with ws.store.writer() as writer:
        # the helper must wait for the spare files: the batch is handed over but not written yet
        with locked(ws.root / "locks" / "spare.lock"):
            with ws.store.batch(["1", "2"]) as batch:
                moves = [engine.move(bp, batch.current[r].record, user, "Flip", Inputs(), NOW, ws.team)
                         for r in ("1", "2")]
                batch.hand_over([Write(m.record, (m.entry,)) for m in moves], writer)  # type: ignore[union-attr]
            # this process has closed its lock files; the helper still holds the locks
            assert not _lock_is_free(ws, "1") and not _lock_is_free(ws, "2") and _lock_is_free(ws, "3")
            assert ws.store.ids(blueprint="ping", state="Right") == []
    # leaving the writer's block waited for the helper: written, and the locks given back
    assert ws.store.ids(blueprint="ping", state="Right") == ["1", "2"]
    assert [e.kind for e in ws.history("2")[1]] == ["create", "move"] and ws.get("2")[1].state == "Right"
    assert _lock_is_free(ws, "1") and _lock_is_free(ws, "2")


@pytest.mark.json_store_only
def test_a_batch_the_helper_cannot_write_stops_the_bulk_with_its_cause(tmp_path: Path) -> None:
    from blueprint_cli.store.writer import WriterFailed

    ws = ping_workspace(tmp_path, records=12)
    # batches [1-4] [5-8] [9] [10] [11] [12]; 2 is left out, so only the second batch needs a fourth
    # spare file: a folder in its place makes the helper fail there, as a full or broken disk would
    assert [len(p) for p in bulk._parts([str(i) for i in range(1, 13)], 4, tapered=True)] == [4, 4, 1, 1, 1, 1]
    blocker = ws.root / "locks" / "spare" / "3"
    blocker.mkdir(parents=True)
    with pytest.raises(WriterFailed, match="Is a directory") as failed:
        bulk.run(ws, "Flip", parse("id != 2"), Inputs(), user="alice", now=NOW, chunk=4)
    assert failed.value.exit_code == 1 and "earlier batches" in (failed.value.hint or "")
    # the first batch is written, the failed one not at all, and none after it
    assert ws.store.ids(blueprint="ping", state="Right") == ["1", "3", "4"]
    for rid in range(5, 13):
        assert ws.get(str(rid))[1].state == "Left" and [e.kind for e in ws.history(str(rid))[1]] == ["create"]
    # every lock was given back: once the cause is gone, the same bulk moves the rest
    blocker.rmdir()
    assert [d.record for d in bulk.run(ws, "Flip", parse("id != 2"), Inputs(), user="alice", now=NOW,
                                       chunk=4).done] == [str(i) for i in range(5, 13)]


def test_the_last_batches_handed_to_the_helper_are_small() -> None:
    ids = [str(i) for i in range(1, 2001)]
    assert [len(p) for p in bulk._parts(ids, 500, tapered=True)] == [500, 500, 500, 125, 125, 125, 125]
    assert [len(p) for p in bulk._parts(ids[:1100], 500, tapered=True)] == [500, 100, 125, 125, 125, 125]
    assert [len(p) for p in bulk._parts(ids, 500, tapered=False)] == [500, 500, 500, 500]
    assert [len(p) for p in bulk._parts(ids[:3], 500, tapered=True)] == [3]
    assert sum(bulk._parts(ids[:1100], 500, tapered=True), []) == ids[:1100]  # every id once, in order


@pytest.mark.json_store_only
def test_a_write_the_system_refuses_is_an_error_message_not_a_traceback(tmp_path: Path) -> None:
    ws = ping_workspace(tmp_path, records=2)
    (ws.root / "locks" / "spare" / "0").mkdir(parents=True)  # one batch, written in the command's own process
    r = cli("--as", "alice", "--workspace", str(ws.root), "bulk", "Flip", "--where", "id != 0")
    assert r.code == 1 and "Traceback" not in r.err, r
    assert "error: Is a directory:" in r.err and "spare/0" in r.err and "run the command again" in r.err
    assert ws.store.ids(blueprint="ping", state="Right") == []  # nothing half-written


def _whole_under_locks(ws: workspace.Workspace, n: int) -> None:
    """What another blueprint process sees: it waits for each record's lock (so a
    helper still writing a batch it was handed finishes first), then every record
    is whole, its history ends where it is, and its state's marker is there."""
    from blueprint_cli.store.files import locked
    from blueprint_cli.store.jsonstore import shard

    for k in range(1, n + 1):
        with locked(ws.root / "locks" / "records" / shard(str(k)) / f"{k}.lock", timeout=60):
            pass
    fresh = workspace.Workspace(ws.root)
    index = {state: set(fresh.store.ids(blueprint="ping", state=state)) for state in ("Left", "Right")}
    for rid in (str(k) for k in range(1, n + 1)):
        stored = fresh.store.get(rid)  # every file is whole JSON
        assert stored.history[-1].to_state == stored.record.state  # history ends where the record is
        assert rid in index[stored.record.state or ""]  # never a missing marker
        assert [e.kind for e in stored.history].count("create") == 1


@pytest.mark.json_store_only
@pytest.mark.parametrize("victims", ["the bulk", "the bulk and its helper"])
def test_a_bulk_killed_while_its_helper_writes_leaves_every_record_whole(tmp_path: Path, victims: str) -> None:
    import random
    import signal
    import time

    n = 600
    ws = ping_workspace(tmp_path, records=n)
    # small batches: many handed over, so the kill lands while the helper writes one
    script = ("import sys; from blueprint_cli import workspace; from blueprint_cli.workspace import bulk; from blueprint_cli.engine import Inputs; "
              "from datetime import datetime, timezone; "
              "ws = workspace.Workspace(__import__('pathlib').Path(sys.argv[1])); "
              "bulk.run(ws, sys.argv[2], None, Inputs(), user='alice', now=datetime.now(timezone.utc), chunk=25)")
    rng = random.Random(11)
    killed = 0
    for i in range(6):
        target = ws.root / "index" / "ping" / ("Right" if i % 2 == 0 else "Left")
        before = len(os.listdir(target)) if target.exists() else 0
        proc = subprocess.Popen([sys.executable, "-c", script, str(ws.root), "Flip" if i % 2 == 0 else "Flop"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
                                env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
        goal = before + rng.randrange(1, 500)
        while proc.poll() is None and (len(os.listdir(target)) if target.exists() else 0) < goal:
            time.sleep(0.001)
        time.sleep(rng.uniform(0, 0.01))
        if proc.poll() is None:
            if victims == "the bulk":
                proc.send_signal(signal.SIGKILL)
            else:
                os.killpg(proc.pid, signal.SIGKILL)
            killed += 1
        proc.wait()
        _whole_under_locks(ws, n)
    assert killed >= 2


def test_a_batch_gets_an_open_file_per_record_or_is_made_smaller(monkeypatch: pytest.MonkeyPatch) -> None:
    import resource

    limits = {"now": (1024, 4096)}
    monkeypatch.setattr(resource, "getrlimit", lambda _: limits["now"])
    monkeypatch.setattr(resource, "setrlimit", lambda _, v: limits.__setitem__("now", v))
    assert bulk._open_files_for(500) == 500 and limits["now"] == (1024, 4096)  # fits as it is
    assert bulk._open_files_for(2000) == 2000 and limits["now"] == (2064, 4096)  # raised towards the hard limit
    limits["now"] = (1024, 1024)
    assert bulk._open_files_for(2000) == 960  # cannot be raised: smaller batches


@pytest.mark.json_store_only
def test_a_bulk_whose_helper_is_killed_stops_with_a_message(tmp_path: Path) -> None:
    import signal
    import time

    n = 400
    ws = ping_workspace(tmp_path, records=n)
    proc = subprocess.Popen([sys.executable, "-m", "blueprint_cli", "--workspace", str(ws.root), "bulk", "Flip",
                             "--where", "id != 0", "--batch-size", "10"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, "NO_COLOR": "1", "BLUEPRINT_USER": "alice"})
    children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children")
    helper = ""
    while proc.poll() is None and not helper:
        helper = children.read_text().strip() if children.exists() else ""
    assert helper, "the bulk finished before its helper could be seen"
    target = ws.root / "index" / "ping" / "Right"
    while proc.poll() is None and (len(os.listdir(target)) if target.exists() else 0) < 30:
        time.sleep(0.001)
    os.kill(int(helper.split()[0]), signal.SIGKILL)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 1 and b"Traceback" not in err, err
    assert b"the helper process writing records stopped unexpectedly" in err
    _whole_under_locks(ws, n)
    assert 30 <= len(ws.store.ids(blueprint="ping", state="Right")) < n


@pytest.mark.json_store_only
def test_ctrl_c_stops_a_bulk_after_the_batches_it_handed_over(tmp_path: Path) -> None:
    import signal
    import time

    n = 400
    ws = ping_workspace(tmp_path, records=n)
    target = ws.root / "index" / "ping" / "Right"
    proc = subprocess.Popen([sys.executable, "-m", "blueprint_cli", "--workspace", str(ws.root), "bulk", "Flip",
                             "--where", "id != 0", "--batch-size", "10"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
                            env={**os.environ, "NO_COLOR": "1", "BLUEPRINT_USER": "alice"})
    while proc.poll() is None and (len(os.listdir(target)) if target.exists() else 0) < 50:
        time.sleep(0.001)
    os.killpg(proc.pid, signal.SIGINT)  # as a terminal's Ctrl-C does: the whole process group
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert b"Traceback" not in err
    _whole_under_locks(ws, n)
    moved = len(ws.store.ids(blueprint="ping", state="Right"))
    assert 50 <= moved < n  # stopped part-way, every batch handed over before it written
