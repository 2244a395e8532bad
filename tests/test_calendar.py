"""Business time on the working calendar (blueprint_cli/language/calendar.py)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from blueprint_cli.workspace import changes
from blueprint_cli.workspace.publishing import publish
from blueprint_cli.language.calendar import DEFAULT, CalendarError, WorkingCalendar, from_config
from blueprint_cli.language.durations import parse_duration

CEST = timezone(timedelta(hours=2))


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


@pytest.mark.parametrize(("start", "duration", "expected"), [
    # 2026-05-04 is a Monday
    ("2026-05-04T10:00:00+02:00", "4 business_hours", "2026-05-04T14:00:00+02:00"),
    ("2026-05-04T15:00:00+02:00", "4 business_hours", "2026-05-05T11:00:00+02:00"),  # over the night
    ("2026-05-04T13:00:00+02:00", "4 business_hours", "2026-05-04T17:00:00+02:00"),  # ends at closing, stays there
    ("2026-05-04T07:00:00+02:00", "1 business_hours", "2026-05-04T10:00:00+02:00"),  # before opening
    ("2026-05-08T16:00:00+02:00", "2 business_hours", "2026-05-11T10:00:00+02:00"),  # Friday → Monday
    ("2026-05-09T12:00:00+02:00", "4 business_hours", "2026-05-11T13:00:00+02:00"),  # from a Saturday
    ("2026-05-04T16:00:00+02:00", "1 business_days", "2026-05-05T16:00:00+02:00"),
    ("2026-05-08T16:00:00+02:00", "1 business_days", "2026-05-11T16:00:00+02:00"),  # Friday → Monday
    ("2026-05-04T10:00:00+02:00", "5 business_days", "2026-05-11T10:00:00+02:00"),  # a working week
    ("2026-05-04T10:00:00+02:00", "0 business_days", "2026-05-04T10:00:00+02:00"),
    ("2026-05-04T10:00:00+02:00", "2d", "2026-05-06T10:00:00+02:00"),  # calendar time ignores the calendar
    ("2026-05-09T10:00:00+02:00", "P1DT2H", "2026-05-10T12:00:00+02:00"),
])
def test_default_calendar_mon_fri_nine_to_five(start: str, duration: str, expected: str) -> None:
    assert DEFAULT.add(at(start), parse_duration(duration)) == at(expected)


def test_holidays_lunch_breaks_and_weekend_work() -> None:
    cal = from_config({"days": "mon-sat", "hours": ["09:00-12:00", "13:00-17:00"], "holidays": ["2026-05-05"]})
    assert cal.day_length == timedelta(hours=7)
    # Monday 11:00 + 2h: one hour before lunch, one after
    assert cal.add(at("2026-05-04T11:00:00+02:00"), parse_duration("2 business_hours")) == at("2026-05-04T14:00:00+02:00")
    # Monday 16:00 + 2h: Tuesday is a holiday → Wednesday 10:00
    assert cal.add(at("2026-05-04T16:00:00+02:00"), parse_duration("2 business_hours")) == at("2026-05-06T10:00:00+02:00")
    # Saturday counts, Sunday not
    assert cal.add(at("2026-05-09T16:00:00+02:00"), parse_duration("2 business_hours")) == at("2026-05-11T10:00:00+02:00")


def test_time_zone_of_the_calendar_not_of_the_moment() -> None:
    cal = from_config({"time_zone": "America/New_York"})
    # 13:00 UTC on a Monday in May is 09:00 in New York: four hours later is 17:00 UTC
    start = datetime(2026, 5, 4, 13, 0, tzinfo=timezone.utc)
    end = cal.add(start, parse_duration("4 business_hours"))
    assert end == datetime(2026, 5, 4, 17, 0, tzinfo=timezone.utc) and end.tzinfo is timezone.utc
    # 22:00 UTC is 18:00 in New York: after hours, so counting starts the next morning
    assert cal.add(datetime(2026, 5, 4, 22, 0, tzinfo=timezone.utc), parse_duration("1 business_hours")) == \
        datetime(2026, 5, 5, 14, 0, tzinfo=timezone.utc)


def test_daylight_saving_change_is_wall_clock_time() -> None:
    cal = WorkingCalendar(zone=ZoneInfo("Europe/Berlin"))
    # Friday 2026-03-27 16:00 CET + 2 business hours → Monday 10:00, which is CEST (+02:00) by then
    end = cal.add(datetime(2026, 3, 27, 16, 0, tzinfo=ZoneInfo("Europe/Berlin")), parse_duration("2 business_hours"))
    assert end.isoformat() == "2026-03-30T10:00:00+02:00"


@given(st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31)),
       st.integers(0, 200), st.sampled_from(["09:00-17:00", "08:30-12:00,13:00-18:15", "00:00-24:00"]))
@settings(max_examples=300, deadline=None)
def test_working_time_between_start_and_the_result_is_what_was_added(start: datetime, minutes: int,
                                                                     hours: str) -> None:
    cal = from_config({"hours": hours.split(","), "holidays": ["2026-12-25"]})
    moment = start.replace(tzinfo=CEST)
    work = timedelta(minutes=minutes * 7)
    end = cal.add_working(moment, work)
    assert end >= moment
    assert cal.working_time(moment, end) == work
    # and a little more work never ends earlier
    assert cal.add_working(moment, work + timedelta(minutes=1)) > end


def test_a_business_duration_of_decades_ends_where_the_working_days_say() -> None:
    # the language takes business durations up to 100 years; the walk is bounded by
    # days *without* working time, not by a total that a long SLA would exceed
    cal = WorkingCalendar()  # Monday to Friday, 09:00-17:00
    start = datetime(2026, 12, 7, 9, 0, tzinfo=timezone.utc)  # a Monday
    end = cal.add(start, parse_duration("26000 business_days"))  # 5,200 weeks of five days
    assert cal.add(start, parse_duration("5 business_days")) == datetime(2026, 12, 11, 17, 0, tzinfo=timezone.utc)
    friday = date(2026, 12, 11) + timedelta(weeks=5199)
    assert end == datetime.combine(friday, time(17, 0), tzinfo=timezone.utc) and end.weekday() == 4


def _walked(cal: WorkingCalendar, start: datetime, end: datetime) -> timedelta:
    """Working time by walking every day (what `working_time` did before it
    counted the days between as whole ones)."""
    total = timedelta()
    day = start.date()
    while day <= end.date():
        total += cal._within(day, start, end, start.tzinfo)
        day += timedelta(days=1)
    return total


@given(st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31)),
       st.integers(0, 60 * 24 * 90), st.sampled_from(["09:00-17:00", "08:30-12:00,13:00-18:15", "00:00-24:00"]),
       st.sampled_from([["mon", "tue", "wed", "thu", "fri"], ["sun", "wed"]]))
@settings(max_examples=300, deadline=None)
def test_working_time_counts_whole_days_as_walking_them_does(start: datetime, minutes: int, hours: str,
                                                             days: list[str]) -> None:
    cal = from_config({"hours": hours.split(","), "days": days, "holidays": ["2026-12-25", "2026-01-01"]})
    a = start.replace(tzinfo=CEST)
    b = a + timedelta(minutes=minutes)
    assert cal.working_time(a, b) == _walked(cal, a, b)


#: moments around the changes of offset of 2026: Europe (29 March, 25 October),
#: the US (8 March, 1 November), Lord Howe Island (half an hour: 5 April, 4 October)
_CHANGES = [datetime(2026, m, d, h, tzinfo=timezone.utc) for m, d, h in
            [(3, 29, 1), (10, 25, 1), (3, 8, 7), (11, 1, 6), (4, 4, 15), (10, 3, 15), (7, 1, 0)]]


@given(st.sampled_from(["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "America/St_Johns",
                        "Asia/Kathmandu", None]),
       st.sampled_from([["09:00-17:00"], ["08:30-12:00", "13:00-18:15"], ["00:00-24:00"], ["01:30-03:30"],
                        ["02:15-02:45", "23:59-24:00"]]),
       st.sampled_from(["mon-fri", "mon-sun", "sun,wed"]),
       st.lists(st.tuples(st.sampled_from(["on", "near", "anew"]), st.sampled_from(_CHANGES),
                          st.integers(-60 * 24 * 3, 60 * 24 * 3), st.sampled_from([0, 1, 59 * 60_000_000]),
                          st.one_of(st.integers(-60, 60 * 30), st.integers(0, 60 * 24 * 400)),
                          st.sampled_from([timezone.utc, CEST, timezone(timedelta(hours=-4)), None])),
                min_size=1, max_size=12))
@settings(max_examples=300, deadline=None)
def test_working_time_across_changes_of_offset_is_as_defined(
        zone: str | None, hours: list[str], days: str,
        stays: list[tuple[str, datetime, int, int, int, timezone | None]]) -> None:
    """On the calendar's zone (or, with none, on the zone of each start):
    stays one after another, as a report measures them (each from where the one
    before ended, from near there, or from anywhere), short and long."""
    cal = from_config({"hours": hours, "days": days, "holidays": ["2026-03-30", "2026-10-26", "2026-11-02"],
                       **({"time_zone": zone} if zone else {})})
    end: datetime | None = None
    for how, base, minutes, micro, length, written in stays:
        if how == "on" and end is not None:
            start = end
        elif how == "near" and end is not None:
            start = end + timedelta(microseconds=micro)
        else:
            start = base + timedelta(minutes=minutes)
        start = start.astimezone(written or ZoneInfo("America/New_York"))
        end = (start + timedelta(minutes=length)).astimezone(timezone.utc)
        assert cal.working_time(start, end) == working_time_as_defined(cal, start, end), (start, end)


def working_time_as_defined(cal: WorkingCalendar, start: datetime, end: datetime) -> timedelta:
    """Working time by its definition, as `working_time` computed it before it
    measured moments as integers (and kept no clock between calls): in real
    elapsed time, opening hours on the wall clock of the calendar's zone (else
    `start`'s); a stay shorter than 20 days whose ends have one offset is the
    difference of the working clock at its ends, any other is walked day by day."""
    zone = cal.zone or start.tzinfo
    assert zone is not None
    a, b = start.astimezone(timezone.utc), end.astimezone(timezone.utc)
    if b <= a:
        return timedelta()
    local_a, local_b = a.astimezone(zone), b.astimezone(zone)
    if b - a < timedelta(days=20) and local_a.utcoffset() == local_b.utcoffset():
        return timedelta(microseconds=_clock_as_defined(cal, local_b) - _clock_as_defined(cal, local_a))
    return cal._walk(a, b, zone)


def _clock_as_defined(cal: WorkingCalendar, local: datetime) -> int:
    """Working microseconds from the calendar's first Monday up to the wall-clock time `local`."""
    shape = cal._shape()
    total, working = cal._day_clock(local.toordinal(), shape)
    if working:
        now_us = ((local.hour * 60 + local.minute) * 60 + local.second) * 1_000_000 + local.microsecond
        for opens, closes in shape.hours_us:
            if now_us > opens:
                total += min(now_us, closes) - opens
    return total


@pytest.mark.parametrize(("data", "message"), [
    ({"days": ["mon", "funday"]}, "'funday' is not a day"),
    ({"days": []}, "at least one working day"),
    ({"hours": "9-5"}, "is not a range like"),
    ({"hours": "17:00-09:00"}, "ends before it starts"),
    ({"hours": ["09:00-13:00", "12:00-17:00"]}, "overlaps"),
    ({"time_zone": "Mars/Olympus"}, "is not a time zone"),
    ({"holidays": ["christmas"]}, "holiday 'christmas' is not a date"),
    ({"weekend": ["sat"]}, "unknown setting 'weekend'"),
    ("Mon-Fri", "must be a mapping"),
])
def test_bad_settings_say_which_and_why(data: object, message: str) -> None:
    with pytest.raises(CalendarError) as err:
        from_config(data, "config.yaml")
    assert message in str(err.value) and str(err.value).startswith("config.yaml: ")


def test_defaults_and_description() -> None:
    assert from_config(None) is DEFAULT
    cal = from_config({"days": ["Monday", "wed"], "hours": "10:00-14:30", "time_zone": "UTC",
                       "holidays": [date(2026, 1, 1)]})
    assert cal.days == frozenset({0, 2}) and cal.hours == ((time(10), time(14, 30)),)
    assert cal.describe() == "mon, wed 10:00-14:30 (UTC, 1 holidays)"


# ----- one arithmetic: the engine, scenarios and workspaces agree ---------------------------------

SATURDAY_NOON = "2026-05-09T12:00:00+02:00"
MONDAY_ONE_PM = "2026-05-11T13:00:00+02:00"


def test_the_engine_without_a_calendar_counts_on_the_default_one() -> None:
    """Saturday 12:00 + 4 business_hours is Monday 13:00 wherever it is added
    (the engine once had its own '8 hours a day' sum, giving Saturday 16:00)."""
    from blueprint_cli.engine import add_duration

    four = parse_duration("4 business_hours")
    assert add_duration(at(SATURDAY_NOON), four) == at(MONDAY_ONE_PM)
    assert add_duration(at(SATURDAY_NOON), four, DEFAULT) == at(MONDAY_ONE_PM)


TASK_BLUEPRINT = """\
blueprint: chase
module: Leads
field: stage
states:
  - name: New
  - name: Done
    final: true
transitions:
  - name: Chase
    from: New
    to: Done
    then:
      - task: {subject: Call back, due: 4 business_hours, owner: record_owner}
"""


def test_a_task_due_in_business_hours_is_due_at_the_same_time_in_a_scenario_and_a_workspace(tmp_path: Path) -> None:
    from workspace_helpers import cli

    (tmp_path / "chase.yaml").write_text(TASK_BLUEPRINT, encoding="utf-8")
    (tmp_path / "chase.scenarios.yaml").write_text(f"""\
now: {SATURDAY_NOON}
scenarios:
  - name: Chased on a Saturday
    record: {{owner: ann}}
    steps:
      - as: ann
        move: Chase
        expect: {{tasks: [{{subject: Call back, due: "{MONDAY_ONE_PM[:16]}"}}]}}
""", encoding="utf-8")
    tested = cli("test", str(tmp_path / "chase.scenarios.yaml"), cwd=tmp_path)
    assert tested.code == 0, tested.out + tested.err

    from blueprint_cli import workspace
    from blueprint_cli.engine import Inputs

    ws = workspace.init(tmp_path, sample=False).workspace
    publish(ws, tmp_path / "chase.yaml", user="admin", at=at(SATURDAY_NOON))
    record = changes.create(ws, "Leads", {}, user="alice", at=at(SATURDAY_NOON)).record
    moved = changes.move(ws, record.id, "Chase", Inputs(), user="alice", at=at(SATURDAY_NOON))
    assert [t.due for t in moved.record.tasks] == [MONDAY_ONE_PM]


def test_without_a_time_zone_database_the_message_says_so(tmp_path: Path) -> None:
    """No tz database (no /usr/share/zoneinfo, no tzdata package): the name the user
    wrote is right, and the message must not tell them to write that very name."""
    import sys
    import zoneinfo

    from workspace_helpers import cli

    assert cli("init", str(tmp_path)).code == 0
    with (tmp_path / ".blueprint" / "config.yaml").open("a", encoding="utf-8") as config:
        config.write("calendar: {time_zone: Europe/Berlin}\n")
    # the package and every part of it an earlier lookup imported
    saved = {name: module for name, module in sys.modules.items() if name.split(".")[0] == "tzdata"}
    hidden = {*saved, "tzdata"}
    sys.modules.update(dict.fromkeys(hidden))
    zoneinfo.reset_tzpath([])
    zoneinfo.ZoneInfo.clear_cache()
    try:
        result = cli("tick", cwd=tmp_path)
    finally:
        for name in hidden:
            del sys.modules[name]
        sys.modules.update(saved)
        zoneinfo.reset_tzpath()
        zoneinfo.ZoneInfo.clear_cache()
    assert result.code == 2
    assert "time zone 'Europe/Berlin' cannot be looked up: this system has no time zone database" in result.err
    assert "tzdata" in result.err
    assert "is not a time zone" not in result.err


def test_a_misspelt_time_zone_gets_an_example_other_than_itself(tmp_path: Path) -> None:
    from workspace_helpers import cli

    assert cli("init", str(tmp_path)).code == 0
    with (tmp_path / ".blueprint" / "config.yaml").open("a", encoding="utf-8") as config:
        config.write("calendar: {time_zone: Europe/Berln}\n")
    result = cli("tick", cwd=tmp_path)
    assert result.code == 2
    assert "'Europe/Berln' is not a time zone; write an IANA name like Europe/Berlin or UTC" in result.err
