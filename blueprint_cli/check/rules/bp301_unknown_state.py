"""A transition, branch, field lock or the entry names a state that is not declared.

Every name in `from`, `to`, `branches[].to`, `branches[].else`,
`entry.state` and a field's `locked_in` must be one of the `states`. Names
are case-sensitive.

    - name: Negotiate
      from: Qualification
      to: Negotation            # BP301: unknown state 'Negotation' — did you mean 'Negotiation'?
"""

from collections.abc import Iterator

from blueprint_cli.diagnostics import JsonPath
from blueprint_cli.check.context import LintContext
from blueprint_cli.check.rules import Finding
from blueprint_cli.language.model import ALL_STATES
from blueprint_cli.language.suggest import did_you_mean, respell

CODE = "BP301"
NAME = "unknown-state"
SEVERITY = "error"
NEEDS = ("states",)


def check(ctx: LintContext) -> Iterator[Finding]:
    bp = ctx.blueprint
    names = bp.state_names

    def unknown(name: str, path: JsonPath, where: str) -> Iterator[Finding]:
        if bp.state(name) is None:
            hint = did_you_mean(name, names)
            yield Finding(f"unknown state {name!r} in {where}" + (f" — {hint}" if hint else ""), path,
                          hint=None if hint else f"declared states: {', '.join(names)}",
                          fix=respell(path, name, names))

    if bp.entry.state is not None:
        yield from unknown(bp.entry.state, ("entry", "state"), "entry")
    for t in bp.transitions:
        if t.sources != (ALL_STATES,):
            for j, src in enumerate(t.sources):
                if src == ALL_STATES:
                    yield Finding(f"`*` must stand alone in `from` of {t.name!r}", t.path + ("from", j),
                                  hint='write `from: "*"` for every non-final state')
                else:
                    yield from unknown(src, t.path + ("from", j), f"`from` of {t.name!r}")
        if t.to is not None:
            yield from unknown(t.to, t.path + ("to",), f"`to` of {t.name!r}")
        for b in t.branches:
            yield from unknown(b.to, b.path + ("else" if b.is_else else "to",), f"a branch of {t.name!r}")
    for fd in bp.fields:
        for j, name in enumerate(fd.locked_in):
            yield from unknown(name, fd.path + ("locked_in", j), f"`locked_in` of field {fd.name!r}")
