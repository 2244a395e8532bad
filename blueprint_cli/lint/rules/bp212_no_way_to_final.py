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
the usual one).
"""

from collections.abc import Iterator

from blueprint_cli.analysis import reachable, successors, unresolved_targets
from blueprint_cli.lint.context import LintContext
from blueprint_cli.lint.rules import Finding

CODE = "BP212"
NAME = "no-way-to-final"
SEVERITY = "error"
NEEDS = ("states", "state-details", "transitions", "transition-details", "entry")


def check(ctx: LintContext) -> Iterator[Finding]:
    bp = ctx.blueprint
    finals = set(bp.final_states)
    if not finals or bp.state(bp.entry_state) is None or unresolved_targets(bp):
        return  # BP206 / BP301 report these
    succ = successors(bp)
    if not reachable(bp, bp.entry_state, succ) & finals:
        return  # BP206
    dead_ends = {s.name for s in bp.states if not s.final and not bp.transitions_from(s.name)}
    order = {name: i for i, name in enumerate(bp.state_names)}
    for state in bp.states:
        if state.final or state.name in dead_ends:
            continue
        around = reachable(bp, state.name, succ)
        if around & finals or around & dead_ends:
            continue  # it can finish, or BP204 reports the dead end it runs into
        others = sorted(around - {state.name}, key=lambda n: order.get(n, 1 << 30))
        loop = f"it only leads to {', '.join(repr(n) for n in others)}" if others else "it only leads back to itself"
        yield Finding(f"no final state can be reached from {state.name!r}: {loop}", state.path + ("name",),
                      hint='add a transition out of the loop to a final state (e.g. a common one, `from: "*"`)')
