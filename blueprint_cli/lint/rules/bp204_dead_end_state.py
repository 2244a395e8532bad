"""A state that is not final has no way out.

A record that reaches it is stuck: no transition leaves it (the most common
complaint about CRM blueprints). Either mark it `final: true`, or add a
transition from it (a common transition with `from: "*"` counts).

    states:
      - name: On Hold          # BP204: no transition leaves 'On Hold'
"""

from collections.abc import Iterator

from blueprint_cli.lint.context import LintContext
from blueprint_cli.lint.rules import Finding

CODE = "BP204"
NAME = "dead-end-state"
SEVERITY = "error"
NEEDS = ("states", "state-details", "transitions", "transition-details")


def check(ctx: LintContext) -> Iterator[Finding]:
    bp = ctx.blueprint
    for state in bp.states:
        if not state.final and not bp.transitions_from(state.name):
            yield Finding(f"state {state.name!r} is not final and no transition leaves it",
                          state.path + ("name",),
                          hint="add a transition from it, or mark it `final: true`")
