"""An owner names a user, role or profile the team file does not know.

Checked only when a team file is given (`blueprint lint --team team.yaml`, or
automatically inside a workspace that has `.blueprint/team.yaml`). Applies to
`owners` of transitions and parallel parts, fields' `editors`, and to task
owners and e-mail recipients written as owner entries; and, in the team file
itself, to the entries of its `permissions`.

    owners: ["role:sales_mgr"]     # BP305: unknown role 'sales_mgr' — did you mean 'sales_manager'?
"""

from collections.abc import Iterator

from blueprint_cli.language.analysis import owner_sites
from blueprint_cli.check.context import LintContext
from blueprint_cli.check.rules import Finding
from blueprint_cli.language.suggest import did_you_mean

CODE = "BP305"
NAME = "unknown-owner"
SEVERITY = "error"
NEEDS: tuple[str, ...] = ()


def check(ctx: LintContext) -> Iterator[Finding]:
    team = ctx.team
    if team is None:
        return
    known = {"user": team.users, "role": team.roles, "profile": team.profiles}
    for text, path in owner_sites(ctx.blueprint):
        kind, sep, name = text.partition(":")
        if not sep or kind not in known:
            continue  # record_owner, anyone, or an e-mail address
        if name not in known[kind]:
            hint = did_you_mean(name, known[kind])
            where = f" in {team.source}" if team.source else ""
            yield Finding(f"unknown {kind} {name!r}" + (f" — {hint}" if hint else ""), path,
                          hint=None if hint else f"the team file{where} declares {kind}s: "
                                                 f"{', '.join(sorted(known[kind])) or 'none'}")
