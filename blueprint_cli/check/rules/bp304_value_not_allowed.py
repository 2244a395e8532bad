"""A value is not among a picklist's `values` (or not a state).

Criteria on picklist and multiselect fields, on the state field and on `state`,
and `set` actions on such fields, may only use declared values — a typo would
make a criterion silently never match.

    fields: {reason: {type: picklist, values: [Price, Competitor, No budget]}}
    when: {field: reason, eq: Pricing}   # BP304: 'Pricing' is not a value of 'reason' — did you mean 'Price'?
"""

from collections.abc import Iterator
from typing import Any

from blueprint_cli.language.analysis import criteria_sites, set_actions
from blueprint_cli.check.context import LintContext
from blueprint_cli.check.rules import Finding
from blueprint_cli.language.model import iter_conditions
from blueprint_cli.language.suggest import did_you_mean, respell

CODE = "BP304"
NAME = "value-not-allowed"
SEVERITY = "error"
NEEDS = ("fields", "field", "states")

_VALUE_OPS = {"eq", "ne", "in", "not_in", "contains", "not_contains"}


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def check(ctx: LintContext) -> Iterator[Finding]:
    bp = ctx.blueprint
    for criterion, where in criteria_sites(bp):
        for cond in iter_conditions(criterion):
            choices = ctx.field_values(cond.field)
            if choices is None or cond.op not in _VALUE_OPS:
                continue
            for k, value in enumerate(_as_list(cond.value)):
                if value is None or str(value) in choices:
                    continue
                hint = did_you_mean(str(value), choices)
                path = cond.path + (cond.op, k) if isinstance(cond.value, list) else cond.path + (cond.op,)
                yield Finding(f"{value!r} is not a value of {cond.field!r} in {where}"
                              + (f" — {hint}" if hint else ""), path,
                              hint=None if hint else f"allowed: {', '.join(choices)}",
                              fix=respell(path, value, choices) if isinstance(value, str) else None)
    for action, where in set_actions(bp):
        for name, value in action.values:
            fd = bp.field_def(name)
            if fd is None or fd.values is None or fd.type not in ("picklist", "multiselect"):
                continue
            for item in _as_list(value):
                if isinstance(item, str) and "{{" in item:
                    continue  # a template: checked when it runs
                if item is not None and str(item) not in fd.values:
                    hint = did_you_mean(str(item), fd.values)
                    yield Finding(f"`set` in {where}: {item!r} is not a value of {name!r}"
                                  + (f" — {hint}" if hint else ""), action.path + (name,),
                                  hint=None if hint else f"allowed: {', '.join(fd.values)}",
                                  fix=respell(action.path + (name,), item, fd.values)
                                  if isinstance(value, str) else None)
