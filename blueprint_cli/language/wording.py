"""The one wording of what a blueprint says: an action, an SLA, a criterion, a
requirement, as users read them in `show`, `diff`, `graph`, `history` and
`next`. Each renderer lays these texts out its own way (a tree, a table, a
diagram label); none words them again. An action's text is its kind's own
(`language/actions/`)."""

from __future__ import annotations

from blueprint_cli.language.actions import Action
from blueprint_cli.language.criteria import describe_condition
from blueprint_cli.language.model import AllOf, AnyOf, Condition, Criterion, NotOf, Requirement, Sla


def action(a: Action) -> str:
    """`assign to role:sales_manager`, `email record_owner: 'Won'` …"""
    return a.describe()


def actions(items: tuple[Action, ...] | list[Action]) -> str:
    """Several actions on one line, in order."""
    return "; ".join(action(a) for a in items)


def sla(s: Sla) -> str:
    """`within 2d, then email …; task … | after 1w: assign to user:grace`."""
    text = f"within {s.within}, then " + actions(s.escalate)
    for lv in s.levels:
        text += f" | after {lv.after}: " + actions(lv.escalate)
    return text


def criterion(c: Criterion | None) -> str:
    """A criterion on one line: `amount ≥ 1000 and (discount is empty or discount = 0)`."""
    if c is None:
        return "always"
    if isinstance(c, Condition):
        return describe_condition(c)
    if isinstance(c, NotOf):
        return f"not ({criterion(c.item)})"
    joiner = " and " if isinstance(c, AllOf) else " or "
    parts = [criterion(i) for i in c.items]
    if len(parts) == 1:
        return parts[0]
    return joiner.join(f"({p})" if isinstance(i, (AllOf, AnyOf)) and len(i.items) > 1 else p
                       for p, i in zip(parts, c.items))


def requirement(r: Requirement) -> list[str]:
    """What must be filled in during a transition, one text per kind."""
    out = []
    if r.fields:
        out.append("fields: " + ", ".join(r.fields))
    if r.checklist:
        out.append("checklist: " + "; ".join(r.checklist))
    if r.note:
        out.append("a note")
    if r.attachment:
        out.append("an attachment")
    return out
