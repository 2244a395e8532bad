"""A conditional transition's branches lack an `else`, or it is not last.

Branches are tried in order and the first whose `when` holds wins; the `else`
branch catches everything else, so it is required, there is exactly one, and
it comes last (branches after it could never be taken).

    branches:
      - when: {field: discount, lte: 20}
        to: Legal Review
      # BP208: add `- else: Negotiation`
"""

from collections.abc import Iterator

from blueprint_cli.check.context import LintContext
from blueprint_cli.check.rules import Finding

CODE = "BP208"
NAME = "branch-else"
SEVERITY = "error"
NEEDS = ("transition-details",)


def check(ctx: LintContext) -> Iterator[Finding]:
    for t in ctx.blueprint.transitions:
        if not t.branches:
            continue
        elses = [i for i, b in enumerate(t.branches) if b.is_else]
        if not elses:
            yield Finding(f"conditional transition {t.name!r} has no `else` branch", t.path + ("branches",),
                          key=True, hint="add `- else: STATE` as the last branch")
            continue
        for i in elses[1:]:
            yield Finding(f"conditional transition {t.name!r} has more than one `else`", t.branches[i].path)
        if elses[0] != len(t.branches) - 1:
            yield Finding(f"the `else` branch of {t.name!r} is not last, so the branches after it are never taken",
                          t.branches[elses[0]].path, hint="move `else` to the end")
