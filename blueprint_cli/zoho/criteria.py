"""Criteria both ways: Zoho's `{group_operator, group}` trees with
`{comparator, field, type, value}` leaves ("Create Blueprint Transitions":
`type` is `value`, or `field` when the value names another field, which has
no equivalent here), and our `all`/`any` with operators.

Zoho compares with `equal`, `not_equal`, `greater_than`, `greater_equal`,
`less_than`, `less_equal`, `in`, `not_in`, `contains`, `not_contains`,
`starts_with`, `ends_with`, `between`; emptiness is `equal`/`not_equal` to
`${EMPTY}`. It has no `not` group and no regular expressions (`matches`).
A `not` over a single condition is sent as the comparator that says the
opposite, where Zoho has one: `equal`↔`not_equal`, `in`↔`not_in`,
`contains`↔`not_contains`, and `${EMPTY}` with `equal`↔`not_equal`; `not`
over a group, over `starts_with`, `ends_with`, the orderings, `between` or
`matches` has no such comparator, and those criteria are not sent (export
reports them). Zoho's negated comparators come back as our negated operators
(`not_equal` → `ne`…), which hold for the same records.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from blueprint_cli.diagnostics import JsonPath
from blueprint_cli.language.actions import NotInZoho

if TYPE_CHECKING:
    from blueprint_cli.language.actions import ZohoNames
from blueprint_cli.language.building import ModelError
from blueprint_cli.language.model import AllOf, AnyOf, Condition, Criterion, NotOf

COMPARATORS = {
    "eq": "equal", "ne": "not_equal", "gt": "greater_than", "gte": "greater_equal", "lt": "less_than",
    "lte": "less_equal", "in": "in", "not_in": "not_in", "contains": "contains", "not_contains": "not_contains",
    "starts_with": "starts_with", "ends_with": "ends_with", "between": "between",
}
OPERATORS = {v: k for k, v in COMPARATORS.items()}
EMPTY = "${EMPTY}"
#: an operator and the one that holds exactly when it does not (`ne` is `not eq` in the engine)
NEGATED = {"eq": "ne", "ne": "eq", "in": "not_in", "not_in": "in", "contains": "not_contains",
           "not_contains": "contains"}


def negated(criterion: NotOf) -> Condition:
    """`not` over one condition as the condition that says the opposite; NotInZoho when Zoho has none."""
    item = criterion.item
    if not isinstance(item, Condition):
        raise NotInZoho("Zoho criteria have no 'not' group", criterion.path)
    if item.op == "empty":
        return Condition(item.field, "empty", not item.value, item.path)
    if item.op not in NEGATED:
        raise NotInZoho(f"Zoho criteria have no 'not' group, and no negated {item.op!r} comparator", criterion.path)
    return Condition(item.field, NEGATED[item.op], item.value, item.path)


def to_zoho(criterion: Criterion, names: ZohoNames,
            negations: list[tuple[NotOf, str]] | None = None) -> dict[str, Any]:
    """Our criterion as Zoho's criteria; NotInZoho (with the path) for what Zoho cannot say. Each `not`
    sent as a negated comparator is added to `negations`, with that comparator."""
    if isinstance(criterion, (AllOf, AnyOf)):
        return {"group_operator": "AND" if isinstance(criterion, AllOf) else "OR",
                "group": [to_zoho(c, names, negations) for c in criterion.items]}
    if isinstance(criterion, NotOf):
        out = to_zoho(negated(criterion), names)
        if negations is not None:
            negations.append((criterion, str(out["comparator"])))
        return out
    field = names.field_to_zoho(criterion.field, criterion.path + ("field",))
    if criterion.op == "empty":
        return {"comparator": "equal" if criterion.value else "not_equal", "field": field, "type": "value",
                "value": EMPTY}
    if criterion.op not in COMPARATORS:
        raise NotInZoho(f"Zoho criteria have no {criterion.op!r} comparator", criterion.path)
    value = list(criterion.value) if isinstance(criterion.value, (list, tuple)) else criterion.value
    return {"comparator": COMPARATORS[criterion.op], "field": field, "type": "value", "value": value}


def from_zoho(data: Any, names: ZohoNames, path: JsonPath) -> dict[str, Any]:
    """Zoho criteria as our YAML criterion; ModelError (with the path) when they are not Zoho's."""
    if not isinstance(data, dict):
        raise ModelError("expected criteria: {group_operator, group} or {comparator, field, value}", path)
    if "group" in data or "group_operator" in data:
        operator = data.get("group_operator")
        group = data.get("group")
        if not isinstance(operator, str) or operator.upper() not in ("AND", "OR"):
            raise ModelError(f"unknown group_operator {operator!r}; expected AND or OR", path + ("group_operator",))
        if not isinstance(group, list) or not group:
            raise ModelError("`group` must list criteria", path + ("group",))
        items = [from_zoho(c, names, path + ("group", i)) for i, c in enumerate(group)]
        return {"all" if operator.upper() == "AND" else "any": items}
    comparator = data.get("comparator")
    if not isinstance(comparator, str):
        raise ModelError("a condition needs its `comparator`", path + ("comparator",))
    if "value" not in data:
        raise ModelError("a condition needs its `value`", path + ("value",))
    if data.get("type", "value") != "value":
        raise ModelError(f"a condition of type {data.get('type')!r} (compared with another field): no equivalent; "
                         "only `type: value` is read", path + ("type",))
    name = names.field_from_zoho(data.get("field"), path + ("field",))
    value = data["value"]
    if value == EMPTY and comparator in ("equal", "not_equal"):
        return {"field": name, "empty": comparator == "equal"}
    if comparator not in OPERATORS:
        raise ModelError(f"unknown comparator {comparator!r}; expected one of {', '.join(OPERATORS)} "
                         f"(or equal/not_equal to {EMPTY})", path + ("comparator",))
    return {"field": name, OPERATORS[comparator]: value}


__all__ = ["COMPARATORS", "NEGATED", "Condition", "from_zoho", "negated", "to_zoho"]
