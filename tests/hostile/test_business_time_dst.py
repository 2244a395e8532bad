"""Hostile input, round two (judgement call): business time across a
daylight-saving change. On a calendar open 24/7 in Europe/Berlin,
`2 business_hours` fired after one real hour in spring (and three in autumn):
Python subtracts two times of one zone by the wall clock. Decided: business
time counts real elapsed time while the calendar is open — the hour the
clocks skip is not worked, the hour they repeat is worked twice."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings, strategies as st

from blueprint_cli.language.calendar import WorkingCalendar, from_config
from blueprint_cli.language.durations import parse_duration

BERLIN = ZoneInfo("Europe/Berlin")
ALWAYS = from_config({"days": "mon-sun", "hours": "00:00-24:00", "time_zone": "Europe/Berlin"})
OFFICE = from_config({"days": "mon-sun", "hours": "09:00-17:00", "time_zone": "Europe/Berlin"})
UTC = timezone.utc
#: 2026: clocks go 02:00 → 03:00 on 29 March, 03:00 → 02:00 on 25 October (01:00 UTC both times)
SPRING = datetime(2026, 3, 29, 1, 0, tzinfo=UTC)
AUTUMN = datetime(2026, 10, 25, 1, 0, tzinfo=UTC)


@pytest.mark.parametrize("change", [SPRING, AUTUMN], ids=["spring", "autumn"])
@pytest.mark.parametrize("hours", [1, 2, 3, 5, 30])
def test_business_hours_on_a_24_7_calendar_are_real_hours(change: datetime, hours: int) -> None:
    start = (change - timedelta(minutes=30)).astimezone(BERLIN)
    due = ALWAYS.add(start, parse_duration(f"{hours} business_hours"))
    # (in UTC: Python subtracts two times of one zone by the wall clock)
    assert due.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=hours), (start, due)


@pytest.mark.parametrize("change, length", [(SPRING, 23), (AUTUMN, 25)], ids=["spring", "autumn"])
def test_the_day_of_the_change_has_its_real_length(change: datetime, length: int) -> None:
    day = change.astimezone(BERLIN).date()
    midnight = datetime(day.year, day.month, day.day, tzinfo=BERLIN)
    next_midnight = datetime.combine(day + timedelta(days=1), midnight.timetz())
    assert ALWAYS.working_time(midnight, next_midnight) == timedelta(hours=length)


def test_office_hours_stay_on_the_wall_clock_across_the_change() -> None:
    # Saturday 16:00 before the spring change + 2 business_hours: 1 h on Saturday, 1 h from 09:00 on Sunday
    saturday = datetime(2026, 3, 28, 16, 0, tzinfo=BERLIN)
    due = OFFICE.add(saturday, parse_duration("2 business_hours"))
    assert due == datetime(2026, 3, 29, 10, 0, tzinfo=BERLIN)
    assert due.utcoffset() == timedelta(hours=2)


def test_a_moment_given_with_an_offset_keeps_it() -> None:
    start = datetime(2026, 3, 29, 1, 30, tzinfo=timezone(timedelta(hours=1)))
    due = ALWAYS.add(start, parse_duration("2 business_hours"))
    assert due.utcoffset() == timedelta(hours=1) and due - start == timedelta(hours=2)


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=-48 * 60, max_value=48 * 60), st.integers(min_value=1, max_value=200),
       st.sampled_from([SPRING, AUTUMN]))
def test_adding_and_measuring_agree_across_the_changes(minutes: int, hours: int, change: datetime) -> None:
    for calendar in (ALWAYS, OFFICE):
        start = (change + timedelta(minutes=minutes)).astimezone(BERLIN)
        due = calendar.add(start, parse_duration(f"{hours} business_hours"))
        assert calendar.working_time(start, due) == timedelta(hours=hours), (calendar, start, due)
        if calendar is ALWAYS:
            assert due.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=hours)


def test_a_calendar_with_no_zone_counts_in_the_moments_offset() -> None:
    plain = WorkingCalendar()
    monday = datetime(2026, 3, 30, 16, 0, tzinfo=timezone(timedelta(hours=2)))
    assert plain.add(monday, parse_duration("2 business_hours")) == datetime(
        2026, 3, 31, 10, 0, tzinfo=timezone(timedelta(hours=2)))
