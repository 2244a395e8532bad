"""No final state can be reached from a state.

A record that gets into such a state can move on, but only around a loop that
never ends: every path from it leads back into the same states. BP204 reports
a state with no way out at all and BP206 a blueprint whose entry state cannot
finish; this rule finds the loops in between.

    states: [{name: Open}, {name: Waiting}, {name: Paused}, {name: Done, final: true}]
    transitions:
      - {name: Finish, from: Open, to: Done}
      - {name: Wait, from: Open, to: Waiting}
      - {name: Pause, from: Waiting, to: Paused}     # BP212: from 'Waiting' (and 'Paused')
      - {name: Resume, from: Paused, to: Waiting}    #   no final state can be reached

Add a way out of the loop (a common transition `from: "*"` to a final state is
the usual one). Each finding names up to 10 of the states its state leads to;
past 100 such states, one more finding says how many more there are.
"""

from collections.abc import Iterator

from blueprint_cli.language.analysis import can_reach, reachable, successors, unresolved_targets
from blueprint_cli.check.context import LintContext
from blueprint_cli.check.rules import Finding

CODE = "BP212"
NAME = "no-way-to-final"
SEVERITY = "error"
NEEDS = ("states", "state-details", "transitions", "transition-details", "entry")


#: States reported one by one; past this, one more finding says how many more
#: there are (each finding lists where its state leads, a walk of the blueprint).
MAX_REPORTED = 100
#: States named in one finding's "it only leads to ..."
MAX_NAMED = 10


def check(ctx: LintContext) -> Iterator[Finding]:
    bp = ctx.blueprint
    finals = set(bp.final_states)
    if not finals or bp.state(bp.entry_state) is None or unresolved_targets(bp):
        return  # BP206 / BP301 report these
    succ = successors(bp)
    if not reachable(bp, bp.entry_state, succ) & finals:
        return  # BP206
    dead_ends = {s.name for s in bp.states if not s.final and not bp.transitions_from(s.name)}
    # it can finish, or BP204 reports the dead end it runs into
    fine = can_reach(bp, finals | dead_ends, succ)
    stuck = [s for s in bp.states if s.name not in fine]
    order = {name: i for i, name in enumerate(bp.state_names)}
    for state in stuck[:MAX_REPORTED]:
        others = sorted(reachable(bp, state.name, succ) - {state.name}, key=lambda n: order.get(n, 1 << 30))
        named = ", ".join(repr(n) for n in others[:MAX_NAMED])
        if len(others) > MAX_NAMED:
            named += f" and {len(others) - MAX_NAMED} more"
        loop = f"it only leads to {named}" if others else "it only leads back to itself"
        yield Finding(f"no final state can be reached from {state.name!r}: {loop}", state.path + ("name",),
                      hint='add a transition out of the loop to a final state (e.g. a common one, `from: "*"`)')
    if len(stuck) > MAX_REPORTED:
        rest = stuck[MAX_REPORTED]
        yield Finding(f"stopped after {MAX_REPORTED} states: {len(stuck) - MAX_REPORTED} more states, from "
                      f"{rest.name!r} on, cannot reach a final state either", rest.path + ("name",),
                      hint='add a transition out of the loop to a final state (e.g. a common one, `from: "*"`)')
