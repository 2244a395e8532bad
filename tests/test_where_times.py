"""Time in `--where`: `created_at`, `updated_at`, `entered_at` (when the record
entered its state) and `sla`/`sla_level`, compared with times relative to the
clock (`now - 7d`, `today`), in `record list`, `bulk` and `record export`, and
`--sort` by a time in instant order whatever the offsets."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from blueprint_cli.workspace import changes
from blueprint_cli import workspace
from blueprint_cli.engine import Inputs
from blueprint_cli.workspace.clock import now as clock
from workspace_helpers import PING, cli, ping_workspace

TIMED = PING.replace("  - name: Left\n", "  - name: Left\n    sla: {within: 1h, escalate: [{tag: {add: [late]}}],"
                                          " levels: [{after: 2d, escalate: [{tag: {add: [later]}}]}]}\n")


def timed(folder: Path) -> workspace.Workspace:
    ws = ping_workspace(folder)
    (folder / "ping.yaml").write_text(TIMED, encoding="utf-8")
    assert cli("--as", "grace", "publish", "ping.yaml", cwd=folder).code == 0
    return workspace.Workspace(ws.root)


def ids(folder: Path, where: str, *args: str) -> list[str]:
    r = cli("--json", "record", "list", "--where", where, *args, cwd=folder)
    assert r.code == 0, r
    return [str(rec["id"]) for rec in json.loads(r.out)]


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    """Record 1 created ten days ago (in Left since then); 2 created ten days ago,
    moved to Right an hour ago; 3 created now, in Left (written in another offset)."""
    ws = timed(tmp_path)
    now = clock()
    changes.create(ws, "Pings", {}, user="alice", at=now - timedelta(days=10))
    changes.create(ws, "Pings", {}, user="alice", at=now - timedelta(days=10))
    changes.move(ws, "2", "Flip", Inputs(), user="alice", at=now - timedelta(hours=1))
    changes.create(ws, "Pings", {}, user="alice", at=now.astimezone(timezone(timedelta(hours=-9))))
    return tmp_path


def test_times_of_a_record_against_times_relative_to_the_clock(folder: Path) -> None:
    assert ids(folder, "created_at >= now - 7d") == ["3"]
    assert ids(folder, "created_at < today") == ["1", "2"]
    assert ids(folder, "created_at < now-7d and updated_at > now - 2h") == ["2"]
    assert ids(folder, "entered_at >= now - 1d") == ["2", "3"]
    assert ids(folder, "entered_at between today - 30d and now - 1w") == ["1"]
    assert ids(folder, "entered_at >= today") == ["2", "3"] or clock().hour == 0  # an hour ago may be yesterday


def test_sla_standing_is_known_without_a_tick(folder: Path) -> None:
    assert ids(folder, "sla = breached") == ["1"]  # ten days in Left: within 1h and level 1 (2d) passed
    assert ids(folder, "sla_level >= 1") == ["1"]
    assert ids(folder, "sla = ok") == ["3"]
    assert ids(folder, "sla = none") == ["2"]  # Right has no SLA
    assert ids(folder, "sla in [ok, breached] and created_at <= now") == ["1", "3"]


def test_bulk_and_export_take_the_same_times(folder: Path) -> None:
    dry = cli("--as", "alice", "--json", "bulk", "Flip", "--where", "sla = breached and created_at < now - 7d",
              "--dry-run", cwd=folder)
    assert dry.code == 0 and [d["record"] for d in json.loads(dry.out)["done"]] == ["1"], dry
    exported = cli("record", "export", "--format", "json", "--where", "entered_at > now - 1d", cwd=folder)
    assert exported.code == 0 and [r["id"] for r in json.loads(exported.out)] == ["2", "3"], exported


def test_sort_by_a_time_is_by_the_instant(folder: Path) -> None:
    # record 3 is written at -09:00: as text it would sort before the others
    assert ids(folder, "id != 0", "--sort", "-created_at") == ["3", "1", "2"]
    assert ids(folder, "id != 0", "--sort", "entered") == ["1", "2", "3"]
    shown = cli("record", "list", "--columns", "id,entered_at", "--sort", "entered_at", cwd=folder)
    assert shown.code == 0 and shown.out.splitlines()[0].split() == ["ID", "ENTERED"], shown


@pytest.mark.parametrize("where, why", [
    ("created_at > now - 7x", "'7x' after 'now -' is not a duration"),
    ("created_at > now -", "expected a duration after 'now -'"),
    ("created_at > now - 2 business_days", "expected `and`, `or` or the end"),
    ("sla = late", "sla is ok, breached or none, not 'late'"),
    ("created_at > today - 3000000d", "'3000000d' after 'today -' is not a duration"),
    ("entered_at < 9999-01-01", "the year must be between 1000 and 9000"),
    ("sla_level > high", "not a number"),
])
def test_a_time_that_cannot_be_read_is_a_usage_error(folder: Path, where: str, why: str) -> None:
    r = cli("record", "list", "--where", where, cwd=folder)
    assert r.code == 2 and why in r.err and "Traceback" not in r.err, r


def test_now_is_a_word_like_any_other_for_a_field_that_holds_no_time(folder: Path) -> None:
    assert cli("--as", "alice", "record", "set", "3", "note=now", cwd=folder).code == 0
    assert ids(folder, "note = now") == ["3"]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ages=st.lists(st.integers(min_value=0, max_value=24 * 60), min_size=1, max_size=6),
       hours=st.integers(min_value=0, max_value=24 * 30))
def test_created_at_after_now_minus_a_duration_is_the_records_younger_than_it(
        tmp_path_factory: pytest.TempPathFactory, ages: list[int], hours: int) -> None:
    folder = tmp_path_factory.mktemp("w")
    ws = timed(folder)
    now = clock()
    for age in ages:  # in hours
        changes.create(ws, "Pings", {}, user="alice", at=now - timedelta(hours=age))
    got = ids(folder, f"created_at >= now - {hours}h")
    # the command's clock is read a little later than `now` here: only ages far from the bound are certain
    for number, age in enumerate(ages, start=1):
        if age < hours:
            assert str(number) in got
        elif age > hours:
            assert str(number) not in got
    assert datetime.fromisoformat(ws.get("1")[1].created_at) <= clock()
