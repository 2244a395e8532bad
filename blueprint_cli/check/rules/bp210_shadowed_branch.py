"""A branch of a conditional transition can never be taken.

Branches are tried in order and the first whose `when` matches wins, so a
branch whose criteria are covered by the branches before it is dead: every
record it would match has already gone elsewhere. The `else` branch is dead
too when the branches before it match every possible record.

    branches:
      - when: {field: discount, lte: 20}
        to: Legal Review
      - when: {field: discount, lte: 10}    # BP210: every record with discount ≤ 10 matches branch 1 first
        to: Fast Track
      - else: Negotiation

Put the most specific branch first, or remove the dead one. The check reasons
about conditions on numbers, booleans, text, picklists and the state (ranges
and sets of values, `all`/`any`/`not`); it reports only what it can prove, so
a branch it says nothing about may still be dead. Each branch is weighed
against all the branches before it; after 20,000 such comparisons in a file
the rule stops, with a finding that says where.
"""

from collections.abc import Iterator

from blueprint_cli.language.criteria import describe_condition
from blueprint_cli.language.implication import Domain, always, any_of, impossible, implies
from blueprint_cli.check.context import LintContext
from blueprint_cli.check.rules import Finding
from blueprint_cli.language.model import Condition, Criterion

CODE = "BP210"
NAME = "shadowed-branch"
SEVERITY = "warning"
NEEDS = ("fields", "field", "states", "criteria")


def _text(c: Criterion) -> str:
    return describe_condition(c) if isinstance(c, Condition) else "its criteria"


#: Earlier branches weighed against later ones, summed over a blueprint: each
#: branch is compared with all before it, so the work grows with the square of
#: their number. Past this the rule stops and says so.
MAX_COMPARED = 20_000


def check(ctx: LintContext) -> Iterator[Finding]:
    domain = Domain.of(ctx.blueprint)
    work = 0
    for t in ctx.blueprint.transitions:
        earlier: list[tuple[int, Criterion]] = []
        for i, b in enumerate(t.branches):
            work += len(earlier)
            if work > MAX_COMPARED:
                yield Finding(f"stopped at branch {i + 1} of {t.name!r}: comparing every branch with the ones "
                              f"before it went past {MAX_COMPARED:,} comparisons, so later branches (and those of "
                              "later transitions) were not checked", b.path, hint="split the decision into steps")
                return
            if b.when is None:
                if earlier and always(any_of([c for _, c in earlier]), domain):
                    yield Finding(f"the `else` branch of {t.name!r} (to {b.to!r}) can never be taken: the branches "
                                  "before it match every record", b.path + ("else",),
                                  hint="turn the last branch into `- else: STATE`")
                break
            if impossible(b.when, domain):
                continue  # BP213 reports criteria no record can meet
            if earlier and implies(b.when, any_of([c for _, c in earlier]), domain):
                single = next((j for j, c in earlier if implies(b.when, c, domain)), None)
                why = (f"every record with {_text(b.when)} matches branch {single + 1} "
                       f"(to {t.branches[single].to!r}) first" if single is not None
                       else "every record it matches meets one of the branches before it first")
                yield Finding(f"branch {i + 1} of {t.name!r} (to {b.to!r}) can never be taken: {why}",
                              b.path + ("when",), hint="put the most specific branch first, or remove this one")
            earlier.append((i, b.when))
