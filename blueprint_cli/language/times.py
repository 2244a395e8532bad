"""Times as users write them: the one reader of an ISO 8601 date or time, and
what a time written without an offset means.

Every command reads times through `parse_time` (and `parse_date`,
`parse_moment` for where a bare date is a day): `--now` of `tick` and
`retry`, the values of `date` and `datetime` fields, the values criteria and
`--where` compare, and a scenario file's `now`. The years are bounded
(`MIN_YEAR`..`MAX_YEAR`), so any duration the language takes can be added to
a time and give a time.

**A time without an offset** (`2026-05-07T10:00`) is a wall-clock time in the
*zone in effect*: in a workspace, its working calendar's `time_zone` when
config.yaml sets one, else the machine's local time zone; in a scenario file,
its `calendar:`'s `time_zone`, else UTC (so a scenario runs the same on every
machine). Callers that know the zone pass it; code deep in the language (a
field value, a criterion's value) reads the zone in effect, which the
workspace and the scenario runner set (`reading_in`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, timedelta, timezone, tzinfo

#: The years a date or time may be in: any business date, and far enough from
#: year 1 and 9999 that an offset or a duration (at most 100 years) added to it
#: is still a time Python can hold.
MIN_YEAR, MAX_YEAR = 1000, 9000
#: What the messages show as an example of a time.
EXAMPLE = "2026-05-07T10:00:00+02:00"

#: Where the zone in effect comes from: None is the machine's local zone. A
#: source is asked only when a time without an offset is read, so a workspace
#: reads its settings only then.
ZoneSource = Callable[[], "tzinfo | None"]
_SOURCE: ContextVar[ZoneSource | None] = ContextVar("blueprint_time_zone", default=None)


class TimeError(ValueError):
    """Text that is not a time a record may hold; the message says why."""


class YearOutOfRange(TimeError):
    """A date or time before MIN_YEAR or after MAX_YEAR."""


def bounded_year(moment: date) -> None:
    """Refuse a date or time outside MIN_YEAR..MAX_YEAR."""
    if not MIN_YEAR <= moment.year <= MAX_YEAR:
        raise YearOutOfRange(f"the year must be between {MIN_YEAR} and {MAX_YEAR}")


def zone_in_effect() -> tzinfo | None:
    """The zone a time without an offset is in here (None: the machine's local zone)."""
    source = _SOURCE.get()
    return source() if source is not None else None


@contextmanager
def reading_in(zone: tzinfo | None | ZoneSource) -> Iterator[None]:
    """Within the block, a time without an offset is in `zone` (a zone, None for
    the machine's, or a function giving one when first needed)."""
    token = _SOURCE.set(zone if callable(zone) and not isinstance(zone, tzinfo) else (lambda: zone))
    try:
        yield
    finally:
        _SOURCE.reset(token)


def use_zone(source: ZoneSource) -> None:
    """From now on in this context, a time without an offset is in the zone
    `source` gives (a command opening its workspace)."""
    _SOURCE.set(source)


def parse_time(text: str, *, zone: tzinfo | None) -> datetime:
    """An ISO 8601 time (`2026-05-07T10:00:00+02:00`, `...Z`, `2026-05-07 10:00`,
    a date alone is its midnight), with its offset; one written without an offset
    is a wall-clock time in `zone` (None: the machine's local zone). Raises
    `TimeError`."""
    stripped = text.strip()
    try:
        moment = datetime.fromisoformat(stripped)
    except ValueError:
        raise TimeError(f"{_shown(text)} is not a date and time; write ISO 8601, like {EXAMPLE}") from None
    bounded_year(moment)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone) if zone is not None else moment.astimezone()
    return moment


def parse_date(text: str) -> date:
    """A day, `YYYY-MM-DD`. Raises `TimeError`."""
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise TimeError(f"{_shown(text)} is not a date; write YYYY-MM-DD, like 2026-12-01") from None
    bounded_year(day)
    return day


def parse_moment(text: str, *, zone: tzinfo | None) -> date | datetime:
    """A day (`2026-05-07`: compared by day) or a time (`parse_time`)."""
    return parse_date(text) if len(text.strip()) == 10 else parse_time(text, zone=zone)


def in_effect(text: str) -> datetime:
    """`parse_time` in the zone in effect."""
    stripped = text.strip()
    return parse_time(stripped, zone=zone_in_effect() if _naive(stripped) else None)


def instant(text: str) -> datetime:
    """`in_effect`, quicker for what blueprint writes itself (a history entry's
    `at`: ISO 8601 with an offset): a report reads millions of them."""
    return written(text) or in_effect(text)


def written(text: str) -> datetime | None:
    """The moment of `text` when it is written as blueprint writes a time (ISO
    8601 with an offset, a year in range); None for any other text (which
    `in_effect` reads, in the zone in effect, or refuses)."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None or not MIN_YEAR <= moment.year <= MAX_YEAR:
        return None
    return moment


def moment_in_effect(text: str) -> date | datetime:
    """`parse_moment` in the zone in effect."""
    stripped = text.strip()
    return parse_moment(stripped, zone=zone_in_effect() if _naive(stripped) else None)


def day_in_effect(moment: datetime) -> date:
    """The day a time falls on in the zone in effect (the machine's when none
    is set): how a time compares with a day (`created_at < today`)."""
    zone = zone_in_effect()
    return moment.astimezone(zone).date()  # (None: the machine's local zone)


#: Microseconds in an hour and in a day; moments as integers (`epoch_us`) count them.
HOUR_US, DAY_US = 3_600_000_000, 86_400_000_000
#: 1970-01-01 as a `date.toordinal`: day `d` of `epoch_us // DAY_US` is ordinal `d + EPOCH_ORDINAL`
EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
#: One microsecond: a timedelta // ONE_US is its length in microseconds
ONE_US = timedelta(microseconds=1)
#: 1970-01-01 00:00 UTC: `epoch_us` counts from it
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def wall_us(moment: datetime) -> int:
    """Microseconds from 1970-01-01 00:00 to `moment` read on its own wall
    clock (its offset ignored): integers, exact to the microsecond."""
    return ((((moment.toordinal() - EPOCH_ORDINAL) * 24 + moment.hour) * 60 + moment.minute) * 60
            + moment.second) * 1_000_000 + moment.microsecond


def epoch_us(moment: datetime) -> int:
    """Microseconds since 1970-01-01 00:00 UTC of a time with an offset: a
    moment as an integer (a report compares and subtracts millions of them)."""
    if moment.utcoffset() is None:
        raise ValueError("a moment needs a time zone")
    return (moment - EPOCH) // ONE_US  # aware times of different zones subtract as moments


def from_epoch_us(us: int) -> datetime:
    """`epoch_us`'s moment back, in UTC."""
    return EPOCH + timedelta(microseconds=us)


class Offsets:
    """A zone's offset (microseconds) at moments given as `epoch_us`: what
    `moment.astimezone(zone).utcoffset()` says (zone None: the machine's local
    zone), asked once per hour of moments. `hours` holds the answer for each
    hour whose first and last microsecond have the same offset (a zone changes
    its offset at most once an hour); other moments are asked each time
    (`ask`). Read `hours.get(us // HOUR_US)` first where every call counts."""

    def __init__(self, zone: tzinfo | None) -> None:
        self.zone = zone
        self.hours: dict[int, int] = {}

    def __call__(self, us: int) -> int:
        found = self.hours.get(us // HOUR_US)
        return found if found is not None else self.ask(us)

    def ask(self, us: int) -> int:
        hour = us // HOUR_US
        first = self._exact(hour * HOUR_US)
        if first == self._exact((hour + 1) * HOUR_US - 1):
            self.hours[hour] = first
            return first
        return self._exact(us)

    def _exact(self, us: int) -> int:
        offset = from_epoch_us(us).astimezone(self.zone).utcoffset()
        assert offset is not None  # astimezone gives a time with an offset
        return offset // ONE_US


def _naive(text: str) -> bool:
    """Whether a time has no offset (cheap: the zone is looked up only then)."""
    tail = text[10:]
    return not (tail.endswith(("Z", "z")) or "+" in tail or "-" in tail)


def _shown(text: str) -> str:
    return repr(text if len(text) <= 60 else text[:57] + "...")
