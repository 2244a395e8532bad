"""A small interpreter for criteria trees. Criteria are data: no
code is ever evaluated.

`evaluate` answers yes/no; `explain` says which leaves failed and with what
actual value, so a refusal can tell the user exactly why.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Mapping

from blueprint_cli.language import times
from blueprint_cli.language.model import AllOf, AnyOf, Condition, Criterion, NotOf


@dataclass(frozen=True)
class Failure:
    """A condition that does not hold for a record, and why."""

    condition: Condition
    actual: Any
    negated: bool = False

    def describe(self) -> str:
        expect = describe_condition(self.condition)
        if self.negated:
            expect = f"not ({expect})"
        actual = "empty" if self.actual in (None, "", []) else show_value(self.actual)
        return f"{expect} — actual: {actual}"


_OP_TEXT = {
    "eq": "=", "ne": "≠", "gt": ">", "gte": "≥", "lt": "<", "lte": "≤", "in": "in",
    "not_in": "not in", "contains": "contains", "not_contains": "does not contain",
    "starts_with": "starts with", "ends_with": "ends with", "matches": "matches",
    "between": "between",
}


def show_value(value: Any) -> str:
    """A value as the user wrote it in YAML: `true`, `null`, `'Price'`, `[a, b]`."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, list):
        return "[" + ", ".join(show_value(v) for v in value) + "]"
    return repr(value)


def describe_condition(c: Condition) -> str:
    if c.op == "empty":
        return f"{c.field} is {'empty' if c.value else 'not empty'}"
    if c.op == "between" and isinstance(c.value, list) and len(c.value) == 2:
        return f"{c.field} between {show_value(c.value[0])} and {show_value(c.value[1])}"
    return f"{c.field} {_OP_TEXT.get(c.op, c.op)} {show_value(c.value)}"


def _comparable(a: Any, b: Any) -> tuple[Any, Any]:
    """Bring two values to one comparable type (numbers, dates, text)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return a, b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a, b
    if isinstance(a, (int, float)) and isinstance(b, str):
        try:
            return a, float(b)
        except ValueError:
            return str(a), b
    if isinstance(a, str) and isinstance(b, (int, float)):
        try:
            return float(a), b
        except ValueError:
            return a, str(b)
    if isinstance(a, str) and isinstance(b, str):
        da, db = _as_time(a), _as_time(b)
        if da is not None and db is not None:
            if type(da) is not type(db):  # compare a date with a time by day, in the zone in effect
                da = times.day_in_effect(da) if isinstance(da, datetime) else da
                db = times.day_in_effect(db) if isinstance(db, datetime) else db
            return da, db
    return a, b


def _as_time(text: str) -> date | datetime | None:
    """The day or time a text is (one without an offset in the zone in effect), else None."""
    if len(text) < 10 or not text[:4].isdigit():
        return None
    try:
        return times.moment_in_effect(text)
    except times.TimeError:
        return None


def _empty(v: Any) -> bool:
    return v is None or v == "" or v == [] or v == {}


def _eq(a: Any, b: Any) -> bool:
    if isinstance(a, list):
        return sorted(map(str, a)) == sorted(map(str, b if isinstance(b, list) else [b]))
    x, y = _comparable(a, b)
    if isinstance(x, str) and isinstance(y, str):
        return x.casefold() == y.casefold()
    return bool(x == y)


def _order(a: Any, b: Any, op: str) -> bool:
    if _empty(a):
        return False
    x, y = _comparable(a, b)
    try:
        if op == "gt":
            return bool(x > y)
        if op == "gte":
            return bool(x >= y)
        if op == "lt":
            return bool(x < y)
        return bool(x <= y)
    except TypeError:
        return False


def test_condition(c: Condition, values: Mapping[str, Any]) -> bool:
    actual = values.get(c.field)
    op, expected = c.op, c.value
    if op == "empty":
        return _empty(actual) == bool(expected)
    if op == "eq":
        return not _empty(actual) and _eq(actual, expected) if expected is not None else _empty(actual)
    if op == "ne":
        return not test_condition(Condition(c.field, "eq", expected), values)
    if op in ("gt", "gte", "lt", "lte"):
        return _order(actual, expected, op)
    if op == "between":
        lo, hi = expected
        return _order(actual, lo, "gte") and _order(actual, hi, "lte")
    if op in ("in", "not_in"):
        found = not _empty(actual) and any(_eq(actual, e) for e in expected)
        return found if op == "in" else not found
    if op in ("contains", "not_contains"):
        if isinstance(actual, list):
            found = any(_eq(item, expected) for item in actual)
        else:
            found = not _empty(actual) and str(expected).casefold() in str(actual).casefold()
        return found if op == "contains" else not found
    if op == "starts_with":
        return not _empty(actual) and str(actual).casefold().startswith(str(expected).casefold())
    if op == "ends_with":
        return not _empty(actual) and str(actual).casefold().endswith(str(expected).casefold())
    if op == "matches":
        from blueprint_cli.language.regex import search

        return not _empty(actual) and search(expected, str(actual))
    raise ValueError(f"unknown operator {op!r}")


def evaluate(criterion: Criterion | None, values: Mapping[str, Any]) -> bool:
    """Does the record (its field values plus state, owner, tags) match?"""
    if criterion is None:
        return True
    if isinstance(criterion, Condition):
        return test_condition(criterion, values)
    if isinstance(criterion, AllOf):
        return all(evaluate(c, values) for c in criterion.items)
    if isinstance(criterion, AnyOf):
        return any(evaluate(c, values) for c in criterion.items)
    return not evaluate(criterion.item, values)


def explain(criterion: Criterion | None, values: Mapping[str, Any], negated: bool = False) -> list[Failure]:
    """The leaves that make `criterion` false (empty when it holds)."""
    if criterion is None or evaluate(criterion, values) != negated:
        return []
    if isinstance(criterion, Condition):
        return [Failure(criterion, values.get(criterion.field), negated)]
    if isinstance(criterion, NotOf):
        return explain(criterion.item, values, not negated)
    # children that hold explain nothing, so flattening reports exactly the
    # culprits: for all-of the failing items, for any-of every item (and the
    # mirror image under `not`)
    return [f for c in criterion.items for f in explain(c, values, negated)]
