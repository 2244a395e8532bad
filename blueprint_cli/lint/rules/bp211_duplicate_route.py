"""Two transitions take the same route: same state, target, criteria and owners.

Two transitions that leave one state for the same target, for the same
people, under criteria that hold for exactly the same records, are one route
written twice. At best one is redundant; at worst users take whichever asks
less of them, and the other's requirements (a checklist, a note, a parallel
sign-off) can be skipped.

    - {name: Win, from: Negotiation, to: Closed Won, require: {attachment: true}}
    - {name: Quick win, from: Negotiation, to: Closed Won}   # BP211: same route as 'Win'

Merge them, or tell them apart by `when` or `owners`. Transitions with the same
*name* are BP202. Criteria count as the same when they provably hold for the
same records (`amount ≥ 1000` and `not amount < 1000` do not: an empty amount
meets only the second).
"""

from collections.abc import Iterator

from blueprint_cli.implication import Domain, canonical, equivalent
from blueprint_cli.lint.context import LintContext
from blueprint_cli.lint.rules import Finding
from blueprint_cli.model import Transition

CODE = "BP211"
NAME = "duplicate-route"
SEVERITY = "warning"
NEEDS = ("states", "state-details", "fields", "field")


def _route(t: Transition) -> object:
    if t.branches:
        return tuple((canonical(b.when), b.to) for b in t.branches)
    return t.to


def check(ctx: LintContext) -> Iterator[Finding]:
    bp = ctx.blueprint
    domain = Domain.of(bp)
    ts = bp.transitions
    for j, b in enumerate(ts):
        for a in ts[:j]:
            if a.name == b.name:
                continue  # BP202
            common = [s for s in bp.sources_of(b) if s in bp.sources_of(a)]
            if not common or _route(a) != _route(b):
                continue
            if {str(o) for o in a.owners} != {str(o) for o in b.owners}:
                continue
            if not equivalent(a.when, b.when, domain):
                continue
            line = ctx.document.at(a.path + ("name",)).line
            target = " / ".join(dict.fromkeys(b.targets))
            yield Finding(f"{b.name!r} and {a.name!r} (line {line}) both lead from {', '.join(common)} to {target} "
                          "under the same criteria for the same owners", b.path + ("name",),
                          hint="merge them, or tell them apart with `when` or `owners`")
            break
