"""Durations as the language writes them: `30m`, `4h`, `2d`, `1w`, compounds
of these from the largest unit down (`19h59m`, `1d12h`, `1w 2d`), `P2DT4H`,
`2 business_days`, `4 business_hours`.

Calendar durations are a `timedelta`; business durations keep their unit,
because their length depends on the working calendar. Each is shown in one
form whichever way it was written (`str`): the short units, in the parts the
writer chose (`P2W` is shown `2w`, `PT19H59M` `19h59m`, `30min` `30m`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from datetime import timedelta

# ASCII digits and spaces only, as the schema's pattern (`\d` and `\s` mean
# different things to Python, JavaScript and Rust: `\d` matches `٣` in some)
_SP = r"[\t-\r ]"
# each part consumes the spaces after it, so the pattern is linear (no two
# runs of spaces can share a gap); the lookahead asks for at least one part
_COMPOUND = re.compile(rf"{_SP}*(?=[0-9])(?:([0-9]+){_SP}*w{_SP}*)?(?:([0-9]+){_SP}*d{_SP}*)?"
                       rf"(?:([0-9]+){_SP}*h{_SP}*)?(?:([0-9]+){_SP}*(?:min|m){_SP}*)?")
_BUSINESS = re.compile(rf"{_SP}*([0-9]+){_SP}+(business_days|business_hours){_SP}*")
_ISO = re.compile(
    rf"{_SP}*P(?=[0-9T])(?:([0-9]+)W)?(?:([0-9]+)D)?(?:T(?=[0-9])(?:([0-9]+)H)?(?:([0-9]+)M)?(?:([0-9]+)S)?)?{_SP}*"
)
_UNIT = {"m": 60, "min": 60, "h": 3600, "d": 86400, "w": 604800}
#: The short units, largest first, as a compound duration writes them.
_PARTS = ("w", "d", "h", "m")

EXAMPLES = "30m, 4h, 2d, 1w, 1d12h, 2 business_days, 4 business_hours or ISO 8601 like P2DT4H"

#: The longest duration the language takes: 100 years (as days, or as business
#: days of a five-day week, or their hours). Longer is refused where it is read,
#: so that adding one to any time a record may hold stays a time Python can hold.
MAX_DAYS = 36525
MAX_BUSINESS = {"business_days": 26100, "business_hours": 26100 * 24}
TOO_LONG = "longer than 100 years"


class DurationError(ValueError):
    pass


@dataclass(frozen=True)
class Duration:
    """A written duration (`3d`, `P2DT4H`, `2 business_days`): the text, and how long it is."""

    text: str
    #: calendar length; None for business durations
    delta: timedelta | None
    #: for business durations: the count and unit
    business_amount: int = 0
    business_unit: str | None = None
    #: the one form it is shown in (see the module docstring)
    shown: str = ""

    @property
    def is_business(self) -> bool:
        return self.business_unit is not None

    @property
    def is_zero(self) -> bool:
        return self.delta == timedelta(0) if self.delta is not None else self.business_amount == 0

    def __str__(self) -> str:
        return self.shown or self.text.strip()


def parse_duration(text: str) -> Duration:
    if not isinstance(text, str):
        raise DurationError(f"a duration must be text like {EXAMPLES}, not {text!r}")
    # a blueprint writes the same few durations again and again (`1d`, `3d`, `1w`),
    # in every file of a run: each is read once (a Duration cannot change)
    return _parse(text) if type(text) is str else _parse.__wrapped__(text)


@lru_cache(maxsize=1024)
def _parse(text: str) -> Duration:
    if m := _COMPOUND.fullmatch(text):
        return _calendar(text, m.groups())
    if m := _BUSINESS.fullmatch(text):
        amount = _int(m[1])
        if amount > MAX_BUSINESS[m[2]]:
            raise DurationError(f"{text!r} is {TOO_LONG} ({MAX_BUSINESS[m[2]]} {m[2]} at most)")
        return Duration(text, None, amount, m[2], shown=f"{amount} {m[2]}")
    if m := _ISO.fullmatch(text):
        *parts, seconds = m.groups()
        if seconds and _int(seconds):
            # seconds have no short unit: shown as written
            w, d, h, mi, s = (_int(g) if g else 0 for g in m.groups())
            return Duration(text, _bounded(text, (((w * 7 + d) * 24 + h) * 60 + mi) * 60 + s), shown=text.strip())
        return _calendar(text, tuple(parts))
    raise DurationError(f"{text!r} is not a duration; write {EXAMPLES}")


def _calendar(text: str, groups: tuple[str | None, ...]) -> Duration:
    """A calendar duration from its weeks, days, hours and minutes as written (any may be absent)."""
    counts = [_int(g) if g else 0 for g in groups]
    seconds = sum(n * _UNIT[unit] for n, unit in zip(counts, _PARTS))
    written = [(n, unit) for n, unit, g in zip(counts, _PARTS, groups) if g is not None]
    shown = "".join(f"{n}{unit}" for n, unit in written if n) or "".join(f"0{unit}" for _, unit in written[:1]) or "0m"
    return Duration(text, _bounded(text, seconds), shown=shown)


def parse_relative(text: str) -> timedelta | None:
    """`+2d` / `-3h` as used by `set` actions for date fields; None if not one."""
    m = re.fullmatch(rf"{_SP}*([+-]){_SP}*([0-9]+){_SP}*(m|min|h|d|w){_SP}*", text)
    if not m:
        return None
    delta = _bounded(text, _int(m[2]) * _UNIT[m[3]])
    return delta if m[1] == "+" else -delta


def _int(digits: str) -> int:
    """A count as written; past 15 digits it is too long whatever the unit (and
    int() of more than 4,300 digits is refused by Python itself)."""
    return int(digits) if len(digits) <= 15 else 10**15


def _bounded(text: str, seconds: int) -> timedelta:
    """`seconds` as a timedelta, refused when longer than MAX_DAYS (before
    timedelta itself overflows on e.g. `99999999999d`)."""
    if seconds > MAX_DAYS * 86400:
        raise DurationError(f"{text!r} is {TOO_LONG} ({MAX_DAYS} days at most)")
    return timedelta(seconds=seconds)
