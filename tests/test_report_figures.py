"""The report's figures counted record by record (`figures.Tally.add`, which
reads each moment as an integer, offsets once an hour and the working clock
once a moment) against their definition: each record's `engine.stays`, each
stay's `WorkingCalendar.working_time`, each move's day by `astimezone` — on
random histories in zones with changes of offset, on calendars with holidays
and odd hours, with moments around midnight and around the changes."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from blueprint_cli.check import load_blueprint
from blueprint_cli.engine.records import Passage, Record
from blueprint_cli.engine.stays import stays
from blueprint_cli.language import times
from blueprint_cli.language.calendar import WorkingCalendar, from_config
from blueprint_cli.language.model import Blueprint
from blueprint_cli.engine import due
from blueprint_cli.report.figures import Counts, Misfit, Tally, Window, _StateTally, _stuck, _tally

from test_calendar import working_time_as_defined
from test_report import FLOW

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)
#: a Monday before the changes of offset of 2026 in Europe (29 March), the US
#: (8 March), Lord Howe Island (5 April, half an hour) and back in the autumn
BASES = [datetime(2026, 3, 6, 21, 0, tzinfo=timezone.utc), datetime(2026, 3, 27, 22, 30, tzinfo=timezone.utc),
         datetime(2026, 4, 4, 14, 0, tzinfo=timezone.utc), datetime(2026, 10, 23, 23, 0, tzinfo=timezone.utc),
         datetime(2026, 12, 24, 16, 0, tzinfo=timezone.utc)]
ZONES = ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu", "America/St_Johns", "UTC"]
#: the offsets entries are written in (a zone's: the time as it is there)
WRITTEN = [timezone.utc, timezone(timedelta(hours=2)), timezone(timedelta(hours=-4)),
           timezone(timedelta(hours=5, minutes=45)), ZoneInfo("Europe/Berlin"), ZoneInfo("America/New_York")]
HOURS = [["09:00-17:00"], ["08:30-12:00", "13:00-18:15"], ["00:00-24:00"], ["01:30-03:30"], ["22:00-24:00"],
         ["02:15-02:45", "23:59-24:00"]]
#: the moves of FLOW: (transition, from, to)
MOVES = [("Qualify", "Lead", "Call"), ("Propose", "Call", "Offer"), ("Back", "Offer", "Call"),
         ("Win", "Offer", "Won"), ("Lose", "Lead", "Lost"), ("Lose", "Call", "Lost"), ("Lose", "Offer", "Lost")]


@pytest.fixture(scope="module")
def sales(tmp_path_factory: pytest.TempPathFactory) -> Blueprint:
    path = tmp_path_factory.mktemp("figures") / "sales.yaml"
    path.write_text(FLOW, encoding="utf-8")
    return load_blueprint(path)


def reference(tally: Tally, records: Iterable[tuple[Record, Sequence[Passage]]]) -> Counts:
    """The counts as their definitions give them: `Tally.add` as it was before
    it read moments as integers (stays from `engine.stays`, each move's day
    from `astimezone`, business time from `working_time`'s definition), but for one thing:
    times are compared and subtracted as moments (Python compares two times of
    one zone by the wall clock, so two times written without an offset on a day
    the clocks change were an hour off)."""
    c = Counts(states={s: _StateTally() for s in tally.order})
    states, per_day, reached = c.states, c.per_day, c.reached
    since, until = tally.window.since, tally.window.until

    def inside(moment: datetime) -> bool:
        moment = moment.astimezone(timezone.utc)
        return (since is None or moment >= since) and (until is None or moment < until)
    for record, history in records:
        if tally.keep is not None and not tally.keep(record):
            continue
        problem = tally.digester._fit.misfit(record, history)
        if problem is not None:
            c.misfit_records += 1
            c.misfits.append(problem)
            continue
        try:
            moments = [times.instant(p.at) for p in history]
            record_stays = stays(history, moments)
        except times.TimeError as exc:
            c.misfit_records += 1
            c.misfits.append(Misfit(record.id, "", record.version, f"an entry's time: {exc}"))
            continue
        c.records += 1
        tables = [states]
        if tally.by is not None:
            group = tally.by(record)
            c.group_records[group] += 1
            tables.append(c.groups.setdefault(group, {}))
        if record.state is not None:
            for table in tables:
                _tally(table, record.state).now += 1
        for stay in record_stays:
            began = inside(stay.start)
            if stay.end is None or not inside(stay.end):
                if began:
                    for table in tables:
                        _tally(table, stay.state).entries += 1
                continue
            spent = (stay.end.astimezone(timezone.utc) - stay.start).total_seconds()
            worked = working_time_as_defined(tally.calendar, stay.start, stay.end).total_seconds()
            for table in tables:
                t = _tally(table, stay.state)
                t.entries += began
                t.calendar.append(spent)
                t.business.append(worked)
                t.left[(stay.left_by or "", stay.to or "")] += 1
        if record_stays and inside(record_stays[0].start):
            c.entered += 1
            for state in {s.state for s in record_stays if until is None or s.start.astimezone(timezone.utc) < until}:
                reached[state] += 1
        for p, at in zip(history, moments):
            if p.kind in ("move", "migrate") and p.to_state is not None and p.to_state != p.from_state \
                    and inside(at):
                counts = per_day.setdefault(at.astimezone(tally.zone).date(), [0, 0])
                counts[0] += 1
                counts[1] += p.to_state in tally.final
        if record.state is not None and record.state not in tally.final and record_stays:
            start = record_stays[-1].start
            found = _stuck(record, times.epoch_us(moments[-1]), times.epoch_us(start), start.isoformat(),
                           due.timed_state(tally.bp, record.state), tally.now, times.epoch_us(tally.now),
                           tally.calendar, tally.idle // times.ONE_US if tally.idle is not None else None)
            if found is not None:
                c.stuck.append(found)
    return c


def counted(c: Counts) -> dict[str, Any]:
    """Every count, each stay's durations in order of size (exactly: floats as
    `repr` writes them)."""
    def tables(table: dict[str, Any]) -> dict[str, Any]:
        return {s: {"now": t.now, "entries": t.entries, "calendar": [repr(x) for x in sorted(t.calendar)],
                    "business": [repr(x) for x in sorted(t.business)], "left": sorted(t.left.items())}
                for s, t in sorted(table.items()) if t.now or t.entries or len(t.calendar) or t.left}
    return {"records": c.records, "states": tables(c.states),
            "groups": {k: tables(v) for k, v in sorted(c.groups.items())}, "group_records": sorted(c.group_records.items()),
            "entered": c.entered, "reached": sorted((k, v) for k, v in c.reached.items() if v),
            "per_day": sorted((d.isoformat(), n) for d, n in c.per_day.items()),
            "stuck": [s.to_dict() for s in c.stuck], "misfits": [m.to_dict() for m in c.misfits],
            "misfit_records": c.misfit_records}


@st.composite
def histories(draw: st.DrawFn) -> list[tuple[Record, list[Passage]]]:
    """Records of FLOW with histories along its moves (and now and then an
    entry that does not move, a re-entry, a time out of order or not a time),
    their times around a change of offset, written in various offsets."""
    out = []
    for n in range(draw(st.integers(1, 6))):
        at = draw(st.sampled_from(BASES)) + timedelta(minutes=draw(st.integers(-3000, 3000)))
        state = "Lead"
        history = []

        def stamp(moment: datetime) -> str:
            written = moment.astimezone(draw(st.sampled_from(WRITTEN)))
            text = written.isoformat(timespec=draw(st.sampled_from(["seconds", "microseconds", "minutes"])))
            return text[:-6] if draw(st.integers(0, 15)) == 0 else text  # now and then without its offset
        history.append(Passage(stamp(at), "alice", "create", None, None, "Lead", 1))
        for _ in range(draw(st.integers(0, 7))):
            # minutes to weeks, now and then back in time, or over a year (across both changes)
            at += timedelta(minutes=draw(st.one_of(st.integers(0, 600), st.integers(-120, 0),
                                                   st.integers(0, 60 * 24 * 50), st.integers(0, 60 * 24 * 400))),
                            microseconds=draw(st.sampled_from([0, 0, 1, 999_999])))
            kind = draw(st.sampled_from(["move", "move", "move", "edit", "escalate", "migrate", "enter"]))
            if kind == "move":
                ways = [m for m in MOVES if m[1] == state]
                if not ways:
                    break
                transition, source, to = draw(st.sampled_from(ways))
                history.append(Passage(stamp(at), "bob", "move", transition, source, to, 1))
                state = to
            elif kind in ("migrate", "enter"):
                history.append(Passage(stamp(at), "admin", kind, None, state, state, 1))
            else:
                history.append(Passage(stamp(at), "bob", kind, None, None, None, 1))
        if draw(st.integers(0, 30)) == 0:
            i = draw(st.integers(0, len(history) - 1))
            history[i] = history[i]._replace(at=draw(st.sampled_from(["yesterday", "0999-01-01T00:00:00+00:00"])))
        record = Record(id=str(n + 1), module="Leads", blueprint="sales", version=1, state=state,
                        owner=draw(st.sampled_from(["alice", "bob"])), fields={"name": f"Lead {n}"},
                        created_at=history[0].at, updated_at=history[-1].at,
                        state_since=draw(st.sampled_from(["", history[-1].at])))
        out.append((record, history))
    return out


def windows() -> st.SearchStrategy[Window]:
    edge = st.one_of(st.none(), st.builds(lambda base, minutes: base + timedelta(minutes=minutes),
                                          st.sampled_from(BASES), st.integers(-3000, 60 * 24 * 30)))
    return st.builds(Window, edge, edge)


@given(records=histories(), window=windows(), zone=st.sampled_from([None, *ZONES]),
       local=st.sampled_from([None, *ZONES, "fixed"]), hours=st.sampled_from(HOURS),
       days=st.sampled_from([["mon-fri"], ["mon-sun"], ["sun", "wed"]]),
       holidays=st.sampled_from([[], ["2026-03-09", "2026-03-30", "2026-11-02"], ["2026-10-25", "2026-12-25"]]),
       by=st.booleans(), idle=st.sampled_from([None, timedelta(days=1)]),
       reading=st.sampled_from(["UTC", "Europe/Berlin", "America/New_York"]))
@settings(max_examples=400, deadline=None)
def test_every_count_is_what_its_definition_gives(sales: Blueprint, records: list[tuple[Record, list[Passage]]],
                                                  window: Window, zone: str | None, local: str | None,
                                                  hours: list[str], days: list[str], holidays: list[str], by: bool,
                                                  idle: timedelta | None, reading: str) -> None:
    calendar = from_config({"hours": hours, "days": days, "holidays": holidays,
                            **({"time_zone": zone} if zone else {})})
    report_zone: tzinfo | None = timezone(timedelta(hours=5, minutes=20)) if local == "fixed" else \
        ZoneInfo(local) if local else None
    tally = Tally(sales, now=NOW, calendar=calendar, versions=lambda v: sales if v == 1 else None, window=window,
                  by=(lambda r: r.owner) if by else None, idle=idle, zone=report_zone)
    with times.reading_in(ZoneInfo(reading)):  # a time written without an offset is read in this zone
        tally.add(records)
        assert counted(tally.counts) == counted(reference(tally, records))


def test_a_long_stay_in_a_zone_with_changes_is_walked_day_by_day(sales: Blueprint) -> None:
    """Five weeks in a state across the change to summer time, on a calendar
    open round the clock: the day clocks go forward has 23 working hours."""
    calendar = from_config({"time_zone": "Europe/Berlin", "days": "mon-sun", "hours": "00:00-24:00"})
    history = [Passage("2026-03-20T00:00:00+01:00", "alice", "create", None, None, "Lead", 1),
               Passage("2026-04-24T00:00:00+02:00", "bob", "move", "Qualify", "Lead", "Call", 1),
               Passage("2026-04-24T12:00:00+02:00", "bob", "move", "Lose", "Call", "Lost", 1)]
    record = Record(id="1", module="Leads", blueprint="sales", version=1, state="Lost", owner="alice")
    tally = Tally(sales, now=NOW, calendar=calendar, versions=lambda v: sales, zone=ZoneInfo("Europe/Berlin"))
    tally.add([(record, history)])
    lead = tally.counts.states["Lead"]
    assert list(lead.calendar) == [(35 * 24 - 1) * 3600.0] and list(lead.business) == [(35 * 24 - 1) * 3600.0]
    assert list(tally.counts.states["Call"].business) == [12 * 3600.0]
    assert json.dumps(tally.report().to_dict()["throughput"]["per_day"]) == json.dumps(
        [{"day": "2026-04-24", "moves": 2, "completions": 1}])


def test_moves_are_counted_on_their_day_in_the_reports_zone(sales: Blueprint) -> None:
    """Around midnight and across the change back to winter time in New York
    (01:00-02:00 twice on Sunday 2026-11-01)."""
    history = [Passage("2026-10-31T23:59:59.999999-04:00", "alice", "create", None, None, "Lead", 1),
               Passage("2026-11-01T04:00:00+00:00", "bob", "move", "Qualify", "Lead", "Call", 1),   # 00:00 EDT
               Passage("2026-11-01T05:30:00+00:00", "bob", "move", "Propose", "Call", "Offer", 1),  # 01:30 EDT
               Passage("2026-11-01T06:30:00+00:00", "bob", "move", "Back", "Offer", "Call", 1),     # 01:30 EST
               Passage("2026-11-02T04:59:59+00:00", "bob", "move", "Propose", "Call", "Offer", 1),  # 23:59:59 EST
               Passage("2026-11-02T05:00:00+00:00", "bob", "move", "Win", "Offer", "Won", 1)]       # Monday 00:00
    record = Record(id="1", module="Leads", blueprint="sales", version=1, state="Won", owner="alice")
    tally = Tally(sales, now=NOW, calendar=WorkingCalendar(), versions=lambda v: sales,
                  zone=ZoneInfo("America/New_York"))
    tally.add([(record, history)])
    assert sorted(tally.counts.per_day.items()) == [(date(2026, 11, 1), [4, 0]), (date(2026, 11, 2), [1, 1])]
    assert Counter(tally.counts.states["Call"].left) == Counter({("Propose", "Offer"): 2})


def test_without_a_zone_moves_are_counted_on_their_day_on_this_machine(
        sales: Blueprint, monkeypatch: pytest.MonkeyPatch) -> None:
    """The report's zone None is the machine's local time (here Berlin's, which
    goes to summer time at 01:00 UTC on Sunday 2026-03-29)."""
    import time

    history = [Passage("2026-03-28T22:59:59+00:00", "alice", "create", None, None, "Lead", 1),
               Passage("2026-03-28T23:00:00+00:00", "bob", "move", "Qualify", "Lead", "Call", 1),    # 00:00 CET
               Passage("2026-03-29T21:59:59+00:00", "bob", "move", "Propose", "Call", "Offer", 1),   # 23:59:59 CEST
               Passage("2026-03-29T22:00:00+00:00", "bob", "move", "Win", "Offer", "Won", 1)]        # Monday 00:00
    record = Record(id="1", module="Leads", blueprint="sales", version=1, state="Won", owner="alice")
    monkeypatch.setenv("TZ", "Europe/Berlin")
    time.tzset()
    try:
        tally = Tally(sales, now=NOW, calendar=WorkingCalendar(), versions=lambda v: sales)
        tally.add([(record, history)])
    finally:
        monkeypatch.undo()
        time.tzset()
    assert sorted(tally.counts.per_day.items()) == [(date(2026, 3, 29), [2, 0]), (date(2026, 3, 30), [1, 1])]


@pytest.mark.parametrize("later_first", [False, True])
def test_an_hour_across_midnight_in_the_reports_zone_counts_its_moves_on_both_days(
        sales: Blueprint, later_first: bool) -> None:
    """Kathmandu is 5:45 ahead: 18:00-19:00 UTC is 23:45-00:45 there."""
    def lead(rid: str, moves: list[str]) -> tuple[Record, list[Passage]]:
        history = [Passage("2026-05-04T12:00:00+00:00", "alice", "create", None, None, "Lead", 1)]
        history += [Passage(at, "bob", "move", "Qualify", "Lead", "Call", 1) for at in moves]
        return Record(id=rid, module="Leads", blueprint="sales", version=1, state="Call", owner="alice"), history
    before, after = "2026-05-04T18:10:00+00:00", "2026-05-04T18:20:00+00:00"  # 23:55 and 00:05 in Kathmandu
    records = [lead("1", [after]), lead("2", [before])] if later_first else [lead("1", [before]), lead("2", [after])]
    tally = Tally(sales, now=NOW, calendar=WorkingCalendar(), versions=lambda v: sales, zone=ZoneInfo("Asia/Kathmandu"))
    tally.add(records)
    assert sorted(tally.counts.per_day.items()) == [(date(2026, 5, 4), [1, 0]), (date(2026, 5, 5), [1, 0])]


def test_times_written_without_an_offset_are_measured_as_moments(sales: Blueprint) -> None:
    """Read in New York, where 02:00 becomes 03:00 on 2026-03-08: from 01:00 to
    04:00 on the wall clock is two hours (Python would subtract the wall clocks)."""
    history = [Passage("2026-03-08T01:00", "alice", "create", None, None, "Lead", 1),
               Passage("2026-03-08T04:00", "bob", "move", "Qualify", "Lead", "Call", 1)]
    record = Record(id="1", module="Leads", blueprint="sales", version=1, state="Call", owner="alice")
    tally = Tally(sales, now=NOW, calendar=from_config({"days": "mon-sun", "hours": "00:00-24:00"}),
                  versions=lambda v: sales)
    with times.reading_in(ZoneInfo("America/New_York")):
        tally.add([(record, history)])
    lead = tally.counts.states["Lead"]
    assert (list(lead.calendar), list(lead.business)) == ([2 * 3600.0], [2 * 3600.0])
    assert tally.counts.entered == 1 and tally.counts.reached == Counter({"Lead": 1, "Call": 1})
