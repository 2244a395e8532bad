"""Two transitions have the same name.

Transition names are what users type (`blueprint move ID NAME`) and what the
history records, so they are unique within a blueprint, as in Zoho CRM.

    transitions:
      - {name: Lose, from: Qualification, to: Closed Lost}
      - {name: Lose, from: Negotiation, to: Closed Lost}   # BP202

To offer one transition from several states, write it once with
`from: [Qualification, Negotiation]` (a common transition).
"""

from collections.abc import Iterator

from blueprint_cli.check.context import LintContext
from blueprint_cli.check.rules import Finding

CODE = "BP202"
NAME = "duplicate-transition"
SEVERITY = "error"
NEEDS: tuple[str, ...] = ()


def check(ctx: LintContext) -> Iterator[Finding]:
    first: dict[str, int] = {}
    for i, t in enumerate(ctx.blueprint.transitions):
        if t.name in first:
            line = ctx.document.at(("transitions", first[t.name], "name")).line
            yield Finding(f"duplicate transition {t.name!r} (first declared on line {line})", t.path + ("name",),
                          hint="to offer one transition from several states, use `from: [A, B]`")
        else:
            first[t.name] = i
        seen_parts: set[str] = set()
        for p in t.parallel:
            if p.name in seen_parts:
                yield Finding(f"duplicate part {p.name!r} in parallel transition {t.name!r}", p.path + ("name",))
            seen_parts.add(p.name)
