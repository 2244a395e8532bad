"""The one wording of what a blueprint says: an action, an SLA, a criterion, a
requirement, as users read them in `show`, `diff`, `graph`, `history` and
`next`; and time spent (`span`, `working`), as `report`, `board` and `test
--times` show it. Each renderer lays these texts out its own way (a tree, a table, a
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


def criterion_tree(c: Criterion, indent: str = "") -> list[str]:
    """A criterion as indented lines (two spaces a level), so nested all/any stay
    visible as a tree: `ALL of`, `ANY of`, `NOT`, and one condition a line."""
    if isinstance(c, Condition):
        return [indent + describe_condition(c)]
    if isinstance(c, NotOf):
        return [indent + "NOT"] + criterion_tree(c.item, indent + "  ")
    head = "ALL of" if isinstance(c, AllOf) else "ANY of"
    return [indent + head] + [line for item in c.items for line in criterion_tree(item, indent + "  ")]


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


# ----- time spent --------------------------------------------------------------------

def span(seconds: float | None) -> str:
    """A calendar duration as people say it: `3d 4h`, `5h 20m`, `45m`, `20s`."""
    if seconds is None:
        return "–"
    s = int(round(seconds))
    days, rest = divmod(s, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h" if hours else f"{days}d"
    if hours:
        return f"{hours}h {minutes}m" if minutes else f"{hours}h"
    if minutes:
        return f"{minutes}m"
    return f"{secs}s"


def working(seconds: float | None) -> str:
    """Working time, in working hours (a working day is the calendar's hours)."""
    if seconds is None:
        return "–"
    minutes = int(round(seconds / 60))
    hours, mins = divmod(minutes, 60)
    if hours:
        return f"{hours}h {mins}m" if mins else f"{hours}h"
    return f"{mins}m"
