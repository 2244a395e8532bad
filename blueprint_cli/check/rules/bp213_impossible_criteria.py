"""Criteria that no record can ever meet.

A `when` whose conditions contradict each other makes its transition (or
branch, parallel part, or the blueprint's entry) impossible: nothing will ever
pass it.

    when:
      all:
        - {field: amount, gte: 10000}
        - {field: amount, lt: 5000}     # BP213: amount ≥ 10000 and amount < 5000 exclude each other

The check reasons about conditions on numbers, booleans, text, picklists and
the state, through `all`/`any`/`not`; it reports only what it can prove.
"""

from collections.abc import Iterator
from itertools import combinations

from blueprint_cli.language.analysis import criteria_sites
from blueprint_cli.language.criteria import describe_condition
from blueprint_cli.language.implication import Domain, impossible
from blueprint_cli.check.context import LintContext
from blueprint_cli.check.rules import Finding
from blueprint_cli.language.model import AllOf, Condition, Criterion, iter_conditions

CODE = "BP213"
NAME = "impossible-criteria"
SEVERITY = "warning"
NEEDS = ("fields", "field", "states", "criteria")


def _culprits(c: Criterion, domain: Domain) -> str:
    """The pair of conditions that clash, when an `all` of plain conditions."""
    if isinstance(c, AllOf):
        leaves = [x for x in c.items if isinstance(x, Condition)]
        for a, b in combinations(leaves, 2):
            if impossible(AllOf((a, b)), domain):
                return f": {describe_condition(a)} and {describe_condition(b)} exclude each other"
    return ""


def check(ctx: LintContext) -> Iterator[Finding]:
    domain = Domain.of(ctx.blueprint)
    for criterion, where in criteria_sites(ctx.blueprint):
        if any(c.op == "between" and impossible(c, domain) for c in iter_conditions(criterion)):
            continue  # a descending `between` is BP307's
        if impossible(criterion, domain):
            yield Finding(f"no record can ever meet the criteria of {where}{_culprits(criterion, domain)}",
                          criterion.path, hint="check the values and operators: the conditions contradict each other")
