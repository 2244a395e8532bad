"""`blueprint report` through the real CLI, on known histories written through
the store at fixed times, on every store (tests/pg_fixtures.py `store_kind`):
each figure checked exactly."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from blueprint_cli.workspace import changes
from blueprint_cli import workspace
from blueprint_cli.engine import Inputs
from blueprint_cli.engine.records import HistoryEntry
from blueprint_cli.workspace.publishing import publish

from workspace_helpers import run

pytestmark = pytest.mark.usefixtures("store_kind")

FLOW = """\
blueprint: sales
module: Leads
field: stage
fields:
  name: {type: text}
  region: {type: picklist, values: [North, South]}
states:
  - name: Lead
    sla: {within: 1d, escalate: [{tag: {add: [late]}}]}
  - name: Call
  - name: Offer
  - name: Won
    final: true
  - name: Lost
    final: true
transitions:
  - {name: Qualify, from: Lead, to: Call}
  - {name: Propose, from: Call, to: Offer}
  - {name: Back, from: Offer, to: Call}
  - {name: Win, from: Offer, to: Won}
  - {name: Lose, from: "*", to: Lost}
"""

NOW = "2026-05-13T09:00:00+00:00"
H = 3600


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


def sales(folder: Path, *, misfit: bool = False) -> workspace.Workspace:
    """Four leads with known histories (2026-05-04 is a Monday; the calendar is
    Monday to Friday 09:00-17:00 in UTC):

    1 (alice, North): Lead Mon 09:00 → Call Mon 13:00 → Offer Wed 09:00 → Won Fri 17:00
    2 (bob, South):   Lead Mon 10:00 → Call Tue 10:00 → Lost Tue 12:00
    3 (alice, North): Lead Fri 05-08 16:00 → Call Mon 05-11 10:00 (still there)
    4 (bob, North):   Lead Mon 05-11 09:00 (still there: over its 1d SLA by NOW)
    """
    ws = workspace.init(folder, sample=False).workspace
    config = ws.root / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "calendar: {time_zone: UTC}\n", encoding="utf-8")
    ws = workspace.Workspace(ws.root)
    (folder / "sales.yaml").write_text(FLOW, encoding="utf-8")
    publish(ws, folder / "sales.yaml", user="admin", at=at("2026-05-01T08:00"))

    def lead(name: str, owner: str, region: str, when: str) -> str:
        return changes.create(ws, "Leads", {"name": name, "region": region}, user=owner, owner=owner, at=at(when)).record.id

    def move(rid: str, transition: str, when: str) -> None:
        result = changes.move(ws, rid, transition, Inputs(), user="admin", at=at(when))
        assert not result.refused, result.outcome

    one = lead("Acme", "alice", "North", "2026-05-04T09:00")
    two = lead("Globex", "bob", "South", "2026-05-04T10:00")
    move(one, "Qualify", "2026-05-04T13:00")
    move(two, "Qualify", "2026-05-05T10:00")
    move(two, "Lose", "2026-05-05T12:00")
    move(one, "Propose", "2026-05-06T09:00")
    three = lead("Initech", "alice", "North", "2026-05-08T16:00")
    move(one, "Win", "2026-05-08T17:00")
    move(three, "Qualify", "2026-05-11T10:00")
    lead("Umbrella", "bob", "North", "2026-05-11T09:00")
    if misfit:
        five = lead("Hooli", "alice", "South", "2026-05-11T11:00")
        with ws.store.transaction(five) as txn:
            record = txn.current.record.with_(state="Offer", updated_at="2026-05-11T12:00:00+00:00",
                                              state_since="2026-05-11T12:00:00+00:00")
            txn.commit(record, [HistoryEntry(at="2026-05-11T12:00:00+00:00", user="admin", kind="move",
                                             transition="Teleport", from_state="Lead", to_state="Offer",
                                             version=1)])
    return ws


def report(folder: Path, *args: str) -> Any:
    result = run(folder, "report", "--now", NOW, "--json", *args)
    assert result.code == 0, result
    return result.json()


def by_state(data: Any) -> dict[str, Any]:
    return {s["state"]: s for s in data["states"]}


def test_time_in_state_entries_and_how_records_leave(tmp_path: Path) -> None:
    sales(tmp_path)
    data = report(tmp_path)
    assert data["records"] == 4
    states = by_state(data)
    assert list(states) == ["Lead", "Call", "Offer", "Lost", "Won"]  # flow order, final states last
    assert {s: (v["now"], v["entries"], v["left"]) for s, v in states.items()} == {
        "Lead": (1, 4, 3), "Call": (1, 3, 2), "Offer": (0, 1, 1), "Won": (1, 1, 0), "Lost": (1, 1, 0)}
    # Lead stays: 4h, 24h, 66h; working: 4h, 8h (Mon 10-17, Tue 9-10), 2h (Fri 16-17, Mon 9-10)
    assert states["Lead"]["time_in_state"] == {"count": 3, "median_seconds": 24 * H, "p90_seconds": 66 * H,
                                               "max_seconds": 66 * H}
    assert states["Lead"]["business_time_in_state"] == {"count": 3, "median_seconds": 4 * H,
                                                        "p90_seconds": 8 * H, "max_seconds": 8 * H}
    # Call stays: 44h (12 working hours), 2h (2): the median of two is their mean
    assert states["Call"]["time_in_state"]["median_seconds"] == 23 * H
    assert states["Call"]["time_in_state"]["p90_seconds"] == 44 * H
    assert states["Call"]["business_time_in_state"]["median_seconds"] == 7 * H
    assert states["Offer"]["time_in_state"]["median_seconds"] == 56 * H
    assert states["Offer"]["business_time_in_state"]["median_seconds"] == 24 * H
    assert states["Call"]["left_by"] == [
        {"transition": "Lose", "to": "Lost", "count": 1, "share": 0.5},
        {"transition": "Propose", "to": "Offer", "count": 1, "share": 0.5}]
    assert states["Lead"]["left_by"] == [{"transition": "Qualify", "to": "Call", "count": 3, "share": 1.0}]


def test_funnel_and_throughput(tmp_path: Path) -> None:
    sales(tmp_path)
    data = report(tmp_path)
    assert data["funnel"]["entered"] == 4
    steps = {f["state"]: f for f in data["funnel"]["steps"]}
    assert [(s, f["reached"], f["conversion"], f["drop_off"]) for s, f in steps.items()] == [
        ("Lead", 4, None, None), ("Call", 3, 0.75, 1), ("Offer", 1, 1 / 3, 2), ("Lost", 1, None, None),
        ("Won", 1, None, None)]
    assert steps["Won"]["share"] == 0.25
    assert data["throughput"]["per_day"] == [
        {"day": "2026-05-04", "moves": 1, "completions": 0}, {"day": "2026-05-05", "moves": 2, "completions": 1},
        {"day": "2026-05-06", "moves": 1, "completions": 0}, {"day": "2026-05-08", "moves": 1, "completions": 1},
        {"day": "2026-05-11", "moves": 1, "completions": 0}]
    assert data["throughput"]["per_week"] == [{"week": "2026-05-04", "moves": 5, "completions": 2},
                                              {"week": "2026-05-11", "moves": 1, "completions": 0}]


def test_stuck_records_over_their_sla_or_idle_oldest_first(tmp_path: Path) -> None:
    sales(tmp_path)
    assert [(s["id"], s["why"]) for s in report(tmp_path)["stuck"]] == [("4", ["sla"])]
    stuck = report(tmp_path, "--idle", "1d")["stuck"]
    assert [(s["id"], s["owner"], s["state"], s["age_seconds"], s["idle_seconds"], s["why"], s["sla_level"])
            for s in stuck] == [("4", "bob", "Lead", 48 * H, 48 * H, ["sla", "idle"], 0),
                                ("3", "alice", "Call", 47 * H, 47 * H, ["idle"], None)]


def test_a_window_counts_stays_that_ended_in_it_and_records_that_entered_in_it(tmp_path: Path) -> None:
    sales(tmp_path)
    data = report(tmp_path, "--since", "2026-05-06", "--until", "2026-05-08")
    assert data["since"] == "2026-05-06T00:00:00+00:00" and data["until"] == "2026-05-09T00:00:00+00:00"
    states = by_state(data)
    assert {s: (v["entries"], v["left"]) for s, v in states.items()} == {
        "Lead": (1, 0), "Call": (0, 1), "Offer": (1, 1), "Lost": (0, 0), "Won": (1, 0)}
    assert data["funnel"]["entered"] == 1
    assert [f["reached"] for f in data["funnel"]["steps"]] == [1, 0, 0, 0, 0]  # 3 reached Call after --until
    assert [d["day"] for d in data["throughput"]["per_day"]] == ["2026-05-06", "2026-05-08"]


def test_where_and_by(tmp_path: Path) -> None:
    sales(tmp_path)
    data = report(tmp_path, "--where", "owner = bob")
    assert data["records"] == 2
    assert by_state(data)["Lead"]["time_in_state"]["median_seconds"] == 24 * H
    data = report(tmp_path, "--by", "region")
    groups = {g["group"]: g for g in data["by"]["groups"]}
    assert {k: g["records"] for k, g in groups.items()} == {"North": 3, "South": 1}
    north = {s["state"]: s for s in groups["North"]["states"]}
    assert north["Lead"]["time_in_state"]["median_seconds"] == 35 * H  # 4h and 66h
    assert run(tmp_path, "report", "--by", "regoin").code == 2


def test_history_that_does_not_fit_its_version_is_reported_not_counted(tmp_path: Path) -> None:
    sales(tmp_path, misfit=True)
    data = report(tmp_path)
    assert data["records"] == 4
    assert data["misfits"] == {"records": 1, "entries": [
        {"id": "5", "at": "2026-05-11T12:00:00+00:00", "version": 1,
         "problem": "transition 'Teleport' is not in version 1"}]}
    text = run(tmp_path, "report", "--now", NOW)
    assert "History that does not fit its blueprint version: 1 records left out" in text.out
    assert "record 5 at 2026-05-11T12:00:00+00:00: transition 'Teleport' is not in version 1" in text.out


def test_terminal_report(tmp_path: Path) -> None:
    sales(tmp_path)
    result = run(tmp_path, "report", "--now", NOW, "--idle", "1d")
    assert result.code == 0, result
    lines = result.out.splitlines()
    assert lines[0] == "sales v1 · 4 records · all history · now 2026-05-13 09:00"
    row = next(line for line in lines if line.startswith("Lead "))
    assert [c.strip() for c in row.split("│")][1:9] == ["1", "4", "3", "1d", "2d 18h", "2d 18h", "4h", "8h"]
    assert "Funnel: 4 records entered" in result.out
    stuck = [line for line in lines if line.startswith(("4 ", "3 "))]
    assert [c.strip() for c in stuck[0].split("│")] == ["4", "Umbrella", "bob", "Lead", "2d", "2d", "SLA, idle"]


def test_csv_tables(tmp_path: Path) -> None:
    sales(tmp_path)
    result = run(tmp_path, "report", "--now", NOW, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.out)))
    assert rows[0] == {"state": "Lead", "final": "False", "now": "1", "entered": "4", "left": "3",
                       "median_seconds": "86400", "p90_seconds": "237600", "max_seconds": "237600",
                       "median_working_seconds": "14400", "p90_working_seconds": "28800",
                       "max_working_seconds": "28800"}
    funnel = list(csv.DictReader(io.StringIO(run(tmp_path, "report", "--now", NOW, "-f", "csv",
                                                 "--table", "funnel").out)))
    assert [(r["state"], r["reached"], r["conversion"]) for r in funnel][:3] == [
        ("Lead", "4", ""), ("Call", "3", "0.75"), ("Offer", "1", "0.3333")]


def test_usage_errors(tmp_path: Path) -> None:
    sales(tmp_path)
    for args in (["--since", "yesterday"], ["--idle", "soon"], ["--format", "pdf"], ["--blueprint", "nope"],
                 ["--since", "2026-05-10", "--until", "2026-05-01"], ["--where", "amount >"]):
        result = run(tmp_path, "report", *args)
        assert result.code == 2, (args, result)
        assert "Traceback" not in result.err


@pytest.mark.json_store_only
def test_split_between_processes_the_report_is_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """On the JSON store a large pass is split between processes, each counting
    a run of consecutive ids; the figures merge into exactly the one-pass report,
    wherever the runs are cut, and a broken file in any of them is named."""
    from blueprint_cli.report import gather
    from blueprint_cli.store.jsonstore import shard

    sales(tmp_path, misfit=True)
    options = [(), ("--by", "region", "--idle", "1d"), ("--since", "2026-05-06", "--until", "2026-05-08")]
    alone = [run(tmp_path, "report", "--now", NOW, "--json", *o).out for o in options]
    monkeypatch.setattr(gather, "SHARE_AT_LEAST", 1)
    for parts in (2, 3, 5):
        monkeypatch.setattr(gather, "processors", lambda: parts)
        for o, expected in zip(options, alone):
            result = run(tmp_path, "report", "--now", NOW, "--json", *o)
            assert (result.code, result.out) == (0, expected), (parts, o)
    (tmp_path / ".blueprint" / "records" / shard("4") / "4.json").write_text("{not json", encoding="utf-8")
    result = run(tmp_path, "report", "--now", NOW, "--json")
    assert result.code == 1
    assert result.json()["records"] == 3  # type: ignore[index]
    assert f".blueprint/records/{shard('4')}/4.json: not valid JSON" in result.err


@pytest.mark.json_store_only
def test_a_broken_record_file_is_named_and_the_others_are_counted(tmp_path: Path) -> None:
    from blueprint_cli.store.jsonstore import shard

    sales(tmp_path)
    broken = tmp_path / ".blueprint" / "records" / shard("2") / "2.json"
    broken.write_text("{not json", encoding="utf-8")
    result = run(tmp_path, "report", "--now", NOW, "--json")
    assert result.code == 1
    assert result.json()["records"] == 3  # type: ignore[index]
    assert f".blueprint/records/{shard('2')}/2.json: not valid JSON" in result.err
    assert "Traceback" not in result.err


# ----- the figures a store computes itself (PostgreSQL: SQL over the history) equal the report's own ----------

def _python_and_store(ws: workspace.Workspace, store_kind: str, *, by_store: bool = True,
                      **options: Any) -> dict[str, Any]:
    """The report as the command computes it, checked equal to the one the report
    computes from the history itself (`figures.compute`); on PostgreSQL, also that
    the server's figures were the ones used (`by_store`) or were declined."""
    from typing import Protocol, runtime_checkable

    from blueprint_cli.report import gather as gathering, server

    @runtime_checkable
    class Nothing(Protocol):
        def no_store_has_this(self) -> None: ...

    used: list[bool] = []
    real = server.compute_in_store

    def spy(*args: Any, **kwargs: Any) -> Any:
        found = real(*args, **kwargs)
        used.append(found is not None)
        return found

    bp = gathering.choose_blueprint(ws, None)
    now = datetime.fromisoformat(NOW)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(server, "compute_in_store", spy)
        first = gathering.gather(ws, bp, now=now, errors=[], **options).to_dict()
    assert used == ([by_store] if store_kind == "postgres" else []), options
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(gathering, "HistoryFigures", Nothing)
        again = gathering.gather(ws, bp, now=now, errors=[], **options).to_dict()
    assert json.dumps(first) == json.dumps(again), options  # as `--json` writes them: 1.0 is not 1
    return first


def test_every_figure_is_the_same_computed_by_the_store(tmp_path: Path, store_kind: str) -> None:
    ws = sales(tmp_path, misfit=True)
    cases: list[dict[str, Any]] = [{}, {"idle": "1d"}, {"since": "2026-05-06", "until": "2026-05-08"},
                    {"since": "2026-05-05T11:00:00+00:00"}, {"until": "2026-05-04T12:00:00+00:00"},
                    {"by": "region"}, {"by": "owner", "since": "2026-05-05"}, {"where": "owner = bob"},
                    {"where": "region = North", "by": "name"}, {"where": "owner = nobody"}]
    for options in cases:
        data = _python_and_store(ws, store_kind, **options)
        assert data["misfits"]["records"] == (0 if options.get("where") else 1), options


BERLIN = """\
blueprint: tickets
module: Tickets
field: stage
fields:
  name: {type: text}
  team: {type: picklist, values: [Red, Blue]}
states:
  - name: Open
    sla: {within: 2 business_days, escalate: [{tag: {add: [late]}}]}
  - name: Doing
  - name: Waiting
  - name: Done
    final: true
transitions:
  - {name: Start, from: [Open, Waiting], to: Doing}
  - {name: Wait, from: Doing, to: Waiting}
  - {name: Finish, from: Doing, to: Done}
"""


def berlin(folder: Path, calendar: str) -> workspace.Workspace:
    """Tickets whose stays cross weekends, a holiday and the change to summer
    time (Sunday 2026-03-29 in Europe/Berlin), written in several offsets; one
    created mid-process (in Doing), one with a stay of five weeks."""
    from zoneinfo import ZoneInfo

    ws = workspace.init(folder, sample=False).workspace
    config = ws.root / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8") + calendar, encoding="utf-8")
    ws = workspace.Workspace(ws.root)
    (folder / "tickets.yaml").write_text(BERLIN, encoding="utf-8")
    publish(ws, folder / "tickets.yaml", user="admin", at=at("2026-03-01T08:00"))
    zone = ZoneInfo("Europe/Berlin")

    def when(text: str) -> datetime:  # local Berlin wall time, or an explicit offset
        moment = datetime.fromisoformat(text)
        return moment if moment.tzinfo else moment.replace(tzinfo=zone)

    def ticket(name: str, team: str, text: str, state: str | None = None) -> str:
        return changes.create(ws, "Tickets", {"name": name, "team": team}, user="grace" if state else "alice",
                              owner="alice", at=when(text), state=state).record.id

    def move(rid: str, transition: str, text: str) -> None:
        result = changes.move(ws, rid, transition, Inputs(), user="admin", at=when(text))
        assert not result.refused, result.outcome

    a = ticket("over the change", "Red", "2026-03-27T15:00")          # Friday, winter time
    move(a, "Start", "2026-03-31T10:00:00+00:00")                       # Tuesday, summer time, written in UTC
    move(a, "Wait", "2026-03-31T16:30")
    move(a, "Start", "2026-05-15T09:30:00-04:00")                       # after the holiday, another offset
    move(a, "Finish", "2026-05-15T17:45")
    b = ticket("over a holiday", "Blue", "2026-05-13T16:00")            # Wednesday; Thursday 14th a holiday
    move(b, "Start", "2026-05-15T11:00")
    move(b, "Finish", "2026-05-18T08:00")                               # Monday before opening
    c = ticket("mid-process", "Blue", "2026-04-30T12:00", state="Doing")
    move(c, "Wait", "2026-05-04T09:15")
    d = ticket("long stay", "Red", "2026-04-01T09:00")
    move(d, "Start", "2026-05-06T10:00:00+02:00")
    ticket("still open", "Red", "2026-05-08T17:30")
    return ws


def test_business_time_in_another_zone_is_the_same_computed_by_the_store(
        tmp_path: Path, store_kind: str) -> None:
    ws = berlin(tmp_path, "calendar: {time_zone: Europe/Berlin, hours: ['09:00-12:30', '13:30-17:00'], "
                          "holidays: [2026-05-14]}\n")
    cases: list[dict[str, Any]] = [{}, {"idle": "3d"}, {"since": "2026-03-31", "until": "2026-05-14"},
                                   {"by": "team"}, {"where": "team = Blue"}]
    for options in cases:
        data = _python_and_store(ws, store_kind, **options)
        assert data["records"] == (2 if options.get("where") else 5)
    states = by_state(_python_and_store(ws, store_kind))
    # the stays in Open, working 09:00-12:30 and 13:30-17:00 in Berlin:
    # 2: Wednesday 16:00-17:00, Thursday a holiday, Friday 09:00-11:00: 3 hours (43 hours in all)
    # 1: Friday 15:00-17:00 CET, Monday, Tuesday 09:00-12:00 CEST (10:00 UTC): 12 hours (92 in all)
    # 4: 25 working days from Wednesday 1 April, then 09:00-10:00 on 6 May: 176 hours (841 in all)
    assert states["Open"]["business_time_in_state"] == {"count": 3, "median_seconds": 12 * H,
                                                        "p90_seconds": 176 * H, "max_seconds": 176 * H}
    assert states["Open"]["time_in_state"] == {"count": 3, "median_seconds": 92 * H, "p90_seconds": 841 * H,
                                               "max_seconds": 841 * H}
    assert states["Doing"]["entries"] == 5 and states["Done"]["now"] == 2


def test_a_calendar_the_clock_cannot_measure_is_left_to_the_report(tmp_path: Path, store_kind: str) -> None:
    # every day, round the clock: the day clocks go forward has 23 working hours, which only a walk measures
    ws = berlin(tmp_path, "calendar: {time_zone: Europe/Berlin, days: mon-sun, hours: '00:00-24:00'}\n")
    _python_and_store(ws, store_kind, by_store=False)


def test_no_calendar_zone_reads_each_stay_in_its_own_offset(tmp_path: Path, store_kind: str) -> None:
    ws = berlin(tmp_path, "")
    _python_and_store(ws, store_kind)
    _python_and_store(ws, store_kind, since="2026-04-01", by="team")


def test_history_the_store_does_not_read_as_written_is_left_to_the_report(tmp_path: Path,
                                                                          store_kind: str) -> None:
    """A time edited by hand into another form ISO 8601 allows: the store leaves
    that record to the report, which finds it fits, so the report computes every
    figure itself — the same figures."""
    ws = sales(tmp_path)
    with ws.store.transaction("3") as txn:
        record = txn.current.record.with_(updated_at="2026-05-12 10:00:00+00:00")
        txn.commit(record, [HistoryEntry(at="2026-05-12 10:00:00+00:00", user="admin", kind="edit", version=1)])
    data = _python_and_store(ws, store_kind, by_store=False)
    assert data["records"] == 4 and data["misfits"]["records"] == 0
    # the edit is activity: record 3 is no longer idle for a day (it was for 47 hours)
    stuck = _python_and_store(ws, store_kind, by_store=False, idle="1d")["stuck"]
    assert [(s["id"], s["idle_seconds"]) for s in stuck] == [("4", 48 * H)]


def test_records_whose_history_does_not_end_in_their_state_are_judged_as_the_report_judges_them(
        tmp_path: Path, store_kind: str) -> None:
    """A record put into another state by hand (its history ends elsewhere), one
    whose history names no state at all, and one whose last move is dated before
    the one before it: the store leaves each to the report, whose figures are
    the same either way."""
    ws = sales(tmp_path)
    with ws.store.transaction("2") as txn:  # in Lost by its history, in Offer by its record
        txn.commit(txn.current.record.with_(state="Offer"))
    data = _python_and_store(ws, store_kind, by_store=True)
    assert data["records"] == 3 and [m["id"] for m in data["misfits"]["entries"]] == ["2"]
    with ws.store.transaction("4") as txn:  # created without a state, now in Lead
        first = txn.current.history[0]
        txn.commit(txn.current.record, amend={0: HistoryEntry(at=first.at, user=first.user, kind="edit", version=1)})
    data = _python_and_store(ws, store_kind, by_store=True, by="owner")
    assert data["records"] == 2 and [m["id"] for m in data["misfits"]["entries"]] == ["2", "4"]

    def propose(at: str) -> HistoryEntry:
        return HistoryEntry(at=at, user="admin", kind="move", transition="Propose", from_state="Call",
                            to_state="Offer", version=1)

    with ws.store.transaction("3") as txn:  # Call on 05-11, then Offer, its time edited to a day before it
        txn.commit(txn.current.record.with_(state="Offer"), [propose("2026-05-12T10:00:00+00:00")])
        txn.commit(txn.current.record, amend={-1: propose("2026-05-10T10:00:00+00:00")})
    for options in ({}, {"by": "owner"}, {"since": "2026-05-05"}):
        data = _python_and_store(ws, store_kind, by_store=False, **options)
        assert data["records"] == 2 and [m["id"] for m in data["misfits"]["entries"]] == ["2", "4"], options
    # without the record dated backwards, the server's figures are used: the other two are misfits
    with ws.store.transaction("3") as txn:
        txn.commit(txn.current.record, amend={-1: propose("2026-05-12T10:00:00+00:00")})
    data = _python_and_store(ws, store_kind, by_store=True, by="owner")
    assert data["records"] == 2 and data["misfits"]["records"] == 2


def test_a_misfit_outside_the_selection_is_not_listed(tmp_path: Path, store_kind: str) -> None:
    """Two records with the same move their version does not have, one of them
    selected by `--where`: only that one is listed, on every store."""
    ws = sales(tmp_path, misfit=True)  # record 5 (alice) teleported from Lead to Offer
    with ws.store.transaction("4") as txn:  # record 4 (bob) the same way
        txn.commit(txn.current.record.with_(state="Offer", updated_at="2026-05-12T12:00:00+00:00"),
                   [HistoryEntry(at="2026-05-12T12:00:00+00:00", user="admin", kind="move", transition="Teleport",
                                 from_state="Lead", to_state="Offer", version=1)])
    assert [m["id"] for m in _python_and_store(ws, store_kind)["misfits"]["entries"]] == ["4", "5"]
    for where, listed in (("owner = bob", ["4"]), ("owner = alice", ["5"])):
        data = _python_and_store(ws, store_kind, where=where)
        assert [m["id"] for m in data["misfits"]["entries"]] == listed, where


def test_history_before_1970_is_left_to_the_report(tmp_path: Path, store_kind: str) -> None:
    """The server's working clock covers 1970 to 2100: a record created in 1969
    (and moved in 1970) is reported with the same figures, computed by the
    report itself."""
    ws = sales(tmp_path)
    old = changes.create(ws, "Leads", {"name": "Old", "region": "North"}, user="alice", owner="alice",
                         at=at("1969-12-31T10:00")).record.id
    result = changes.move(ws, old, "Qualify", Inputs(), user="admin", at=at("1970-01-02T11:00"))
    assert not result.refused, result.outcome
    states = by_state(_python_and_store(ws, store_kind, by_store=False))
    # Lead: 1969-12-31 (a Wednesday) 10:00-17:00 and 1970-01-01 09:00-17:00, 1970-01-02 09:00-11:00: 17 hours
    assert states["Lead"]["business_time_in_state"]["max_seconds"] == 17 * H
