"""A state cannot be reached from the entry state.

No sequence of transitions leads a record from the entry state (`entry.state`,
or the first state) into this one, so no record will ever be in it — usually a
forgotten transition or a misspelt `to`.

    states: [{name: New}, {name: Won, final: true}, {name: Archived, final: true}]
    transitions:
      - {name: Win, from: New, to: Won}
    # BP203: state 'Archived' cannot be reached

Add a transition into it, or remove it.
"""

from collections.abc import Iterator

from blueprint_cli.language.analysis import reachable, unresolved_targets
from blueprint_cli.check.context import LintContext
from blueprint_cli.check.rules import Finding

CODE = "BP203"
NAME = "unreachable-state"
SEVERITY = "warning"
NEEDS = ("states", "state-details", "transitions", "transition-details", "entry")


def check(ctx: LintContext) -> Iterator[Finding]:
    bp = ctx.blueprint
    start = bp.entry_state
    if bp.state(start) is None or unresolved_targets(bp):
        return  # BP301 reports the unknown names; reachability would only echo them
    seen = reachable(bp, start)
    for state in bp.states:
        if state.name not in seen:
            yield Finding(f"state {state.name!r} cannot be reached from the entry state {start!r}",
                          state.path + ("name",),
                          hint="add a transition into it, or remove it")
