"""A duration is zero, or SLA escalation levels are out of order.

SLA `within`, escalation `levels[].after`, `auto.after` and task `due` must be
longer than zero. Escalation levels fire after the first escalation, so each
level's `after` must be longer than `within` and than the level before it
(compared in calendar time when both are calendar durations).

    sla:
      within: 2d
      levels:
        - after: 1d          # BP401: must come after `within` (2d)
"""

from collections.abc import Iterator

from blueprint_cli.language.analysis import action_sites
from blueprint_cli.check.context import LintContext
from blueprint_cli.check.rules import Finding
from blueprint_cli.language.model import TaskAction

CODE = "BP401"
NAME = "duration"
SEVERITY = "error"
NEEDS: tuple[str, ...] = ()


def check(ctx: LintContext) -> Iterator[Finding]:
    bp = ctx.blueprint
    for state in bp.states:
        sla = state.sla
        if sla is None:
            continue
        if sla.within.is_zero:
            yield Finding(f"the SLA of {state.name!r} has a zero `within`", sla.path + ("within",))
        previous, prev_text = sla.within, "`within`"
        for lv in sla.levels:
            if lv.after.is_zero:
                yield Finding(f"an escalation level of {state.name!r} has a zero `after`", lv.path + ("after",))
            elif (lv.after.delta is not None and previous.delta is not None and lv.after.delta <= previous.delta) \
                    or (lv.after.is_business and lv.after.business_unit == previous.business_unit
                        and lv.after.business_amount <= previous.business_amount):
                yield Finding(f"escalation level after {lv.after} in {state.name!r} must come after "
                              f"{prev_text} ({previous})", lv.path + ("after",))
            previous, prev_text = lv.after, "the level before it"
    for t in bp.transitions:
        if t.auto is not None and t.auto.after.is_zero:
            yield Finding(f"automatic transition {t.name!r} has a zero `after`", t.auto.path + ("after",))
    for action, where in action_sites(bp):
        if isinstance(action, TaskAction) and action.due is not None and action.due.is_zero:
            yield Finding(f"task {action.subject!r} in {where} is due after zero time", action.path + ("due",))
