"""`blueprint tasks`: open tasks across records."""

from __future__ import annotations

from typing import Optional

import typer

from blueprint_cli.cli.context import options, print_json


def tasks(
    ctx: typer.Context,
    mine: bool = typer.Option(False, "--mine", help="Only tasks for you (by name, or for a role or profile you hold)."),
    user: Optional[str] = typer.Option(None, "--user", metavar="USER", help="Only tasks for this user."),
    overdue: bool = typer.Option(False, "--overdue", help="Only tasks past their due time."),
    where: Optional[str] = typer.Option(None, "--where", metavar="EXPR",
                                        help='Only tasks of the records this selects, e.g. "amount >= 1000".'),
) -> None:
    """Open tasks across records, the earliest due first."""
    from blueprint_cli.cli.record_lines import open_workspace, print_lines, report_unreadable, when
    from blueprint_cli.diagnostics import BlueprintError
    from blueprint_cli.language.where import compile_for
    from blueprint_cli.shown import visible
    from blueprint_cli.store import CorruptFile
    from blueprint_cli.workspace import now
    from blueprint_cli.workspace.tasks import open_tasks

    opts = options(ctx)
    if mine and user is not None:
        raise BlueprintError("give --mine or --user, not both")
    ws = open_workspace(ctx)
    if user is not None and ws.team.users and user not in ws.team.users:
        from blueprint_cli.language.suggest import did_you_mean

        raise BlueprintError(f"unknown user {user!r}", hint=did_you_mean(user, ws.team.users))
    whose = ws.actor(opts.acting_user, given=opts.user_given) if mine else user
    moment = now()
    criterion = compile_for(where, ws.candidates(), now=moment) if where is not None else None
    errors: list[CorruptFile] = []
    found = open_tasks(ws, moment, user=whose, overdue=overdue, where=criterion, errors=errors)
    if opts.json:
        print_json([t.to_dict() for t in found])
    elif found:
        rows = [["RECORD", "TASK", "SUBJECT", "FOR", "DUE", "STATE"]]
        for t in found:
            due = when(t.task.due) + (" (overdue)" if t.overdue else "") if t.task.due else "—"
            rows.append([visible(t.record.id), f"#{t.task.id}", visible(t.task.subject), visible(t.task.owner or ""),
                         due, visible(t.record.state or "(not governed)")])
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        print_lines("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in rows)
    else:
        import sys

        sys.stderr.write("no open tasks match\n")
    if errors:
        report_unreadable([e.message for e in errors])
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("tasks")(tasks)
