"""`blueprint tick`: SLA escalations (once per stay, levels in order, the clock
restarting on re-entry), automatic transitions (performed when due; skipped and
reported when their requirements or criteria are not met), business time on the
workspace calendar, idempotence — also with several ticks at once. Time is
driven by `--now` (or `now=`), never by sleeping."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from blueprint_cli.workspace import changes
from blueprint_cli.workspace.publishing import publish
from blueprint_cli import workspace
from blueprint_cli.engine import Inputs
from blueprint_cli.workspace.tick import tick
from workspace_helpers import cli

# every test runs against the JSON store and the PostgreSQL store (tests/pg_fixtures.py)
pytestmark = pytest.mark.usefixtures("store_kind")

BERLIN = ZoneInfo("Europe/Berlin")
MONDAY = datetime(2026, 5, 4, 10, 0, tzinfo=BERLIN)

TEAM = """\
users:
  ann: {roles: [agent], email: ann@example.com}
  lee: {roles: [lead], email: lee@example.com}
"""

TICKETS = """\
blueprint: tickets
module: Tickets
field: status
fields:
  subject: {type: text}
  resolution: {type: text}
  priority: {type: picklist, values: [Low, High], default: Low}
states:
  - name: New
    sla:
      within: 4 business_hours
      escalate:
        - email: {to: "role:lead", subject: "{{record.subject}} waits"}
      levels:
        - after: 2 business_days
          escalate:
            - tag: {add: [late]}
            - set: {priority: High}
  - name: Open
  - name: Waiting
    sla:
      within: 1d
      escalate:
        - task: {subject: "Chase {{record.subject}}", due: 4 business_hours, owner: "user:lee"}
  - name: Closed
    final: true
transitions:
  - name: Start
    from: New
    to: Open
    owners: ["role:agent"]
  - name: Ask customer
    from: Open
    to: Waiting
  - name: Answered
    from: Waiting
    to: New
  - name: Auto close
    from: Waiting
    to: Closed
    owners: ["role:lead"]
    auto: {after: 3d}
    require: {fields: [resolution]}
  - name: Auto start
    from: New
    to: Open
    auto: {after: 3 business_days}
    when: {field: priority, eq: High}
"""


def at(days: float = 0, hours: float = 0, base: datetime = MONDAY) -> datetime:
    return base + timedelta(days=days, hours=hours)


@pytest.fixture()
def ws(tmp_path: Path) -> workspace.Workspace:
    ws = workspace.init(tmp_path, sample=False).workspace
    (ws.root / "team.yaml").write_text(TEAM, encoding="utf-8")
    with open(ws.root / "config.yaml", "a", encoding="utf-8") as f:
        f.write("calendar: {days: mon-fri, hours: \"09:00-17:00\", time_zone: Europe/Berlin}\n")
    ws = workspace.Workspace(ws.root)
    (tmp_path / "tickets.yaml").write_text(TICKETS, encoding="utf-8")
    publish(ws, tmp_path / "tickets.yaml", user="lee", at=MONDAY)
    return ws


def new_ticket(ws: workspace.Workspace, subject: str = "Login broken", when: datetime = MONDAY) -> str:
    return changes.create(ws, "Tickets", {"subject": subject}, user="ann", at=when).record.id


def kinds(ws: workspace.Workspace, record_id: str) -> list[str]:
    return [e.kind + (f":{e.transition}" if e.transition else "") for e in ws.history(record_id)[1]]


def test_sla_levels_fire_once_each_in_order_then_the_auto_transition(ws: workspace.Workspace) -> None:
    rid = new_ticket(ws)
    assert tick(ws, at(hours=3, base=MONDAY) + timedelta(minutes=59)).happened == []  # 13:59: not yet
    report = tick(ws, at(hours=4))  # 14:00: four business hours
    (h,) = report.happened
    assert (h.kind, h.record, h.what) == ("escalate", rid, "level 0 (4 business_hours)")
    assert [a.status for a in h.entry.actions] == ["done"]  # type: ignore[union-attr]
    assert len(list((ws.root / "outbox").iterdir())) == 1
    for moment in (at(hours=4), at(hours=5), at(days=1)):  # again, and later the same stay: nothing
        assert tick(ws, moment).happened == []
    report = tick(ws, at(days=2))  # Wednesday 10:00: two business days
    assert [(h.kind, h.what) for h in report.happened] == [("escalate", "level 1 (2 business_days)")]
    record = ws.get(rid)[1]
    assert record.tags == ("late",) and record.fields["priority"] == "High"
    report = tick(ws, at(days=3))  # Thursday: the auto transition's criteria hold now
    assert [(h.kind, h.what, h.to_state) for h in report.happened] == [("move", "Auto start", "Open")]
    history = ws.history(rid)[1]
    assert kinds(ws, rid) == ["create", "escalate", "escalate", "move:Auto start"]
    assert history[-1].user == "blueprint" and history[-1].note == "automatic: after 3 business_days in New"
    assert len(list((ws.root / "outbox").iterdir())) == 1  # no e-mail twice


def test_many_levels_due_at_once_fire_in_order(ws: workspace.Workspace) -> None:
    rid = new_ticket(ws)
    report = tick(ws, at(days=2, hours=1))  # a tick that ran late: both levels are due
    assert [h.what for h in report.happened if h.kind == "escalate"] == \
        ["level 0 (4 business_hours)", "level 1 (2 business_days)"]
    assert kinds(ws, rid) == ["create", "escalate", "escalate"]


def test_reentering_a_state_restarts_its_clock(ws: workspace.Workspace) -> None:
    rid = new_ticket(ws)
    tick(ws, at(hours=5))
    changes.move(ws, rid, "Start", Inputs(), user="ann", at=at(hours=6))
    changes.move(ws, rid, "Ask customer", Inputs(), user="ann", at=at(hours=6))
    changes.move(ws, rid, "Answered", Inputs(), user="ann", at=at(days=1))  # back in New, Tuesday 10:00
    assert tick(ws, at(days=1, hours=3)).happened == []  # the new stay is three hours old
    report = tick(ws, at(days=1, hours=4))
    assert [(h.kind, h.what) for h in report.happened] == [("escalate", "level 0 (4 business_hours)")]
    assert kinds(ws, rid).count("escalate") == 2  # once per stay
    assert len(list((ws.root / "outbox").iterdir())) == 2


def test_an_auto_transition_that_cannot_run_is_reported_not_forced(ws: workspace.Workspace) -> None:
    rid = new_ticket(ws)
    changes.move(ws, rid, "Start", Inputs(), user="ann", at=MONDAY)
    changes.move(ws, rid, "Ask customer", Inputs(), user="ann", at=MONDAY)
    report = tick(ws, at(days=3))  # Thursday 10:00: Waiting's SLA (1d) and Auto close (3d) are both due
    assert [(h.kind, h.what) for h in report.happened] == [("escalate", "level 0 (1d)"), ("skip", "Auto close")]
    skip = report.happened[1]
    assert skip.reasons == ("resolution is required",) and skip.first
    task = ws.get(rid)[1].open_tasks()[0]
    # the task's due time is on the calendar: Thursday 10:00 + 4 business hours = 14:00
    assert (task.subject, task.owner, task.due) == ("Chase Login broken", "lee", "2026-05-07T14:00:00+02:00")
    assert ws.get(rid)[1].state == "Waiting"
    again = tick(ws, at(days=3, hours=1))
    assert [(h.kind, h.first) for h in again.happened] == [("skip", False)]  # reported each tick, noted once
    assert kinds(ws, rid)[-2:] == ["escalate", "skip:Auto close"]
    changes.set_fields(ws, rid, {"resolution": "Fixed in 2.3"}, user="ann", at=at(days=3, hours=2))
    done = tick(ws, at(days=3, hours=3))
    # owners (role:lead) do not bind blueprint itself; the requirement does, and is met now
    assert [(h.kind, h.what, h.to_state) for h in done.happened] == [("move", "Auto close", "Closed")]
    assert tick(ws, at(days=9)).happened == []  # final: nothing more


def test_business_time_waits_over_the_weekend(ws: workspace.Workspace) -> None:
    friday = datetime(2026, 5, 8, 16, 0, tzinfo=BERLIN)
    new_ticket(ws, when=friday)
    assert tick(ws, datetime(2026, 5, 10, 23, 0, tzinfo=BERLIN)).happened == []  # Sunday night
    assert tick(ws, datetime(2026, 5, 11, 11, 59, tzinfo=BERLIN)).happened == []  # Monday 11:59: 3h59m of work
    assert len(tick(ws, datetime(2026, 5, 11, 12, 0, tzinfo=BERLIN)).happened) == 1


def test_dry_run_changes_nothing(ws: workspace.Workspace) -> None:
    rid = new_ticket(ws)
    before = ws.store.get(rid)
    files = {p: p.read_bytes() for p in (ws.root / "records").rglob(f"{rid}.json")}  # JSON store: not even rewritten
    report = tick(ws, at(days=4), dry_run=True)
    assert [h.kind for h in report.happened] == ["escalate", "escalate", "move"]
    assert ws.store.get(rid) == before and all(p.read_bytes() == data for p, data in files.items())
    assert not (ws.root / "outbox").exists()


def test_tick_command_text_json_and_usage_errors(ws: workspace.Workspace) -> None:
    rid = new_ticket(ws)
    folder = ws.folder
    r = cli("tick", "--now", "2026-05-04T14:30:00+02:00", cwd=folder)
    assert r.code == 0 and f"Tickets {rid} · Login broken: SLA level 0 (4 business_hours) of New fired" in r.out
    assert "✓ email 'Login broken waits' to lee@example.com" in r.out
    assert "1 escalation(s), 0 automatic transition(s), 0 skipped; 1 record(s) in timed states checked" in r.out
    r = cli("--json", "tick", "--now", "2026-05-07T10:00:00+02:00", cwd=folder)
    data = json.loads(r.out)
    assert r.code == 0 and data["now"] == "2026-05-07T10:00:00+02:00"
    assert [e["sla"] for e in data["escalations"]] == ["level 1 (2 business_days)"]
    assert [(m["record"], m["transition"], m["state"], m["to"]) for m in data["moves"]] == \
        [(rid, "Auto start", "New", "Open")]
    history = cli("history", rid, cwd=folder).out
    assert "blueprint  SLA escalation in New" in history and "Auto start: New → Open" in history
    r = cli("tick", "--now", "next tuesday", cwd=folder)
    assert r.code == 2 and "--now 'next tuesday' is not a time" in r.err


def test_a_broken_calendar_setting_is_a_usage_error(ws: workspace.Workspace) -> None:
    config = ws.root / "config.yaml"
    config.write_text(config.read_text().replace("mon-fri", "mon-funday"))
    r = cli("tick", cwd=ws.folder)
    assert r.code == 2 and "'funday' is not a day" in r.err and "config.yaml" in r.err


@pytest.mark.other_processes
def test_two_ticks_at_once_never_fire_anything_twice(ws: workspace.Workspace) -> None:
    ids = [new_ticket(ws, f"Ticket {i}") for i in range(40)]
    env = {**os.environ, "NO_COLOR": "1"}
    procs = [subprocess.Popen([sys.executable, "-m", "blueprint_cli", "--workspace", str(ws.root), "--json", "tick",
                               "--now", at(days=2, hours=1).isoformat()], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, env=env) for _ in range(4)]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), outputs
    fired = [(e["record"], e["sla"]) for out, _ in outputs for e in json.loads(out)["escalations"]]
    assert len(fired) == len(set(fired)) == 80  # each level of each record, by exactly one of the ticks
    for rid in ids:
        assert kinds(ws, rid) == ["create", "escalate", "escalate"]
    assert len(list((ws.root / "outbox").iterdir())) == 40


def test_an_auto_transition_whose_criteria_do_not_hold_is_skipped_with_the_actual_value(ws: workspace.Workspace) -> None:
    rid = new_ticket(ws)
    tick(ws, at(days=2))  # both escalations: level 1 sets priority High
    changes.set_fields(ws, rid, {"priority": "Low"}, user="ann", at=at(days=2, hours=1))
    report = tick(ws, at(days=3))
    (skip,) = report.of("skip")
    assert skip.what == "Auto start" and skip.reasons == \
        ("criteria of 'Auto start' not met: priority = 'High' — actual: 'Low'",)
    assert ws.get(rid)[1].state == "New" and kinds(ws, rid)[-1] == "skip:Auto start"
