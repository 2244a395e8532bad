"""The store's promises (docs/workspace.md): atomic writes under SIGKILL, no lost
updates between processes, corrupt files reported by path, ids that cannot
escape the store, a format version in every file. Each test runs against the
JSON store and the PostgreSQL store, but those marked `json_store_only`, which
look at its files (tests/test_postgres.py covers the same for PostgreSQL)."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from blueprint_cli.workspace import changes
from blueprint_cli.diagnostics import BlueprintError
from blueprint_cli.engine import Inputs
from blueprint_cli.store import CorruptFile, UnknownRecord, check_id
from blueprint_cli.store.jsonstore import state_key
from blueprint_cli.workspace import Workspace

from workspace_helpers import NOW, ping_workspace

# every test runs against the JSON store and the PostgreSQL store (tests/pg_fixtures.py)
pytestmark = pytest.mark.usefixtures("store_kind")

WORKER = str(Path(__file__).with_name("store_worker.py"))


def worker(ws: Workspace, user: str, moves: int, ids: list[str]) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    return subprocess.Popen([sys.executable, WORKER, str(ws.root), user, str(moves), *ids],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def assert_consistent(ws: Workspace) -> int:
    """Every record loads, its history is a chain ending at its state, and the
    state index lists it. Returns how many records there are."""
    errors: list[CorruptFile] = []
    records = list(ws.store.scan(errors=errors))
    assert errors == []
    for listed_record in records:
        # read once: a killed writer's last commit may still land after the scan above
        stored = ws.store.get(listed_record.id)
        record, history = stored.record, stored.history
        assert history[0].kind == "create"
        for before, after in zip(history, history[1:]):
            assert after.from_state == before.to_state, (record.id, before, after)
        assert history[-1].to_state == record.state, record.id
        if ws.store.folder is not None:  # the JSON store's state index is files
            marker = ws.root / "index" / "ping" / state_key(record.state or "") / record.id
            assert marker.exists(), f"record {record.id} in {record.state} is missing from the index"
        listed = [r.id for r in ws.store.scan(blueprint="ping", state=record.state)]
        assert record.id in listed
    return len(records)


@pytest.mark.other_processes
def test_sigkill_at_random_instants_never_leaves_a_broken_record(tmp_path: Path) -> None:
    ws = ping_workspace(tmp_path, records=3)
    rng = random.Random(1234)
    committed = 0
    for _ in range(30):
        proc = worker(ws, "alice", 0, ["1", "2", "3"])
        assert proc.stdout is not None
        first = proc.stdout.readline()  # it is writing now (whatever the start-up took on this machine)
        assert first, f"the writer did not start: {proc.communicate()[1]}"
        time.sleep(rng.uniform(0.0, 0.12))
        proc.send_signal(signal.SIGKILL)
        out, err = proc.communicate()
        assert proc.returncode == -signal.SIGKILL, f"the writer stopped by itself: {err}"
        committed += len((first + out).splitlines())
        assert_consistent(ws)
    # every move the writer reported before it died is in the history
    total = sum(len(ws.store.get(i).history) - 1 for i in ("1", "2", "3"))
    assert total >= committed


@pytest.mark.other_processes
def test_concurrent_processes_lose_no_update(tmp_path: Path) -> None:
    ws = ping_workspace(tmp_path, records=2)
    procs = [worker(ws, user, 25, ["1", "2"]) for user in ("ann", "ben", "cat", "dan")]
    reported: list[tuple[str, str]] = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        reported += [tuple(line.split()) for line in out.splitlines()]  # type: ignore[misc]
    assert len(reported) > 50
    notes = {i: [e.note for e in ws.store.get(i).history if e.kind == "move"] for i in ("1", "2")}
    for record_id, note in reported:
        assert notes[record_id].count(note) == 1, f"{note} on record {record_id} was reported but is not in history"
    assert sum(map(len, notes.values())) == len(reported)
    assert_consistent(ws)


@pytest.mark.json_store_only  # looks at the JSON store's files
def test_corrupt_file_is_named_and_other_records_still_work(tmp_path: Path) -> None:
    ws = ping_workspace(tmp_path, records=3)
    broken = ws.store.record_path("2")
    broken.write_text('{"format": 1, "record": {"id": "2", ', encoding="utf-8")
    with pytest.raises(CorruptFile) as exc:
        ws.store.get("2")
    assert str(Path(".blueprint") / "records") in exc.value.message and "2.json" in exc.value.message
    assert "not valid JSON" in exc.value.message and exc.value.exit_code == 1
    assert not changes.move(ws, "1", "Flip", Inputs(), user="alice", at=NOW).refused
    errors: list[CorruptFile] = []
    assert [r.id for r in ws.store.scan(errors=errors)] == ["1", "3"]
    assert [e.path for e in errors] == [ws.store.display(broken)]
    with pytest.raises(CorruptFile):
        changes.move(ws, "2", "Flip", Inputs(), user="alice", at=NOW)
    assert broken.read_text(encoding="utf-8") == '{"format": 1, "record": {"id": "2", '  # left as it was


@pytest.mark.json_store_only  # looks at the JSON store's files
@pytest.mark.parametrize("content", [
    "[]", '{"record": {}}', '{"format": 1, "record": {"module": "Pings"}}', '{"format": 99, "record": {}}',
    '{"format": 1, "record": {"id": "9", "module": "Pings"}}',
])
def test_hand_broken_files_give_a_reason(tmp_path: Path, content: str) -> None:
    ws = ping_workspace(tmp_path, records=1)
    ws.store.record_path("1").write_text(content, encoding="utf-8")
    with pytest.raises(CorruptFile) as exc:
        ws.store.get("1")
    assert "1.json:" in exc.value.message


@pytest.mark.parametrize("bad", ["../1", "/etc/passwd", "a/b", "..", ".", "", "1\x00", "x" * 65, "a\\b", "~root"])
def test_ids_cannot_escape_the_store(tmp_path: Path, bad: str) -> None:
    ws = ping_workspace(tmp_path)
    with pytest.raises(BlueprintError) as exc:
        ws.store.get(bad)
    assert exc.value.exit_code == 2 and "is not a record id" in exc.value.message
    with pytest.raises(BlueprintError):
        changes.move(ws, bad, "Flip", Inputs(), user="alice")


@pytest.mark.json_store_only  # no store
def test_valid_ids_and_unknown_record() -> None:
    for good in ("1", "D-17", "abc_9"):
        assert check_id(good) == good


def test_unknown_record_is_a_usage_error(tmp_path: Path) -> None:
    ws = ping_workspace(tmp_path, records=1)
    with pytest.raises(UnknownRecord) as exc:
        ws.store.get("42")
    assert exc.value.exit_code == 2 and exc.value.message == "no record 42"


@pytest.mark.json_store_only  # looks at the JSON store's files
def test_every_store_file_carries_a_format_version(tmp_path: Path) -> None:
    ws = ping_workspace(tmp_path, records=2)
    changes.move(ws, "1", "Flip", Inputs(), user="alice", at=NOW)
    # schemas/ holds the JSON Schema `init` copies for editors: not a store file
    files = [p for p in ws.root.rglob("*.json") if p.parent != ws.root / "schemas"]
    assert len(files) >= 5
    for path in files:
        assert json.loads(path.read_text(encoding="utf-8"))["format"] == 1, path


@pytest.mark.json_store_only  # looks at the JSON store's files
def test_a_move_writes_only_its_own_record(tmp_path: Path) -> None:
    ws = ping_workspace(tmp_path, records=20)
    before = {p: p.stat().st_mtime_ns for p in ws.root.rglob("*") if p.is_file() and "locks" not in p.parts}
    time.sleep(0.01)
    changes.move(ws, "7", "Flip", Inputs(), user="alice", at=NOW)
    after = {p: p.stat().st_mtime_ns for p in ws.root.rglob("*") if p.is_file() and "locks" not in p.parts}
    changed = {p.relative_to(ws.root).as_posix() for p in after if before.get(p) != after[p]}
    gone = {p.relative_to(ws.root).as_posix() for p in before if p not in after}
    assert changed == {ws.store.record_path("7").relative_to(ws.root).as_posix(), "index/ping/Right/7"}
    assert gone == {"index/ping/Left/7"}


@pytest.mark.json_store_only  # looks at the JSON store's files
def test_stale_index_marker_is_not_listed(tmp_path: Path) -> None:
    ws = ping_workspace(tmp_path, records=2)
    (ws.root / "index" / "ping" / "Right").mkdir(parents=True, exist_ok=True)
    (ws.root / "index" / "ping" / "Right" / "1").touch()  # as if a crash hit between marker and record
    (ws.root / "index" / "ping" / "Right" / "99").touch()
    assert [r.id for r in ws.store.scan(blueprint="ping", state="Right")] == []
    assert [r.id for r in ws.store.scan(blueprint="ping", state="Left")] == ["1", "2"]


@pytest.mark.json_store_only  # no store
def test_state_names_become_safe_folder_names() -> None:
    assert state_key("Closed Won") == "Closed Won"
    assert state_key("../x") == "%2E%2E%2Fx"
    assert state_key("Ünterwegs") == "%C3%9Cnterwegs"
    assert state_key("") == "%00"
