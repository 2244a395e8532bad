"""A value does not fit its field's type.

Criterion values are checked against the field they compare with: numbers for
number/currency/percent/integer fields, `YYYY-MM-DD` for dates, ISO 8601 for
date-times, true/false for booleans; `in`/`not_in` take a list, `between` a
list of two values in ascending order. Values in `set` actions and field
`default`s must parse as their field's type too (templates like
`{{record.amount}}` and relative dates like `+2d` are checked when they run).

    when: {field: amount, gte: lots}            # BP307: 'lots' is not a number
    when: {field: close_on, between: [2026-12-31, 2026-01-01]}   # BP307: not ascending
"""

from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from blueprint_cli.language.analysis import criteria_sites, set_actions
from blueprint_cli.language.criteria import _comparable
from blueprint_cli.language.durations import DurationError, parse_relative
from blueprint_cli.language.fieldtypes import FieldValueError, NUMERIC, parse
from blueprint_cli.check.context import LintContext
from blueprint_cli.check.rules import Finding
from blueprint_cli.language.model import FieldDef, iter_conditions

CODE = "BP307"
NAME = "value-type"
SEVERITY = "error"
NEEDS = ("fields", "field")

_SCALAR_OPS = {"eq", "ne", "gt", "gte", "lt", "lte"}


@lru_cache(maxsize=256)
def _probe(name: str, type_: str) -> FieldDef:
    """The field with its name and type alone: its values' kind is checked here,
    picklist membership is BP304's job."""
    return FieldDef(name, type_)


def _fits(fd: FieldDef, value: Any) -> str | None:
    """Why `value` does not fit the field's type, or None."""
    if value is None:
        return None
    try:
        parse(_probe(fd.name, fd.type), value)
    except FieldValueError as exc:
        return str(exc)
    return None


def check(ctx: LintContext) -> Iterator[Finding]:
    bp = ctx.blueprint
    for criterion, where in criteria_sites(bp):
        for cond in iter_conditions(criterion):
            fd = bp.field_def(cond.field)
            path = cond.path + (cond.op,)
            if cond.op in ("in", "not_in") and not isinstance(cond.value, list):
                yield Finding(f"`{cond.op}` in {where} takes a list of values", path, hint="write `[A, B]`")
                continue
            if cond.op == "between":
                if not isinstance(cond.value, list) or len(cond.value) != 2:
                    yield Finding(f"`between` in {where} takes a list of two values [low, high]", path)
                    continue
                lo, hi = _comparable(cond.value[0], cond.value[1])
                try:
                    if lo > hi:
                        yield Finding(f"`between` in {where}: {cond.value[0]!r} is greater than {cond.value[1]!r}",
                                      path, hint="write the lower bound first")
                except TypeError:
                    pass
            if fd is None or fd.type == "multiselect":
                continue
            values = cond.value if cond.op in ("in", "not_in", "between") and isinstance(cond.value, list) \
                else [cond.value] if cond.op in _SCALAR_OPS else []
            for value in values:
                why = _fits(fd, value)
                if why:
                    yield Finding(f"{value!r} does not fit {fd.type} field {fd.name!r} in {where}: {why}", path)
    for action, where in set_actions(bp):
        for name, value in action.values:
            fd = bp.field_def(name)
            try:
                relative = isinstance(value, str) and parse_relative(value) is not None
            except DurationError as exc:
                yield Finding(f"`set` in {where}: {exc}", action.path + (name,))
                continue
            if fd is None or (isinstance(value, str) and "{{" in value) or relative:
                continue
            if fd.type in ("picklist", "multiselect"):
                continue  # BP304 checks the values
            why = _fits(fd, value)
            if why:
                yield Finding(f"`set` in {where}: {value!r} does not fit {fd.type} field {name!r}: {why}",
                              action.path + (name,))
    for fd in bp.fields:
        if fd.default is not None and fd.type not in ("picklist", "multiselect"):
            why = _fits(fd, fd.default)
            if why:
                yield Finding(f"default {fd.default!r} of field {fd.name!r}: {why}", fd.path + ("default",))
        if fd.type in NUMERIC and fd.min is not None and fd.max is not None and fd.min > fd.max:
            yield Finding(f"field {fd.name!r} has min {fd.min} greater than max {fd.max}", fd.path + ("min",))
        if fd.min_length is not None and fd.max_length is not None and fd.min_length > fd.max_length:
            yield Finding(f"field {fd.name!r} has min_length greater than max_length", fd.path + ("min_length",))
