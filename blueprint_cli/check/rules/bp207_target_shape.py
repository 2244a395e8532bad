"""A transition's target is ill-formed.

A transition has exactly one of `to` (a plain or parallel transition) or
`branches` (a conditional transition). A parallel transition needs `to`
(the state the record moves to once every part is done), and an automatic
transition cannot be parallel (no one performs its parts).

    - name: Decide
      from: Discount Approval
      to: Legal Review
      branches: [...]            # BP207: both `to` and `branches`
"""

from collections.abc import Iterator

from blueprint_cli.check.context import LintContext
from blueprint_cli.check.rules import Finding

CODE = "BP207"
NAME = "target-shape"
SEVERITY = "error"
NEEDS = ("transition-details",)


def check(ctx: LintContext) -> Iterator[Finding]:
    for t in ctx.blueprint.transitions:
        if t.to is not None and t.branches:
            yield Finding(f"transition {t.name!r} has both `to` and `branches`", t.path + ("branches",), key=True,
                          hint="keep `to` for one target, or `branches` for a conditional outcome")
        elif t.to is None and not t.branches:
            yield Finding(f"transition {t.name!r} has no target", t.path + ("name",),
                          hint="add `to: STATE`, or `branches:` for a conditional outcome")
        if t.parallel and t.branches:
            yield Finding(f"parallel transition {t.name!r} cannot also have branches", t.path + ("parallel",),
                          key=True, hint="give the parallel transition a single `to`")
        if t.parallel and t.auto is not None:
            yield Finding(f"automatic transition {t.name!r} cannot be parallel", t.path + ("auto",), key=True,
                          hint="an automatic transition runs by itself; no one performs its parts")
