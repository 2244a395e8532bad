"""The state field is required or set outside the transition mechanism.

The state field (`field:` at the top, e.g. `stage`) belongs to the blueprint:
it changes only through transitions, never by `require.fields` or a `set`
action (Zoho locks it the same way).

    field: stage
    then:
      - set: {stage: Closed Won}       # BP306

Use a transition with `to: Closed Won` instead.
"""

from collections.abc import Iterator

from blueprint_cli.language.analysis import requirement_sites, set_actions
from blueprint_cli.check.context import LintContext
from blueprint_cli.check.rules import Finding

CODE = "BP306"
NAME = "state-field-changed"
SEVERITY = "error"
NEEDS = ("field",)


def check(ctx: LintContext) -> Iterator[Finding]:
    bp = ctx.blueprint
    for req, _t, where in requirement_sites(bp):
        for j, name in enumerate(req.fields):
            if name == bp.field:
                yield Finding(f"the state field {name!r} cannot be required in {where}; it changes only "
                              "through transitions", req.path + ("fields", j))
    for action, where in set_actions(bp):
        for name, _ in action.values:
            if name == bp.field:
                yield Finding(f"`set` in {where} changes the state field {name!r}; it changes only through "
                              "transitions", action.path + (name,), key=True,
                              hint="use a transition's `to` instead")
