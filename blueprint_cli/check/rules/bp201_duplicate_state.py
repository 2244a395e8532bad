"""Two states have the same name.

State names are the values of the state field, so each must be unique; the
second one could never be told apart from the first.

    states:
      - name: Negotiation
      - name: Negotiation      # BP201

Rename or remove one of them.
"""

from collections.abc import Iterator

from blueprint_cli.check.context import LintContext
from blueprint_cli.check.rules import Finding

CODE = "BP201"
NAME = "duplicate-state"
SEVERITY = "error"
NEEDS: tuple[str, ...] = ()


def check(ctx: LintContext) -> Iterator[Finding]:
    first: dict[str, int] = {}
    for i, state in enumerate(ctx.blueprint.states):
        if state.name in first:
            line = ctx.document.at(("states", first[state.name], "name")).line
            yield Finding(f"duplicate state {state.name!r} (first declared on line {line})",
                          state.path + ("name",))
        else:
            first[state.name] = i
