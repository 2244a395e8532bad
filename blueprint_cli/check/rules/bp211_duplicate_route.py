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
meets only the second). Proving that takes time, so after 2,000 such proofs
the rule only looks for criteria written the same way, and after 200,000
pairs of transitions on one route it stops; either way it says so.
"""

from collections.abc import Iterator

from blueprint_cli.language.implication import Domain, canonical, equivalent
from blueprint_cli.check.context import LintContext
from blueprint_cli.check.rules import Finding
from blueprint_cli.language.model import Transition

CODE = "BP211"
NAME = "duplicate-route"
SEVERITY = "warning"
NEEDS = ("states", "state-details", "fields", "field", "criteria")


def _route(t: Transition) -> object:
    if t.branches:
        return tuple((canonical(b.when), b.to) for b in t.branches)
    return t.to


#: Pairs of transitions with the same route and owners looked at, at most, and
#: of those, pairs whose criteria (written differently) are proved equivalent or
#: not: proofs cost far more than a look. Past either, the rule says it stopped.
MAX_PAIRS = 200_000
MAX_PROOFS = 2_000


def check(ctx: LintContext) -> Iterator[Finding]:
    bp = ctx.blueprint
    domain = Domain.of(bp)
    # only transitions with the same route and the same owners can be duplicates
    groups: dict[object, list[tuple[Transition, object, set[str]]]] = {}
    pairs, proofs = 0, 0
    partly: Transition | None = None  # the first transition not given every proof
    for b in bp.transitions:
        group = groups.setdefault((_route(b), frozenset(str(o) for o in b.owners)), [])
        written = canonical(b.when)
        sources = set(bp.sources_of(b))
        pairs += len(group)
        if pairs > MAX_PAIRS:
            yield Finding(f"stopped at {b.name!r}: past {MAX_PAIRS:,} pairs of transitions with the same route, "
                          "it and the transitions after it were not compared", b.path + ("name",),
                          hint="split the blueprint, or give these transitions fewer shared routes")
            return
        for a, a_written, a_sources in group:
            if a.name == b.name or not (a_sources & sources):
                continue  # BP202; or no state in common
            if a_written != written:
                if proofs == MAX_PROOFS:
                    partly = partly or b
                    continue
                proofs += 1
                if not equivalent(a.when, b.when, domain):
                    continue
            common = [s for s in bp.sources_of(b) if s in a_sources]
            line = ctx.document.at(a.path + ("name",)).line
            target = " / ".join(dict.fromkeys(b.targets))
            yield Finding(f"{b.name!r} and {a.name!r} (line {line}) both lead from {', '.join(common)} to {target} "
                          "under the same criteria for the same owners", b.path + ("name",),
                          hint="merge them, or tell them apart with `when` or `owners`")
            break
        group.append((b, written, sources))
    if partly is not None:
        yield Finding(f"stopped proving criteria equivalent after {MAX_PROOFS:,} pairs of transitions with the same "
                      f"route: from {partly.name!r} on, only criteria written the same way were compared",
                      partly.path + ("name",), hint="split the blueprint, or give these transitions fewer shared routes")
