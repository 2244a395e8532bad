"""A state that is not final has no way out.

A record that reaches it is stuck: no transition leaves it (the most common
complaint about CRM blueprints). Either mark it `final: true`, or add a
transition from it (a common transition with `from: "*"` counts).

    states:
      - name: On Hold          # BP204: no transition leaves 'On Hold'

Fix: `blueprint lint --fix` adds `final: true` to a dead end that records can
reach (a record there is already finished, in effect). On a state with an
`sla` the fix is unsafe (`--unsafe-fixes`): final states never escalate.
"""

from collections.abc import Iterator

from blueprint_cli.language.analysis import reachable, unresolved_targets
from blueprint_cli.check.context import LintContext
from blueprint_cli.check.rules import Finding

CODE = "BP204"
NAME = "dead-end-state"
SEVERITY = "error"
NEEDS = ("states", "state-details", "transitions", "transition-details")


def check(ctx: LintContext) -> Iterator[Finding]:
    bp = ctx.blueprint
    reached: set[str] | None = None
    for state in bp.states:
        if not state.final and not bp.transitions_from(state.name):
            if reached is None:
                whole = bp.state(bp.entry_state) is not None and not unresolved_targets(bp)
                reached = reachable(bp, bp.entry_state) if whole else set()
            from blueprint_cli.language.fixes import AddKey  # only for a file that needs the fix

            fix = AddKey(state.path, "final", "true", True, after="name", safe=state.sla is None) \
                if state.name in reached else None
            yield Finding(f"state {state.name!r} is not final and no transition leaves it",
                          state.path + ("name",),
                          hint="add a transition from it, or mark it `final: true`", fix=fix)
