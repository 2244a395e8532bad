"""A transition leaves a final state.

Final states end the process (Closed Won, Closed Lost); a record in one can
not move on, so a transition from it can never run. Common transitions with
`from: "*"` already skip final states; this rule flags final states named
explicitly in `from`.

    - name: Reopen
      from: Closed Won         # BP205: 'Closed Won' is final

Remove `final: true` from the state if records should leave it.
"""

from collections.abc import Iterator

from blueprint_cli.check.context import LintContext
from blueprint_cli.check.rules import Finding
from blueprint_cli.language.model import ALL_STATES

CODE = "BP205"
NAME = "final-state-exit"
SEVERITY = "error"
NEEDS = ("states", "state-details")


def check(ctx: LintContext) -> Iterator[Finding]:
    bp = ctx.blueprint
    for t in bp.transitions:
        if t.sources == (ALL_STATES,):
            continue
        for j, src in enumerate(t.sources):
            state = bp.state(src)
            if state is not None and state.final:
                # ("from", j) falls back to `from` itself when it is a single name
                yield Finding(f"transition {t.name!r} leaves {src!r}, which is a final state", t.path + ("from", j),
                              hint=f"remove `final: true` from {src!r} if records may leave it")
