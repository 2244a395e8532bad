"""A final state has an SLA, which never fires.

An SLA escalates when a record stays in a state too long, so that someone moves
it on. A record in a final state has arrived: nothing moves it on, and
`blueprint tick` never looks at the time it spends there, so the escalation
never runs.

    - name: Closed
      final: true
      sla:                     # BP403
        within: 30d
        escalate:
          - email: {to: "role:support_lead", subject: Archive it}

Put the SLA on the state before it, or remove `final: true` if records should
leave the state.
"""

from collections.abc import Iterator

from blueprint_cli.check.context import LintContext
from blueprint_cli.check.rules import Finding

CODE = "BP403"
NAME = "sla-on-final-state"
SEVERITY = "warning"
NEEDS = ("states", "state-details")


def check(ctx: LintContext) -> Iterator[Finding]:
    for state in ctx.blueprint.states:
        if state.final and state.sla is not None:
            yield Finding(f"final state {state.name!r} has an SLA, which never fires: no record leaves a final "
                          "state, so nothing escalates there", state.sla.path, key=True,
                          hint="put the SLA on a state records wait in, or remove `final: true`")
