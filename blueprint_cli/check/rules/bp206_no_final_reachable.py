"""No final state can be reached from the entry state.

Every process must be able to end. Either no state is marked `final: true`,
or none of them can be reached from the entry state.

    states:
      - name: Open
      - name: Done             # BP206: mark it `final: true`
"""

from collections.abc import Iterator

from blueprint_cli.language.analysis import reachable, unresolved_targets
from blueprint_cli.check.context import LintContext
from blueprint_cli.check.rules import Finding

CODE = "BP206"
NAME = "no-final-reachable"
SEVERITY = "error"
NEEDS = ("states", "state-details", "transitions", "transition-details", "entry")


def check(ctx: LintContext) -> Iterator[Finding]:
    bp = ctx.blueprint
    finals = bp.final_states
    if not finals:
        yield Finding("no state is final, so no record can ever finish", ("states",), key=True,
                      hint="mark the states that end the process with `final: true`")
        return
    if bp.state(bp.entry_state) is None or unresolved_targets(bp):
        return  # BP301 reports the unknown names; reachability would only echo them
    if not reachable(bp, bp.entry_state) & set(finals):
        where = ("entry", "state") if bp.entry.state else bp.states[0].path + ("name",)
        yield Finding(f"no final state ({', '.join(finals)}) can be reached from the entry state "
                      f"{bp.entry_state!r}", where)
