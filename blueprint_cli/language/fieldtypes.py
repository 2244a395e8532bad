"""Field types: parsing text into typed values and validating them.

Record values are kept JSON-friendly: numbers as int/float, `date` as
`YYYY-MM-DD`, `datetime` as ISO 8601 with offset, `multiselect` as a list of
strings. `parse` turns command-line text into such a value; `check` validates a
value against the field's options. Both raise `FieldValueError` with a reason a
user can act on.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from blueprint_cli.language import times
from blueprint_cli.language.model import FieldDef

NUMERIC = frozenset({"number", "integer", "currency", "percent"})
TEMPORAL = frozenset({"date", "datetime"})
TEXTUAL = frozenset({"text", "textarea", "email", "phone", "url", "user"})

_ORDER_OPS = {"gt", "gte", "lt", "lte", "between"}
_TEXT_OPS = {"contains", "not_contains", "starts_with", "ends_with", "matches"}
_COMMON = {"eq", "ne", "empty"}

#: Which criterion operators make sense for which field type (lint BP303).
OPERATORS_BY_TYPE: dict[str, frozenset[str]] = {
    **{t: frozenset(_COMMON | _ORDER_OPS | {"in", "not_in"}) for t in NUMERIC},
    **{t: frozenset(_COMMON | _ORDER_OPS) for t in TEMPORAL},
    **{t: frozenset(_COMMON | _TEXT_OPS | {"in", "not_in"}) for t in TEXTUAL},
    "picklist": frozenset(_COMMON | {"in", "not_in"}),
    "multiselect": frozenset({"contains", "not_contains", "empty", "eq", "ne"}),
    "boolean": frozenset(_COMMON),
}
#: Built-in record fields usable in criteria, typed like declared ones.
BUILTIN_TYPES = {"state": "picklist", "owner": "user", "tags": "multiselect"}

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[0-9 ()./-]{5,}$")
_URL = re.compile(r"^https?://[^\s/$.?#].[^\s]*$", re.I)
_TRUE = {"true", "yes", "y", "1", "on"}
_FALSE = {"false", "no", "n", "0", "off"}


class FieldValueError(ValueError):
    pass


#: Whole numbers fit a signed 64-bit integer (what PostgreSQL, SQLite and most
#: JSON readers hold exactly); a number typed as text is at most this long.
MAX_INT = 2**63 - 1
MAX_NUMBER_TEXT = 100


def bounded_number(value: int | float) -> int | float:
    """A number a field may hold: finite (no NaN or infinity), and a whole number
    within ±MAX_INT."""
    if isinstance(value, float) and not math.isfinite(value):
        raise FieldValueError("expected a finite number (not NaN or infinity)")
    if isinstance(value, int) and not -MAX_INT <= value <= MAX_INT:
        raise FieldValueError(f"must be between -{MAX_INT} and {MAX_INT}")
    return value


def yes_no(text: str) -> bool | None:
    """The yes/no a word means (`yes`, `y`, `true`, `no`, ... in any case), else None."""
    low = text.strip().lower()
    return True if low in _TRUE else False if low in _FALSE else None


def choice(values: Sequence[str], text: str) -> str | None:
    """The value `text` names: itself, or the one value equal to it ignoring case
    (None when none is, or when several are)."""
    text = text.strip()
    if text in values:
        return text
    folded = [v for v in values if v.casefold() == text.casefold()]
    return folded[0] if len(folded) == 1 else None


def parse(field: FieldDef, raw: Any) -> Any:
    """Parse a value (text from the command line, or YAML/JSON data) and check it."""
    value = _coerce(field, raw)
    check(field, value)
    return value


def _coerce(field: FieldDef, raw: Any) -> Any:
    t = field.type
    if raw is None or (isinstance(raw, str) and raw.strip() == "" and t != "multiselect"):
        return None
    if t in ("number", "currency", "percent"):
        if isinstance(raw, bool):
            raise FieldValueError("expected a number")
        if isinstance(raw, (int, float)):
            return bounded_number(raw)
        text = str(raw).strip().replace(",", "").rstrip("%").strip()
        if len(text) > MAX_NUMBER_TEXT:
            raise FieldValueError(f"expected a number, not {len(text)} characters")
        try:
            num = float(text)
        except ValueError:
            raise FieldValueError("expected a number, like 1500 or 12.5") from None
        bounded_number(num)
        if num.is_integer() and "." not in text and "e" not in text.lower():
            return bounded_number(int(text) if text.lstrip("+-").isdigit() else int(num))
        return num
    if t == "integer":
        if isinstance(raw, bool):
            raise FieldValueError("expected a whole number")
        if isinstance(raw, int):
            return bounded_number(raw)
        if isinstance(raw, float) and math.isfinite(raw) and raw.is_integer():
            return bounded_number(int(raw))
        text = str(raw).strip().replace(",", "")
        if len(text) > MAX_NUMBER_TEXT:
            raise FieldValueError(f"expected a whole number, not {len(text)} characters")
        try:
            return bounded_number(int(text))
        except ValueError:
            raise FieldValueError("expected a whole number, like 3") from None
    if t == "boolean":
        if isinstance(raw, bool):
            return raw
        answer = yes_no(str(raw))
        if answer is None:
            raise FieldValueError("expected true or false")
        return answer
    if t == "date":
        try:
            if isinstance(raw, date):
                day = raw.date() if isinstance(raw, datetime) else raw
                times.bounded_year(day)
            else:
                day = times.parse_date(str(raw))
        except times.TimeError as exc:
            raise FieldValueError(_time_reason(exc, "a date as YYYY-MM-DD, like 2026-12-01")) from None
        return day.isoformat()
    if t == "datetime":
        try:
            if isinstance(raw, datetime):
                times.bounded_year(raw)
                dt = raw if raw.tzinfo else times.in_effect(raw.isoformat())
            else:
                dt = times.in_effect(str(raw))  # without an offset: in the zone in effect
        except times.TimeError as exc:
            raise FieldValueError(_time_reason(exc, "a date and time in ISO 8601, like 2026-12-01T14:30:00+01:00")) \
                from None
        return dt.isoformat()
    if t == "multiselect":
        if isinstance(raw, (list, tuple)):
            items = [str(v).strip() for v in raw]
        else:
            items = [v.strip() for v in str(raw).split(",")]
        return [_named(field, v) for v in items if v]
    if isinstance(raw, (list, dict)):
        raise FieldValueError("expected a single value, not a list or mapping")
    if isinstance(raw, bool):
        raw = "true" if raw else "false"
    return _named(field, str(raw)) if t == "picklist" else str(raw)


def _time_reason(exc: times.TimeError, expected: str) -> str:
    """A field's reason: the year bound as it is, anything else as what is expected."""
    return str(exc) if isinstance(exc, times.YearOutOfRange) else f"expected {expected}"


def _matches(pattern: str, text: str) -> bool:
    from blueprint_cli.language.regex import search  # RE2, loaded only when a pattern is used

    return search(pattern, text)


def _named(field: FieldDef, text: str) -> str:
    """A picklist or multiselect value as declared, when typed in another case."""
    picked = choice(field.values, text) if field.values else None
    return picked if picked is not None else text


def check(field: FieldDef, value: Any) -> None:
    """Validate a typed value against the field's options (None is always valid)."""
    if value is None:
        return
    t = field.type
    if t in NUMERIC:
        if field.min is not None and value < field.min:
            raise FieldValueError(f"must be at least {_num(field.min)}")
        if field.max is not None and value > field.max:
            raise FieldValueError(f"must be at most {_num(field.max)}")
    if t in TEXTUAL or t == "picklist":
        text = str(value)
        if field.min_length is not None and len(text) < field.min_length:
            raise FieldValueError(f"must be at least {field.min_length} characters long")
        if field.max_length is not None and len(text) > field.max_length:
            raise FieldValueError(f"must be at most {field.max_length} characters long")
        if field.pattern is not None and not _matches(field.pattern, text):
            raise FieldValueError(f"must match the pattern {field.pattern}")
        if t == "email" and not _EMAIL.match(text):
            raise FieldValueError("expected an e-mail address, like ana@example.com")
        if t == "phone" and not _PHONE.match(text):
            raise FieldValueError("expected a phone number, like +44 20 7946 0958")
        if t == "url" and not _URL.match(text):
            raise FieldValueError("expected a web address starting with http:// or https://")
    if t == "picklist" and field.values is not None and value not in field.values:
        raise FieldValueError(f"must be one of: {', '.join(field.values)}{_suggest(value, field.values)}")
    if t == "multiselect" and field.values is not None:
        bad = [v for v in value if v not in field.values]
        if bad:
            raise FieldValueError(
                f"{bad[0]!r} is not one of: {', '.join(field.values)}{_suggest(bad[0], field.values)}"
            )


def _num(n: float) -> str:
    if isinstance(n, int):  # exactly as written: a bound of 400 digits is more than a float holds
        return str(n)
    return str(int(n)) if n.is_integer() else str(n)


def _suggest(value: Any, choices: tuple[str, ...]) -> str:
    from blueprint_cli.language.suggest import did_you_mean

    hint = did_you_mean(str(value), choices)
    return f" ({hint})" if hint else ""


def is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


