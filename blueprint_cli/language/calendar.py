"""Business time: the workspace's working calendar and arithmetic on it.

`2 business_days` and `4 business_hours` count only working time:
the working days of the week (default Monday to Friday), the working hours of
each (default 09:00–17:00), minus holidays, in the calendar's time zone. A
business day is as long as one working day's hours, so `1 business_days` from
Monday 16:00 is Tuesday 16:00, and from Friday 16:00 it is Monday 16:00. Time
counted from outside working hours starts at the next opening: `4
business_hours` from Saturday noon is Monday 13:00. A deadline that ends
exactly at closing time stays there (17:00), it does not jump to the next morning.
Opening hours are read on the wall clock of the calendar's zone; the time
counted while open is real elapsed time, so across a daylight-saving change
`2 business_hours` on a 24/7 calendar is two real hours.

Calendar durations (`30m`, `2d`, `P1W`) are plain elapsed time.

Configured in `.blueprint/config.yaml`::

    calendar:
      days: [mon, tue, wed, thu, fri]      # or "mon-fri"
      hours: "09:00-17:00"                 # or a list: ["09:00-12:30", "13:30-17:00"]
      time_zone: Europe/Berlin             # IANA name; default: the offset of each time given
      holidays: [2026-12-25, 2026-12-26]
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from typing import Any, Protocol

from blueprint_cli.language.durations import Duration
from blueprint_cli.language.times import (
    DAY_US, EPOCH_ORDINAL, HOUR_US, ONE_US, Offsets, epoch_us, from_epoch_us, wall_us,
)
from blueprint_cli.shown import brief

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_RANGE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
#: Never search further than this for working time (a calendar whose holidays
#: cover every working day for years is a mistake, not a reason to loop).
_MAX_DAYS = 366 * 20


class CalendarError(ValueError):
    """A calendar setting that cannot be used; says which and why. `path` is
    where in the settings (below `calendar`), when one setting is to blame."""

    def __init__(self, message: str, path: tuple[str | int, ...] = ()) -> None:
        super().__init__(message)
        self.path = path


class BusinessTime(Protocol):
    """What adds durations to moments: a `WorkingCalendar`, or a stand-in that
    reads the workspace's calendar only when a business duration needs it."""

    def add(self, moment: datetime, duration: Duration) -> datetime: ...


@dataclass(frozen=True)
class WorkingCalendar:
    #: working weekdays, 0 = Monday
    days: frozenset[int] = frozenset(range(5))
    #: working hours of a working day, as (start, end) pairs in order
    hours: tuple[tuple[time, time], ...] = ((time(9), time(17)),)
    #: None: the offset of the moment given (no daylight-saving rules)
    zone: tzinfo | None = None
    holidays: frozenset[date] = field(default_factory=frozenset)

    @property
    def day_length(self) -> timedelta:
        """How long one working day is (the length of a business day)."""
        return sum((_span(a, b) for a, b in self.hours), timedelta())

    def is_working_day(self, day: date) -> bool:
        return day.weekday() in self.days and day not in self.holidays

    def add(self, moment: datetime, duration: Duration) -> datetime:
        """`moment` plus a duration: elapsed time for calendar durations, working
        time for business ones. The result keeps `moment`'s offset."""
        if duration.delta is not None:
            return moment + duration.delta
        amount = duration.business_amount
        work = self.day_length * amount if duration.business_unit == "business_days" else timedelta(hours=amount)
        return self.add_working(moment, work)

    def _open(self, day: date, start: time, end: time, zone: tzinfo) -> tuple[datetime, datetime]:
        """When one range of working hours opens and closes on `day`, in UTC. In
        UTC, because Python subtracts and compares two times of one zone by the
        clock on the wall: across a daylight-saving change, 00:00-24:00 would
        be 24 hours on a day that has 23 or 25. A time the clocks skip (02:30
        when they go from 02:00 to 03:00) is read with the offset before the
        change; a time they repeat, as its first occurrence."""
        opens = datetime.combine(day, start, tzinfo=zone)
        closes = datetime.combine(day if end != time(0) else day + timedelta(days=1), end, tzinfo=zone)
        return opens.astimezone(timezone.utc), closes.astimezone(timezone.utc)

    def add_working(self, moment: datetime, work: timedelta) -> datetime:
        """The moment when `work` of working time has passed since `moment`:
        real elapsed time while open, so an hour the clocks skip is not worked."""
        if moment.tzinfo is None:
            raise ValueError("business time needs a moment with a time zone")
        zone = self.zone or moment.tzinfo
        now = moment.astimezone(timezone.utc)
        remaining = work
        day = moment.astimezone(zone).date()
        idle = 0  # days walked since the last working time (a long duration walks decades of them)
        while idle < _MAX_DAYS:
            idle += 1
            if self.is_working_day(day):
                for start, end in self.hours:
                    opens, closes = self._open(day, start, end, zone)
                    if closes <= now:
                        continue
                    begin = max(opens, now)
                    available = closes - begin
                    if remaining <= available:
                        return (begin + remaining).astimezone(moment.tzinfo)
                    remaining -= available
                    idle = 0
            day += timedelta(days=1)
        raise CalendarError("the working calendar has no working time in the next 20 years (check days and holidays)")

    def working_time(self, start: datetime, end: datetime) -> timedelta:
        """Working time between two moments (zero if `end` is not after `start`),
        in real elapsed time; opening hours on the wall clock of the calendar's
        zone (else `start`'s offset). `Meter.between` measures it."""
        zone = self.zone or start.tzinfo
        if zone is None:
            raise ValueError("business time needs a moment with a time zone")
        return timedelta(microseconds=self.meter(zone).between(epoch_us(start), epoch_us(end)))

    def meter(self, zone: tzinfo) -> Meter:
        """What measures working time on this calendar with opening hours on
        the wall clock of `zone` (the calendar's own, when it has one): one per
        zone, kept."""
        meters = self._shape().meters
        found = meters.get(zone)
        if found is None:
            found = meters[zone] = Meter(self, zone)
        return found

    def _walk(self, a: datetime, b: datetime, zone: tzinfo) -> timedelta:
        """Working time from `a` to `b` (UTC) day by day, in real elapsed time:
        right across a change of offset (a day of 23 or 25 hours)."""
        total = timedelta()
        day, last = a.astimezone(zone).date(), b.astimezone(zone).date()
        while day <= last:
            if self.is_working_day(day):
                for s, e in self.hours:
                    opens, closes = self._open(day, s, e, zone)
                    lo, hi = max(opens, a), min(closes, b)
                    if hi > lo:
                        total += hi - lo
            day += timedelta(days=1)
        return total

    def _clock(self, local: datetime) -> int:
        """Working microseconds from the start of `_EPOCH` up to the wall-clock
        time `local` (negative before it)."""
        return self.clock()(wall_us(local))

    def clock(self) -> Callable[[int], int]:
        """The working clock, as a function of a wall-clock time given as
        `times.wall_us` (microseconds from 1970-01-01 00:00 on the wall clock of
        the calendar's zone): the working microseconds from the start of
        `_EPOCH` up to it, negative before. Between two times with no change of
        offset between them, the working time is the difference of their
        clocks. One function per calendar, quick to call (a report reads it
        for every moment of every history); each day's start is worked out once."""
        shape = self._shape()
        if not shape.clock:
            shape.clock.append(self._make_clock(shape))
        return shape.clock[0]

    def _make_clock(self, shape: _Shape) -> Callable[[int], int]:
        days, hours, day_clock = shape.days, shape.hours_us, self._day_clock

        def clock(wall: int) -> int:
            day, now_us = divmod(wall, DAY_US)
            known = days.get(day)
            if known is None:
                known = days[day] = day_clock(day + EPOCH_ORDINAL, shape)
            total, working = known
            if working:
                for opens, closes in hours:
                    if now_us > opens:
                        total += (now_us if now_us < closes else closes) - opens
            return total
        return clock

    def __getstate__(self) -> dict[str, Any]:
        """What pickling keeps: the fields, not what is worked out from them (`_shape`)."""
        return {k: v for k, v in self.__dict__.items() if k != "_shape_cache"}

    def _day_clock(self, day: int, shape: _Shape) -> tuple[int, bool]:
        """Working microseconds from the start of `_EPOCH` to the start of the
        day `day` (an ordinal), and whether it is a working day."""
        weeks, rest = divmod(day - _EPOCH, 7)
        days = weeks * len(self.days) + shape.week_prefix[rest]
        if self.holidays:
            days -= bisect.bisect_left(shape.holidays, day) - shape.holidays_before_epoch
        return days * shape.day_us, rest in self.days and date.fromordinal(day) not in self.holidays

    def _shape(self) -> _Shape:
        shape: _Shape | None = self.__dict__.get("_shape_cache")
        if shape is None:
            hours = tuple((_us(a), _us(b) if b != time(0) else 86_400_000_000) for a, b in self.hours)
            holidays = sorted(h.toordinal() for h in self.holidays if h.weekday() in self.days)
            shape = _Shape(
                day_us=sum(b - a for a, b in hours), hours_us=hours,
                week_prefix=tuple(sum(1 for i in range(n) if i in self.days) for n in range(7)),
                holidays=holidays, holidays_before_epoch=bisect.bisect_left(holidays, _EPOCH))
            object.__setattr__(self, "_shape_cache", shape)  # derived from the fields, which never change
        return shape

    def _within(self, day: date, a: datetime, b: datetime, zone: tzinfo | None) -> timedelta:
        """Working time of `day` between `a` and `b` (both in `zone`), walking
        its hours (the tests check `working_time` against it)."""
        total = timedelta()
        if not self.is_working_day(day):
            return total
        for s, e in self.hours:
            opens = datetime.combine(day, s, tzinfo=zone)
            closes = datetime.combine(day, e, tzinfo=zone) if e != time(0) else \
                datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
            lo, hi = max(opens, a), min(closes, b)
            if hi > lo:
                total += hi - lo
        return total

    def describe(self) -> str:
        days = ", ".join(DAY_NAMES[d] for d in sorted(self.days))
        hours = ", ".join(f"{a:%H:%M}-{b:%H:%M}" for a, b in self.hours)
        zone = self._zone_name() or "the time's own offset"
        extra = f", {len(self.holidays)} holidays" if self.holidays else ""
        return f"{days} {hours} ({zone}{extra})"

    def as_data(self) -> list[Any]:
        """Every field as plain data (JSON), the same in every process (a set of
        dates is not): what a working time measured on this calendar depends on."""
        return [sorted(self.days), [[a.isoformat(), b.isoformat()] for a, b in self.hours], self._zone_name(),
                sorted(d.isoformat() for d in self.holidays)]

    def _zone_name(self) -> str | None:
        return getattr(self.zone, "key", None) or (str(self.zone) if self.zone else None)


#: A stay shorter than this whose ends have one offset has no change of offset in it
#: (changes are months apart), so its working time is read off the wall clock.
NO_CHANGE_WITHIN = timedelta(days=20)
_NO_CHANGE_US = NO_CHANGE_WITHIN // ONE_US
#: A Monday: `WorkingCalendar._clock` counts working time from it.
_EPOCH = date(2000, 1, 3).toordinal()


@dataclass(frozen=True)
class _Shape:
    """What is worked out once per calendar: what its clock needs, the clock
    (`WorkingCalendar.clock`) and its meters (`WorkingCalendar.meter`)."""

    day_us: int
    hours_us: tuple[tuple[int, int], ...]
    #: working weekdays among the first n days of a week that starts on Monday
    week_prefix: tuple[int, ...]
    #: holidays that fall on working weekdays, as ordinals, in order
    holidays: list[int]
    holidays_before_epoch: int
    #: `_day_clock` of each day met so far, by its number from 1970-01-01
    days: dict[int, tuple[int, bool]] = field(default_factory=dict, compare=False)
    #: the clock, once made (a list: the shape is frozen)
    clock: list[Callable[[int], int]] = field(default_factory=list, compare=False)
    #: a `Meter` per zone, once asked for
    meters: dict[tzinfo, Meter] = field(default_factory=dict, compare=False)


class Meter:
    """Working time on a calendar with opening hours on the wall clock of one
    zone, between moments given as `times.epoch_us` (integers, exact to the
    microsecond): what `WorkingCalendar.working_time` gives, quick enough for a
    report that measures a million stays. A stay shorter than
    `NO_CHANGE_WITHIN` whose ends have one offset (no change of offset between
    them) is the difference of the working clock (`WorkingCalendar.clock`) at
    its two ends — no day between them walked; the clock of the end of the last
    stay measured is kept, as the next stay usually starts there. Any other
    stay is walked day by day (`WorkingCalendar._walk`), except in a zone of
    one fixed offset, where the wall clock always runs as real time does."""

    __slots__ = ("calendar", "zone", "offsets", "_offset", "_clock", "_last")

    def __init__(self, calendar: WorkingCalendar, zone: tzinfo) -> None:
        self.calendar, self.zone = calendar, zone
        self.offsets = Offsets(zone)
        #: a zone of one fixed offset: that offset (µs)
        self._offset = self.offsets(0) if type(zone) is timezone else None
        self._clock = calendar.clock()
        #: the wall-clock time whose clock was read last, and that clock (replaced whole)
        self._last = (0, self._clock(0))

    def between(self, a: int, b: int) -> int:
        """Working microseconds from `a` to `b` (0 if `b` is not after `a`)."""
        if b <= a:
            return 0
        offset = self._offset
        if offset is None:
            hours = self.offsets.hours
            before = hours.get(a // HOUR_US)
            if before is None:
                before = self.offsets.ask(a)
            after = hours.get(b // HOUR_US)
            if after is None:
                after = self.offsets.ask(b)
            if b - a >= _NO_CHANGE_US or before != after:
                return self.calendar._walk(from_epoch_us(a), from_epoch_us(b), self.zone) // ONE_US
            wall, end_wall = a + before, b + after
        else:
            wall, end_wall = a + offset, b + offset
        last, clock = self._last, self._clock
        start = last[1] if wall == last[0] else clock(wall)
        end = clock(end_wall)
        self._last = (end_wall, end)
        return end - start


def _us(moment: time) -> int:
    return ((moment.hour * 60 + moment.minute) * 60 + moment.second) * 1_000_000 + moment.microsecond


#: The calendar when none is configured: Monday to Friday, 09:00-17:00, in the
#: offset of the moment given. Business time anywhere (workspace commands,
#: tick, scenarios) is this calendar's arithmetic, or a configured one's.
DEFAULT = WorkingCalendar()


def _span(start: time, end: time) -> timedelta:
    to = timedelta(hours=24) if end == time(0) else timedelta(hours=end.hour, minutes=end.minute)
    return to - timedelta(hours=start.hour, minutes=start.minute)


# ----- reading the settings ------------------------------------------------------------------

def from_config(data: Any, source: str = "config.yaml") -> WorkingCalendar:
    """The calendar from the `calendar:` mapping of the workspace config (None:
    the default). Raises `CalendarError` naming the setting that is wrong."""
    if data is None:
        return DEFAULT
    if not isinstance(data, Mapping):
        raise CalendarError(f"{_at(source)}`calendar` must be a mapping with days, hours, time_zone, holidays")
    unknown = set(data) - {"days", "hours", "time_zone", "holidays"}
    if unknown:
        first = sorted(map(str, unknown))[0]
        raise CalendarError(f"{_at(source)}calendar: unknown setting {first!r} "
                            "(known: days, hours, time_zone, holidays)", (first,))
    try:
        days = _days(data.get("days"), source) if data.get("days") is not None else DEFAULT.days
    except CalendarError as exc:
        raise CalendarError(str(exc), ("days",)) from None
    try:
        hours = _hours(data.get("hours"), source) if data.get("hours") is not None else DEFAULT.hours
    except CalendarError as exc:
        raise CalendarError(str(exc), ("hours",)) from None
    try:
        zone = _zone(data.get("time_zone"), source) if data.get("time_zone") is not None else None
    except CalendarError as exc:
        raise CalendarError(str(exc), ("time_zone",)) from None
    try:
        holidays = frozenset(_date(h, source) for h in _list(data.get("holidays"), "holidays", source))
    except CalendarError as exc:
        raise CalendarError(str(exc), ("holidays",)) from None
    return WorkingCalendar(days, hours, zone, holidays)


def _at(source: str) -> str:
    """What a message starts with: the settings file's name, when there is one."""
    return f"{source}: " if source else ""


def _list(value: Any, name: str, source: str) -> Sequence[Any]:
    if value is None:
        return ()
    if isinstance(value, (list, tuple)):
        return value
    if isinstance(value, str):
        return [v for v in re.split(r"[,\s]+", value) if v]
    raise CalendarError(f"{_at(source)}calendar: `{name}` must be a list")


def _days(value: Any, source: str) -> frozenset[int]:
    out: set[int] = set()
    for item in _list(value, "days", source):
        text = str(item).strip().lower()
        if "-" in text:
            lo, _, hi = text.partition("-")
            a, b = _day(lo, source), _day(hi, source)
            out.update(range(a, b + 1) if a <= b else [*range(a, 7), *range(0, b + 1)])
        else:
            out.add(_day(text, source))
    if not out:
        raise CalendarError(f"{_at(source)}calendar: `days` must name at least one working day")
    return frozenset(out)


def _day(text: str, source: str) -> int:
    key = text.strip().lower()[:3]
    if key not in DAY_NAMES or not text.strip().lower().startswith(key):
        raise CalendarError(f"{_at(source)}calendar: {text!r} is not a day; write mon, tue, wed, thu, fri, sat, sun")
    return DAY_NAMES.index(key)


def _hours(value: Any, source: str) -> tuple[tuple[time, time], ...]:
    ranges = [value] if isinstance(value, str) else _list(value, "hours", source)
    out: list[tuple[time, time]] = []
    for item in ranges:
        m = _RANGE.match(str(item))
        if not m:
            raise CalendarError(f"{_at(source)}calendar: hours {item!r} is not a range like \"09:00-17:00\"")
        h1, m1, h2, m2 = map(int, m.groups())
        if h1 > 23 or m1 > 59 or h2 > 24 or m2 > 59 or (h2 == 24 and m2):
            raise CalendarError(f"{_at(source)}calendar: hours {item!r} is not a time of day")
        start, end = time(h1, m1), time(0) if h2 == 24 else time(h2, m2)
        if end != time(0) and end <= start:
            raise CalendarError(f"{_at(source)}calendar: hours {item!r} ends before it starts")
        if out and (out[-1][1] == time(0) or start < out[-1][1]):
            raise CalendarError(f"{_at(source)}calendar: hours {item!r} overlaps or is before the range before it")
        out.append((start, end))
    if not out:
        raise CalendarError(f"{_at(source)}calendar: `hours` must give at least one range like \"09:00-17:00\"")
    return tuple(out)


def _zone(value: Any, source: str) -> tzinfo:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

    try:
        return ZoneInfo(str(value))
    except (ZoneInfoNotFoundError, ValueError, OSError):
        # OSError: a name too long for a file name, or one naming a folder of the database
        pass
    # no name at all can be looked up: the name is not what is wrong
    if not available_timezones():
        raise CalendarError(f"{_at(source)}calendar: time zone {value!r} cannot be looked up: this system has no "
                            "time zone database (install the tzdata package: pip install tzdata)")
    example = "America/New_York" if str(value) == "Europe/Berlin" else "Europe/Berlin"
    raise CalendarError(f"{_at(source)}calendar: {brief(repr(value))} is not a time zone; "
                        f"write an IANA name like {example} or UTC")


def _date(value: Any, source: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise CalendarError(f"{_at(source)}calendar: holiday {value!r} is not a date like 2026-12-25") from None
